"""Office files shared by every stage that writes them (forms' XLSForm and paper questionnaire, ingest
reports, the ranking tables, briefing deck and report).

Office files (xlsx, docx, pptx) are zip archives stamped with the time of writing; these helpers
freeze those stamps so equal content gives equal bytes. ``write_xlsx`` writes a readable, safe
spreadsheet of DataFrames; ``set_font`` gives Word runs and styles a Chinese font Word honours.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
import zipfile
from pathlib import Path

from toolkit.outputs import safe_frame, text_cells

FIXED_TIME = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
LATIN_FONT = "Times New Roman"
# openpyxl stamps dcterms:modified with the time of saving, whatever the workbook says
_CORE_DATES = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)")


def freeze_core_properties(props) -> None:
    """Set created/modified/printed of a python-docx / python-pptx / openpyxl document to a fixed date."""
    naive = FIXED_TIME.replace(tzinfo=None)
    for name in ("created", "modified", "last_printed"):
        if hasattr(props, name):
            with contextlib.suppress(TypeError, ValueError):
                setattr(props, name, naive)
    if hasattr(props, "revision"):
        props.revision = 1


def normalize_zip(path) -> Path:
    """Rewrite the archive at ``path`` with fixed entry timestamps and order, so equal content = equal bytes."""
    path = Path(path)
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:  # keep the order: [Content_Types].xml must stay first for some readers
            if info.filename == "docProps/core.xml":
                data = _CORE_DATES.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    tmp.replace(path)
    return path


def write_xlsx(sheets: dict, path, *, widths: dict | None = None, keep=()) -> Path:
    """Write DataFrames (sheet name -> frame) to ``path`` with a bold, frozen header and readable widths.

    ``widths``: column name -> width in characters (others sized from their content, at most 60).
    Every cell goes through ``toolkit.outputs.safe_cell`` (masked, neutralised, control characters dropped);
    ``keep``: columns never masked (the input's id column; see ``toolkit.outputs.safe_frame``).
    Reproducible: fixed document dates and zip timestamps.
    """
    import pandas as pd
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            frame = safe_frame(frame, excel=True, keep=keep)
            frame.to_excel(writer, sheet_name=name, index=False)
            sheet = writer.sheets[name]
            text_cells(sheet)
            sheet.freeze_panes = "A2"
            for i, col in enumerate(frame.columns, start=1):
                sheet.cell(row=1, column=i).font = Font(bold=True)
                width = (widths or {}).get(col)
                if width is None:
                    sample = [str(col), *frame.iloc[:, i - 1].astype(str).head(200)]
                    width = min(60, max(6, max(_display_width(v) for v in sample) + 2))
                sheet.column_dimensions[get_column_letter(i)].width = width
                if width >= 40:  # long text: wrap instead of one endless line
                    for cell in sheet[get_column_letter(i)][1:]:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
        freeze_core_properties(writer.book.properties)
    return normalize_zip(path)


def _display_width(text: str) -> int:
    """Characters as Excel lays them out: CJK glyphs take two columns."""
    line = max(str(text).splitlines() or [""], key=len)
    return sum(2 if ord(ch) > 0x2E80 else 1 for ch in line[:200])


def set_font(target, east_asia: str, latin: str = LATIN_FONT, size_pt: float | None = None, bold=None) -> None:
    """Set the Latin and East Asian font of a python-docx style or run (and its size and weight, if given).

    Word picks the font of Chinese characters from the ``w:eastAsia`` attribute, which python-docx's
    ``font.name`` does not set; without it Chinese text falls back to whatever the reader's default is.
    """
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = target.font
    font.name = latin
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    fonts = target.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
