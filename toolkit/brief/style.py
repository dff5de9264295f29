"""House style for every chart: one colour-blind-safe palette and a Chinese font found automatically.

Font discovery, in order (the first font that really draws Chinese wins):

1. ``WEIDIAOYAN_CJK_FONT`` — a font file path or a family name, for sites with a mandated font;
2. system CJK fonts matplotlib already knows (preferred families such as 思源黑体 / Noto Sans CJK SC,
   微软雅黑, 苹方, 文泉驿), then any file ``fc-list :lang=zh`` reports;
3. Noto Sans CJK SC shipped inside the ``mplfonts`` wheel (a PyPI dependency), registered with
   matplotlib's font manager in memory — we never run mplfonts' CLI, which writes into matplotlib's install.

So charts never show tofu boxes, with or without system fonts.

>>> from toolkit.brief.style import use_house_style
>>> use_house_style()                     # doctest: +SKIP
'Noto Sans CJK SC'
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
from functools import lru_cache
from pathlib import Path

# Okabe & Ito (2008): distinguishable under all common colour-vision deficiencies, and in greyscale print
# when paired with labels. Order matters: the first colours are used most.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
ACCENT = PALETTE[0]
MUTED = "#9E9E9E"  # 其他 / 未归类 / context bars
TEXT = "#222222"
SUBTLE_TEXT = "#555555"
# Diverging scale for Likert answers (ColorBrewer PuOr, colour-blind safe): negative orange, neutral grey, positive purple.
DIVERGING = ["#B35806", "#F1A340", "#D9D9D9", "#998EC3", "#542788"]
SEQUENTIAL_CMAP = "Blues"  # ColorBrewer sequential, colour-blind safe, for heatmaps


def ink_on(color: str) -> str:
    """The colour of a label drawn on ``color``: ``TEXT`` on a light bar, white on a dark one."""
    from matplotlib.colors import to_rgb

    r, g, b = to_rgb(color)
    return TEXT if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else "white"


# Sans-serif families designed for Simplified Chinese, best first (matched case-insensitively).
PREFERRED_CJK_FAMILIES = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "思源黑体",
    "Microsoft YaHei",
    "微软雅黑",
    "PingFang SC",
    "Hiragino Sans GB",
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Sarasa Gothic SC",
    "Noto Sans SC",
    "Heiti SC",
    "STHeiti",
    "SimHei",
]
# Draw Chinese, but with Japanese/Traditional glyph shapes, serifs or no Latin: used only after the bundled font.
OTHER_CJK_FAMILIES = [
    "Noto Sans CJK JP",
    "Noto Sans CJK TC",
    "Noto Sans CJK HK",
    "Noto Serif CJK SC",
    "Source Han Serif SC",
    "AR PL UMing CN",
    "Droid Sans Fallback",
]
BUNDLED_FONT_FILE = "NotoSansCJKsc-Regular.otf"  # inside the mplfonts wheel; SIL OFL licensed
PROBE = "中文调研热度镇街界别委员"  # common characters every usable font must draw
LATIN = "AZaz09%=.,()"  # fonts without these (e.g. Droid Sans Fallback) mix designs: ranked after the bundled font
FONT_ENV = "WEIDIAOYAN_CJK_FONT"


def draws_chinese(path: str | os.PathLike, probe: str = PROBE) -> bool:
    """True if the font file at ``path`` has a glyph for every character of ``probe``."""
    from matplotlib.ft2font import FT2Font

    try:
        charmap = FT2Font(str(path)).get_charmap()
    except (OSError, RuntimeError, ValueError):
        return False
    return all(ord(ch) in charmap for ch in probe)


def bundled_font_path() -> Path | None:
    """The CJK font file shipped by the ``mplfonts`` wheel, found without importing (and running) mplfonts."""
    spec = importlib.util.find_spec("mplfonts")
    if spec is None or not spec.submodule_search_locations:
        return None
    for location in spec.submodule_search_locations:
        path = Path(location) / "fonts" / BUNDLED_FONT_FILE
        if path.is_file():
            return path
    return None


def _fc_list_paths() -> list[str]:
    """Font files fontconfig says support Chinese (empty where fontconfig is absent, e.g. Windows)."""
    if shutil.which("fc-list") is None:
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True, timeout=20).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})


def _register(path: str | os.PathLike) -> str:
    """Add a font file to matplotlib's in-memory font manager and return its family name."""
    from matplotlib import font_manager

    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def _from_env() -> tuple[str, str] | None:
    wanted = os.environ.get(FONT_ENV, "").strip()
    if not wanted:
        return None
    if wanted.lower() == "bundled":  # lets tests and demos behave as on a machine without system CJK fonts
        bundled = bundled_font_path()
        return (_register(bundled), str(bundled)) if bundled else None
    if Path(wanted).is_file():
        if draws_chinese(wanted):
            return _register(wanted), wanted
        return None
    return _system_family([wanted])


def _system_family(families: list[str], probe: str = PROBE) -> tuple[str, str] | None:
    """The first of ``families`` matplotlib knows (system fonts) whose file draws ``probe``."""
    from matplotlib import font_manager

    entries = sorted(font_manager.fontManager.ttflist, key=lambda e: (e.name, e.weight != 400, e.fname))
    for family in families:
        for entry in entries:
            if entry.name.lower() == family.lower() and draws_chinese(entry.fname, probe):
                return entry.name, entry.fname
    return None


