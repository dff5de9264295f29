"""Spreadsheets of the briefing stage, written reproducibly (see ``toolkit.office``) and safely
(see ``toolkit.outputs``: personal data masked, no cell a spreadsheet would run as a formula)."""

from __future__ import annotations

from pathlib import Path

from toolkit.office import freeze_core_properties, normalize_zip
from toolkit.outputs import safe_frame, text_cells


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
