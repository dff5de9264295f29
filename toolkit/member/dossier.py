"""One member's 履职档案 as a DOCX page: who, duties by date with their source, points by kind, and the
residents' concerns their records brought in (personal data masked, as in every export)."""

from __future__ import annotations

import pandas as pd

from toolkit.brief import new_document, save_document
from toolkit.outputs import mask_text


def _document(title: str, subtitle: str):
    """The brief's A4 document (``toolkit.brief.new_document``: 宋体 body, 黑体 headings), a little denser."""
    from docx.shared import Cm, Pt

    doc = new_document(title, subtitle)
    section = doc.sections[0]
    section.left_margin = section.right_margin = section.top_margin = section.bottom_margin = Cm(2.2)
    for name, size in (("Normal", 10.5), ("Title", 18), ("Heading 1", 13)):
        doc.styles[name].font.size = Pt(size)
    return doc


def _table(doc, frame: pd.DataFrame, widths_cm: list[float]) -> None:
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(frame.columns))
    table.style = "Table Grid"
    table.autofit = False
    for cell, name in zip(table.rows[0].cells, frame.columns):
        run = cell.paragraphs[0].add_run(str(name))
        run.bold = True
        run.font.size = Pt(9)
    for values in frame.itertuples(index=False):
        for cell, value in zip(table.add_row().cells, values):
            run = cell.paragraphs[0].add_run("" if pd.isna(value) else str(value))
            run.font.size = Pt(9)
    for row in table.rows:  # Word reads cell widths, LibreOffice the grid columns: set both
        for cell, width in zip(row.cells, widths_cm):
            cell.width = Cm(width)
    for column, width in zip(table.columns, widths_cm):
        column.width = Cm(width)


def write_dossier(path, *, member: dict, header: str, summary: str, idle: str, kinds, duties, concerns, footer: str):
    """Write one member's page to ``path``.

    ``member``: {label: value} of who they are; ``kinds``: a frame 类型/次数/积分; ``duties``: a frame of
    their duties by date; ``concerns``: (date, source, text) of the residents' concerns they brought in.
    """
    from docx.shared import Pt, RGBColor

    doc = _document(f"{member['姓名']} 履职档案", header)
    doc.add_heading("基本情况", level=1)
    who = pd.DataFrame({"项目": list(member), "内容": [v or "" for v in member.values()]})
    _table(doc, who, [4.5, 12.1])
    doc.add_heading("履职概况", level=1)
    doc.add_paragraph(summary)
    if idle:
        run = doc.add_paragraph().add_run(idle)
        run.bold = True
        run.font.color.rgb = RGBColor(0xD5, 0x5E, 0x00)
    if len(kinds):
        _table(doc, kinds, [8.0, 4.3, 4.3])
    doc.add_heading("履职活动（按日期）", level=1)
    if len(duties):
        _table(doc, duties, [2.4, 1.6, 1.5, 4.6, 1.9, 1.2, 3.4])
    else:
        doc.add_paragraph("本年度没有有记录的履职活动。")
    doc.add_heading("反映的群众诉求", level=1)
    if concerns:
        for day, source, text in concerns:
            item = doc.add_paragraph(style="List Number")
            item.add_run(mask_text(text))
            note = item.add_run(f"（{day}，{source}）")
            note.font.size = Pt(9)
            note.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    else:
        doc.add_paragraph("本年度的记录中没有该委员带来的群众诉求。")
    small = doc.add_paragraph().add_run(footer)
    small.font.size = Pt(8.5)
    small.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
    return save_document(doc, path)
