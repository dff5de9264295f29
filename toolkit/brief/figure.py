"""One chart = a finding-stating title, a subtitle (N, time span, source), and four files beside each other.

``save_chart`` writes ``<stem>.png`` (300 dpi), ``<stem>.svg``, ``<stem>.pdf`` and ``<stem>.csv`` (the numbers
drawn, UTF-8 with BOM so Excel opens it, through ``toolkit.outputs.write_csv``) — byte-identical for the same input.
"""

from __future__ import annotations

import io
import re
import warnings
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from toolkit.brief.errors import BriefError
from toolkit.brief.style import SUBTLE_TEXT, glyph_problems, use_house_style
from toolkit.outputs import write_csv

FORMATS = ("png", "svg", "pdf")
HEADING_GID = "brief-heading"  # the title and subtitle drawn on a figure: left off where the slide shows them


def percent(count, base) -> float:
    """``count`` of ``base`` in per cent, rounded half up to one decimal from the exact ratio: the one number
    a chart's bars, its CSV, its title and the workbook all show (62.55 is 62.6 everywhere, never 62.5 here
    and 63 there)."""
    if not base:
        return 0.0
    exact = Decimal(str(count)) * 100 / Decimal(str(base))
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def pct(value: float) -> str:
    """A percentage as every text of the brief writes it: "62.6%"."""
    return f"{value:.1f}%"


@dataclass
class Native:
    """The numbers of a chart PowerPoint can draw itself (an editable chart on the slide).

    ``kind``: "bar" (horizontal bars), "stacked" (stacked horizontal bars), "stacked100" (stacked to 100 %),
    "line"; ``series``: name -> one value per category, in order; ``colours``: one per series, or with one
    series ``point_colours`` one per bar; ``labels``: the text written at each bar of a one-series chart.
    """

    kind: str
    categories: list[str]
    series: dict[str, list[float]]
    number_format: str = "0"
    colours: list[str] | None = None
    point_colours: list[str] | None = None
    labels: list[str] | None = None
    axis_title: str = ""


@dataclass
class Chart:
    """A rendered chart: its figure, the numbers behind it, and the files written (format -> path)."""

    title: str
    subtitle: str
    data: pd.DataFrame
    figure: object = field(repr=False)
    paths: dict[str, Path] = field(default_factory=dict)
    native: Native | None = None
    question: str | None = None  # the question id it charts, if one (the workbook puts its numbers there)
    _headless: dict[int, bytes] = field(default_factory=dict, repr=False)

    @property
    def png(self) -> Path:
        return self.paths["png"]

    @property
    def stem(self) -> str:
        return self.png.with_suffix("").name

    def headless_png(self, dpi: int = 200) -> bytes:
        """The picture without its title and subtitle, for a slide that shows them as text: said once.
        Drawn once per ``dpi`` (a layout drawn again may move by a pixel: the deck's bytes would differ)."""
        if dpi in self._headless:
            return self._headless[dpi]
        fig: Any = self.figure
        heading = {a: a.get_text() for a in fig.findobj(lambda a: a.get_gid() == HEADING_GID)}
        for artist in heading:
            artist.set_text("")  # empty, not hidden: the layout gives the space back to the chart
        buffer = io.BytesIO()
        try:
            fig.savefig(buffer, format="png", dpi=dpi, metadata=None)
        finally:
            for artist, text in heading.items():
                artist.set_text(text)
        self._headless[dpi] = buffer.getvalue()
        return self._headless[dpi]

    def numbers_text(self, limit: int = 40) -> str:
        """The numbers drawn, one line per row ("镇街 东湖街道｜答卷数 120｜占比(%) 24.0"), for slide notes."""
        lines = []
        for row in self.data.head(limit).to_dict("records"):
            lines.append("｜".join(f"{k} {_shown(v, '%' in str(k))}" for k, v in row.items() if not _blank(v)))
        if len(self.data) > limit:
            lines.append(f"……共 {len(self.data)} 行，见 {self.stem}.csv")
        return "\n".join(lines)

    def _repr_png_(self):  # shows the chart in JupyterLab
        return self.png.read_bytes() if "png" in self.paths else None


def _shown(value, share: bool = False) -> str:
    """A number as the chart writes it: a share with its one decimal (60.0), others without trailing zeros."""
    if share and isinstance(value, (int, float)):
        return f"{value:.1f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _blank(value) -> bool:
    try:
        return bool(pd.isna(value)) or value == ""
    except (TypeError, ValueError):
        return False


# a wrapped line never starts with closing punctuation nor ends with opening punctuation (禁则), and an
# item number ("3. ", "12、") stays with the words it numbers; Latin words and numbers are not broken
_ITEM = r"\d+[.、．)）]\s*[^\s]"
_TOKEN = re.compile(rf"^{_ITEM}|[A-Za-z0-9][A-Za-z0-9.,:%/+\-]*|\s+|.", re.S)
_CLOSING = set("，。、；：！？）》」』”’%％,.;:!?)]")
_OPENING = set("（《「『“‘([")


def _width(text: str) -> float:
    """Width in Chinese characters: a Latin letter or digit is half of one."""
    return sum(1.0 if ord(ch) > 0x2E80 else 0.55 for ch in text)


