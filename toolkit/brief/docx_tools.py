"""Small python-docx helpers: Chinese fonts that Word and LibreOffice both honour, tables from DataFrames.

Word picks the font of Chinese characters from the run's ``w:eastAsia`` attribute, which python-docx's
``font.name`` does not set; without it Chinese text falls back to whatever the reader's default is.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.office import freeze_core_properties, normalize_zip
from toolkit.outputs import mask_xml_text

BODY_FONT = "宋体"      # present on every Chinese Windows; LibreOffice substitutes a CJK serif/sans
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"


def set_font(target, east_asia: str, latin: str = LATIN_FONT, size_pt: float | None = None, bold=None) -> None:
    """Set Latin and East Asian font of a style or run (``target.font`` / ``target._element.rPr``)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = target.font
    font.name = latin
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rpr = target._element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), east_asia)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)


def new_document(title: str | None = None, subtitle: str | None = None):
    """An A4 document with 宋体 body and 黑体 headings; optional centred title and grey subtitle."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, RGBColor

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.5)
    section.top_margin = section.bottom_margin = Cm(2.5)
    set_font(doc.styles["Normal"], BODY_FONT, size_pt=11)
    for name, size in (("Title", 20), ("Heading 1", 15), ("Heading 2", 13), ("Heading 3", 12)):
        style = doc.styles[name]
        set_font(style, HEADING_FONT, size_pt=size, bold=name != "Title")
        style.font.color.rgb = RGBColor(0x22, 0x22, 0x22)
    if title:
        heading = doc.add_heading(title, level=0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if subtitle:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(subtitle)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    return doc


def add_table(doc, frame: pd.DataFrame, widths_cm: list[float] | None = None, font_pt: float = 9.5):
    """A bordered table with a bold header row from ``frame`` (all values shown as text)."""
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    for cell, name in zip(table.rows[0].cells, frame.columns):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(name))
        run.bold = True
        run.font.size = Pt(font_pt)
    for values in frame.itertuples(index=False):
        cells = table.add_row().cells
        for cell, value in zip(cells, values):
            cell.text = ""
            run = cell.paragraphs[0].add_run("" if pd.isna(value) else str(value))
            run.font.size = Pt(font_pt)
    if widths_cm:  # Word reads cell widths, LibreOffice the grid columns: set both
        table.autofit = False
        for column, width in zip(table.columns, widths_cm):
            column.width = Cm(width)
        for row in table.rows:
            for cell, width in zip(row.cells, widths_cm):
                cell.width = Cm(width)
    return table


def add_picture(doc, path, width_cm: float = 16.0, caption: str | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    doc.add_picture(str(path), width=Cm(width_cm))
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    if caption:
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = para.add_run(caption)
        run.font.size = Pt(9)
        run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def save_document(doc, path) -> Path:
    """Save reproducibly (fixed document dates and zip timestamps), personal data masked in every text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mask_xml_text(doc.element.body)
    freeze_core_properties(doc.core_properties)
    doc.save(str(path))
    return normalize_zip(path)
