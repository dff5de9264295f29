"""Small python-docx helpers of the briefing stage: an A4 document in Chinese fonts Word and LibreOffice
both honour (``toolkit.office.set_font``), tables from DataFrames, pictures with captions."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.brief.figure import title_lines
from toolkit.office import freeze_core_properties, normalize_zip, set_font
from toolkit.outputs import mask_xml_text

BODY_FONT = "宋体"  # present on every Chinese Windows; LibreOffice substitutes a CJK serif/sans
HEADING_FONT = "黑体"


TITLE_PER_LINE = 20  # characters of the 20 pt title on an A4 line (16 cm between the margins holds ~22)


def new_document(title: str | None = None, subtitle: str | None = None):
    """An A4 document with 宋体 body and 黑体 headings; optional centred title and grey subtitle. A long title
    is broken between words (``title_lines``), not inside one where the line happens to end."""
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
        heading = doc.add_heading("", level=0)
        heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
        for i, line in enumerate(title_lines(title, TITLE_PER_LINE)):
            if i:
                heading.runs[-1].add_break()  # a line break inside the title: one heading, two lines
            heading.add_run(line)
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


def add_picture(
    doc, picture, width_cm: float = 16.0, caption: str | None = None, note: str = "", alt: str = ""
) -> None:
    """A centred picture (a path or PNG bytes) with its caption and a smaller grey note under it; ``alt``
    the picture's description (alternative text: what screen readers say, the chart's file name)."""
    import io

    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt, RGBColor

    source = io.BytesIO(picture) if isinstance(picture, bytes) else str(picture)
    shape = doc.add_picture(source, width=Cm(width_cm))
    if alt:
        shape._inline.docPr.set("descr", alt)
    doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text, size in ((caption, 9), (note, 7.5)):
        if text:
            para = doc.add_paragraph()
            para.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = para.add_run(text)
            run.font.size = Pt(size)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)


def save_document(doc, path) -> Path:
    """Save reproducibly (fixed document dates and zip timestamps), personal data masked in every text."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mask_xml_text(doc.element.body)
    freeze_core_properties(doc.core_properties)
    doc.save(str(path))
    return normalize_zip(path)
