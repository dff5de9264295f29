"""One chart = a finding-stating title, a subtitle (N, time span, source), and four files beside each other.

``save_chart`` writes ``<stem>.png`` (300 dpi), ``<stem>.svg``, ``<stem>.pdf`` and ``<stem>.csv`` (the numbers
drawn, UTF-8 with BOM so Excel opens it, through ``toolkit.outputs.write_csv``) — byte-identical for the same input.
"""

from __future__ import annotations

import textwrap
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from toolkit.brief.errors import BriefError
from toolkit.brief.style import SUBTLE_TEXT, glyph_problems, use_house_style
from toolkit.outputs import write_csv

FORMATS = ("png", "svg", "pdf")


@dataclass
class Chart:
    """A rendered chart: its figure, the numbers behind it, and the files written (format -> path)."""

    title: str
    subtitle: str
    data: pd.DataFrame
    figure: object = field(repr=False)
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def png(self) -> Path:
        return self.paths["png"]

    def _repr_png_(self):  # shows the chart in JupyterLab
        return self.png.read_bytes() if "png" in self.paths else None


def wrap(label, width: int = 14) -> str:
    """Wrap a (Chinese) label onto lines of ``width`` characters; CJK has no spaces, so break anywhere."""
    text = str(label)
    return "\n".join(textwrap.wrap(text, width=width, break_long_words=True)) or text


def new_figure(title: str, subtitle: str = "", *, figsize=None, nrows: int = 1, ncols: int = 1, **kwargs):
    """A house-style figure with the finding as title (top left) and the context line under it."""
    import matplotlib
    import matplotlib.pyplot as plt

    use_house_style()
    fig, ax = plt.subplots(nrows, ncols, figsize=figsize, layout="constrained", **kwargs)
    fig.suptitle(title, x=0.0, ha="left", fontsize=15, fontweight=matplotlib.rcParams["axes.titleweight"])
    first = ax.flat[0] if hasattr(ax, "flat") else ax
    if subtitle:
        first.set_title(subtitle, loc="left", fontsize=10, fontweight="normal", color=SUBTLE_TEXT, pad=10)
    return fig, ax


def save_chart(
    fig, path_stem, data: pd.DataFrame, *, title: str = "", subtitle: str = "", formats=FORMATS, close: bool = True
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
    return Chart(title=title, subtitle=subtitle, data=data, figure=fig, paths=paths)