@lru_cache(maxsize=1)
def find_cjk_font() -> tuple[str, str, str]:
    """Return ``(family, file path, origin)`` of the Chinese font charts will use.

    ``origin`` is ``"env"``, ``"system"`` or ``"bundled"``. System Simplified-Chinese sans fonts that draw Chinese
    *and* Latin win; then the bundled Noto Sans CJK SC; other CJK system fonts (JP/TC shapes, serif, or
    Chinese-only like Droid Sans Fallback) come last.
    Raises ``BriefError`` only if no font at all draws Chinese (a broken install).
    """
    found = _from_env()
    if found:
        return (*found, "env")
    found = _system_family(PREFERRED_CJK_FAMILIES, PROBE + LATIN)
    if not found:
        # fontconfig may know fonts matplotlib's cached list does not (installed later, or .ttc collections)
        for path in _fc_list_paths():
            try:
                _register(path)
            except (OSError, RuntimeError, ValueError):
                continue
        found = _system_family(PREFERRED_CJK_FAMILIES, PROBE + LATIN)
    if found:
        return (*found, "system")
    bundled = bundled_font_path()
    if bundled is not None and draws_chinese(bundled):
        return _register(bundled), str(bundled), "bundled"
    found = _system_family(OTHER_CJK_FAMILIES)
    if found:
        return (*found, "system")
    from toolkit.brief.errors import BriefError

    raise BriefError("font.not_found", env=FONT_ENV)


def has_bold(family: str) -> bool:
    """Whether a bold face of ``family`` is installed (else we avoid asking for one: matplotlib would log noise)."""
    from matplotlib import font_manager

    def numeric(weight) -> int:
        return font_manager.weight_dict.get(weight, 400) if isinstance(weight, str) else int(weight)

    return any(e.name == family and numeric(e.weight) >= 600 for e in font_manager.fontManager.ttflist)


def house_rc(family: str) -> dict:
    """The matplotlib rcParams of the house style for font ``family``."""
    from cycler import cycler

    return {
        # CJK font first so Chinese and digits share one design; DejaVu catches rare symbols it lacks.
        # matplotlib falls back glyph by glyph along font.family (not along the generic sans-serif list).
        "font.family": [family, "DejaVu Sans"],
        "font.sans-serif": [family, "DejaVu Sans"],
        "axes.unicode_minus": False,  # some CJK fonts lack U+2212; use ASCII hyphen-minus
        "axes.prop_cycle": cycler(color=PALETTE),
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": MUTED,
        "axes.labelcolor": TEXT,
        "axes.titlesize": 15,
        "axes.titleweight": "bold" if has_bold(family) else "normal",
        "axes.titlelocation": "left",
        "axes.labelsize": 11,
        "axes.grid": False,
        "grid.color": "#E5E5E5",
        "xtick.color": SUBTLE_TEXT,
        "ytick.color": SUBTLE_TEXT,
        "xtick.labelsize": 10,
        "ytick.labelsize": 10,
        "legend.frameon": False,
        "legend.fontsize": 10,
        "figure.figsize": (10, 5.625),  # 16:9, fills a slide
        "figure.dpi": 100,
        "figure.facecolor": "white",
        "savefig.dpi": 300,
        "savefig.bbox": "tight",
        "savefig.facecolor": "white",
        "svg.hashsalt": "weidiaoyan",  # stable element ids -> byte-identical SVG
        "svg.fonttype": "path",  # SVG shows the same glyphs without the font installed
        # Type 3 glyphs: subsetting a 16 MB CJK OpenType font for Type 42 takes ~3 s per PDF with fontTools
        "pdf.fonttype": 3,
    }


_APPLIED: str | None = None


def use_house_style() -> str:
    """Apply the house style to matplotlib globally and return the Chinese font family used.

    Idempotent and cheap after the first call.
    """
    global _APPLIED
    import matplotlib

    family, _path, _origin = find_cjk_font()
    if family != _APPLIED or matplotlib.rcParams["font.family"][:1] != [family]:
        matplotlib.rcParams.update(house_rc(family))
        _APPLIED = family
    return family


def font_report() -> str:
    """One line for logs and the report's appendix: which font and where it came from."""
    family, path, origin = find_cjk_font()
    where = {"env": f"环境变量 {FONT_ENV}", "system": "系统字体", "bundled": "mplfonts 自带字体"}[origin]
    return f"中文字体：{family}（{where}：{Path(path).name}）"


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (
        0x3000 <= code <= 0x30FF
        or 0x3400 <= code <= 0x4DBF
        or 0x4E00 <= code <= 0x9FFF
        or 0xF900 <= code <= 0xFAFF
        or 0xFF00 <= code <= 0xFFEF
        or 0x20000 <= code <= 0x2FA1F
    )


def glyph_problems(fig) -> list[str]:
    """Every CJK character in ``fig``'s text that no font in its resolved font list can draw.

    Walks all text artists (titles, labels, tick labels, annotations, legends) and resolves their
    font list the way matplotlib's fallback does; empty list = no tofu. Used by tests and ``save_chart``.
    """
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    fig.canvas.draw()  # tick labels exist only after a draw
    charmaps: dict[str, set[int]] = {}

    def charmap(path: str) -> set[int]:
        if path not in charmaps:
            charmaps[path] = set(FT2Font(path).get_charmap())
        return charmaps[path]

    problems = []
    for text in fig.findobj(Text):
        content = text.get_text()
        wanted = {ch for ch in content if _is_cjk(ch)}
        if not wanted or not text.get_visible():
            continue
        paths = font_manager.fontManager._find_fonts_by_props(text.get_fontproperties())
        for ch in sorted(wanted):
            if not any(ord(ch) in charmap(str(p)) for p in paths):
                problems.append(f"{ch!r} in {content[:30]!r} (fonts: {[Path(p).name for p in paths]})")
    return problems