def wrap(label, width: int = 14) -> str:
    """Wrap a (Chinese) label onto lines about ``width`` Chinese characters wide: between any two Chinese
    characters, never inside a Latin word or a number, never leaving an item number alone on a line."""
    text = str(label)
    tokens: list[str] = []
    for token in _TOKEN.findall(text):
        if tokens and (token[0] in _CLOSING or tokens[-1][-1] in _OPENING):
            tokens[-1] += token
        else:
            tokens.append(token)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line and _width((line + token).rstrip()) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.rstrip())
    return "\n".join(lines) or text


# where a long title may break: after closing punctuation, around the words titles are made of
_TITLE_WORDS = ("调研报告", "调研简报", "报告", "简报", "问卷", "选题", "征集", "调研", "协商", "情况", "关于", "工作")


def title_lines(text: str, per_line: float) -> list[str]:
    """``text`` on as few lines of at most ``per_line`` Chinese characters as it needs, broken only between
    words: after punctuation, before or after the words of a title (年度, 调研报告 …), else between jieba's
    words; the lines as even as they can be. Never inside a word, as a layout's own wrapping would."""
    text = str(text).strip()
    if _width(text) <= per_line:
        return [text]
    marks = {i for i in range(1, len(text)) if text[i - 1] in _CLOSING or text[i] in _OPENING}
    breaks = set(marks)
    for i in range(1, len(text)):
        if text[:i].endswith("年度") or text[:i].endswith("年") and text[i] not in "度0123456789":
            breaks.add(i)
    for word in _TITLE_WORDS:
        for start in (m.start() for m in re.finditer(word, text)):
            breaks.update({start, start + len(word)})
    if not any(_width(text[:i]) <= per_line and _width(text[i:]) <= per_line for i in breaks):
        from toolkit.text import cut as segment  # jieba, set up quietly by the text stage

        ends = 0
        for word in segment(text):
            ends += len(word)
            breaks.add(ends)
    fits = [i for i in breaks if 0 < i < len(text) and _width(text[:i]) <= per_line]
    if not fits:
        return wrap(text, int(per_line)).split("\n")
    # two lines when a break leaves both fitting: the most even pair; else the longest first line, the rest again
    rest_fits = [i for i in fits if _width(text[i:]) <= per_line]
    if rest_fits:
        # a break at punctuation reads best: it wins over a word break up to 3 characters less even
        cut = min(rest_fits, key=lambda i: (max(_width(text[:i]), _width(text[i:])) + 3 * (i not in marks), i))
        return [text[:cut], text[cut:]]
    cut = max(fits)
    return [text[:cut], *title_lines(text[cut:], per_line)]


_CJK = "\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef“”‘’"
_FULL = {",": "，", "?": "？", "!": "！", ":": "：", ";": "；", "(": "（", ")": "）"}


def chinese_punctuation(text) -> str:
    """Half-width punctuation next to Chinese made full-width again ("停车难,晚上(8点后)" -> "停车难，晚上（8点后）"),
    straight quotes around Chinese made “curly”: text normalisation (NFKC) folds them for matching, a reader
    should not see it. Numbers ("3.5", "1,000", "10:30") are left alone."""
    text = str(text)
    text = re.sub(rf'"([^"]*[{_CJK}][^"]*)"', r"“\1”", text)
    text = re.sub(
        rf"(?<=[{_CJK}])\s*([,?!:;()])|([,?!:;()])\s*(?=[{_CJK}])", lambda m: _FULL[m.group(1) or m.group(2)], text
    )
    return text


def new_figure(title: str, subtitle: str = "", *, figsize=None, nrows: int = 1, ncols: int = 1, **kwargs):
    """A house-style figure with the finding as title (top left) and the context line under it."""
    import matplotlib
    import matplotlib.pyplot as plt

    use_house_style()
    fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    heading = fig.suptitle(title, x=0.0, ha="left", fontsize=15, fontweight=matplotlib.rcParams["axes.titleweight"])
    heading.set_gid(HEADING_GID)
    first = ax.flat[0] if hasattr(ax, "flat") else ax
    if subtitle:
        first.set_title(subtitle, loc="left", fontsize=10, fontweight="normal", color=SUBTLE_TEXT, pad=10).set_gid(
            HEADING_GID
        )
    return fig, ax


def save_chart(
    fig,
    path_stem,
    data: pd.DataFrame,
    *,
    title: str = "",
    subtitle: str = "",
    formats=FORMATS,
    close: bool = True,
    native: Native | None = None,
) -> Chart:
    """Save ``fig`` as PNG/SVG/PDF plus ``data`` as CSV next to it; refuse a figure that would show tofu."""
    import matplotlib.pyplot as plt

    stem = Path(path_stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        problems = glyph_problems(fig)
        paths = {}
        for fmt in formats:
            path = stem.with_name(stem.name + "." + fmt)
            # Dates in metadata would make every run's files differ.
            metadata = {"png": None, "svg": {"Date": None}, "pdf": {"CreationDate": None, "ModDate": None}}[fmt]
            fig.savefig(path, format=fmt, metadata=metadata)
            paths[fmt] = path
    problems += [str(w.message) for w in caught if "missing from font" in str(w.message)]
    if problems:
        plt.close(fig)
        raise BriefError("font.missing_glyphs", chart=stem.name, problems=problems[:3], env="WEIDIAOYAN_CJK_FONT")
    csv_path = stem.with_name(stem.name + ".csv")
    write_csv(data, csv_path)
    paths["csv"] = csv_path
    if close:
        plt.close(fig)
    return Chart(title=title, subtitle=subtitle, data=data, figure=fig, paths=paths, native=native)
