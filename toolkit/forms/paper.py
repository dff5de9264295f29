"""Printable paper questionnaire (.docx, A4) for doorstep and 接待日 collection.

Choices are printed as ``□1 城关街道``: the number is the code the entry staff type, so paper and
entry screen speak the same language. Skip logic is printed in words next to the choice that
triggers it; a box at the top holds the 问卷编号 and the two operators' names for double entry.

>>> write_paper(form, "reports/annual_topics.docx")       # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path

from toolkit.forms.model import Form, Question
from toolkit.forms.wording import condition_in_words, skip_instructions
from toolkit.office import set_font

BOX = "□"
CJK_FONT = "宋体"  # present in every Chinese Word; LibreOffice falls back to an installed CJK font
LATIN_FONT = "Times New Roman"
INSTRUCTIONS = [
    "请在所选答案前的“□”内打“√”；未注明“可多选”的题目只选一项。",
    "排序题请在“□”内填写名次（1 为最重要）；量表（表格）题每行选一格。",
    "填空题请在横线上填写；带“*”的题目为必答题。",
    "选项前的数字为录入代码，录入人员按数字录入，填写时可不必理会。",
]


def _font(run, size: float | None = None, bold: bool | None = None) -> None:
    set_font(run, CJK_FONT, LATIN_FONT, size, bold)


def _para(container, text: str = "", size: float = 10.5, bold: bool = False, align=None, space_after: float = 2):
    from docx.shared import Pt

    p = container.add_paragraph()
    if text:
        _font(p.add_run(text), size, bold)
    p.paragraph_format.space_after = Pt(space_after)
    p.paragraph_format.space_before = Pt(0)
    if align is not None:
        p.alignment = align
    return p


def _setup(doc) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(20))
    section.top_margin, section.bottom_margin = Mm(18), Mm(18)
    normal = doc.styles["Normal"]
    normal.font.name, normal.font.size = LATIN_FONT, Pt(10.5)
    normal.paragraph_format.space_after = Pt(0)  # table cells use Normal: keep choice rows tight
    normal.paragraph_format.line_spacing = 1.15
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)


def _borders(table, on: bool) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "single" if on else "nil")
        if on:
            el.set(qn("w:sz"), "4")
            el.set(qn("w:color"), "000000")
        borders.append(el)
    tbl_pr.append(borders)


def _cell_text(cell, text: str, size: float = 10, bold: bool = False, center: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    p = cell.paragraphs[0]
    _font(p.add_run(text), size, bold)
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _serial_box(doc, form: Form) -> None:
    table = doc.add_table(rows=1, cols=6)
    _borders(table, True)
    cells = table.rows[0].cells
    serial = form.by_role("serial")
    label = f"{form.number(serial.id)}. {serial.label}" if serial else "问卷编号"
    for cell, text in zip(cells, (label, "", "一录", "", "二录", "")):
        _cell_text(cell, text, 9, bold=bool(text))
    _para(doc, space_after=4)


def _kind_hint(q: Question) -> str:
    if q.kind == "multiple":
        limits = [
            f"最多选{q.max_choices}项" if q.max_choices else "",
            f"至少选{q.min_choices}项" if q.min_choices else "",
        ]
        return "（可多选" + "".join("，" + x for x in limits if x) + "）"
    if q.kind == "ranking":
        return f"（在□内填名次，选出{q.max_choices}项）" if q.max_choices else "（在□内填名次）"
    if q.is_matrix:
        return "（每行选一格）"
    return ""


def _choice_label(form: Form, q: Question, cid: str, jumps: dict) -> str:
    text = q.choice_label(cid)
    if cid == "other":
        text += "________"
    if cid in jumps:
        target = jumps[cid]
        text += f"（→请跳至第{target}题）" if target else "（→问卷结束）"
    return text


def _choices(doc, form: Form, q: Question) -> None:
    jumps = skip_instructions(form, q)
    ids = q.choice_ids()
    labels = [f"{BOX}{i} {_choice_label(form, q, cid, jumps)}" for i, cid in enumerate(ids, start=1)]
    widest = max(len(s) for s in labels)
    cols = 1 if widest > 22 else 2 if widest > 12 else 3 if widest > 7 else 4
    rows = -(-len(labels) // cols)
    table = doc.add_table(rows=rows, cols=cols)
    _borders(table, False)
    for i, text in enumerate(labels):
        # column-major, like a printed list read top to bottom
        _cell_text(table.cell(i % rows, i // rows), text, 10)


def _matrix(doc, q: Question) -> None:
    table = doc.add_table(rows=len(q.rows) + 1, cols=len(q.choices) + 1)
    _borders(table, True)
    _cell_text(table.cell(0, 0), "", 9)
    for j, c in enumerate(q.choices, start=1):
        _cell_text(table.cell(0, j), f"{c.label}\n（{j}）", 9, bold=True, center=True)
    from docx.shared import Mm

    widths = [Mm(56)] + [Mm(114 / len(q.choices))] * len(q.choices)
    table.autofit = False
    for column, width in zip(table.columns, widths):
        column.width = width  # the grid LibreOffice lays out by
    for row in table.rows:
        for cell, width in zip(row.cells, widths):
            cell.width = width
    for i, r in enumerate(q.rows, start=1):
        _cell_text(table.cell(i, 0), r.label, 9.5)
        for j in range(1, len(q.choices) + 1):
            _cell_text(table.cell(i, j), BOX, 11, center=True)


def _answer_lines(doc, q: Question) -> None:
    if q.kind == "date":
        _para(doc, "______年____月____日")
    elif q.kind == "number":
        _para(doc, "______________" + ("（填整数）" if q.integer else ""))
    elif q.kind == "concern":
        for _ in range(4):
            _para(doc, "_" * 84, space_after=6)
    else:
        _para(doc, "_" * 40)


def _question(doc, form: Form, q: Question) -> None:
    from docx.shared import Pt

    if q.kind == "note":
        _para(doc, q.label, 11.5, bold=True, space_after=3).paragraph_format.space_before = Pt(6)
        return
    p = _para(doc, space_after=2)
    p.paragraph_format.space_before = Pt(5)
    p.paragraph_format.keep_with_next = True
    _font(p.add_run(f"{form.number(q.id)}. "), 10.5, True)
    if q.required:
        _font(p.add_run("*"), 10.5, True)
    _font(p.add_run(q.label + _kind_hint(q)), 10.5, True)
    if q.relevant:
        _font(p.add_run(f"（{condition_in_words(form, q.relevant)}者回答）"), 9.5, False)
    if q.hint:
        _para(doc, q.hint, 9, space_after=2)
    if q.is_matrix:
        _matrix(doc, q)
    elif q.choices:
        _choices(doc, form, q)
    else:
        _answer_lines(doc, q)


def paper_document(form: Form):
    """The questionnaire as a python-docx ``Document``."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    _setup(doc)
    doc.core_properties.title = form.title
    doc.core_properties.author = "微调研工具箱"
    from toolkit.office import freeze_core_properties

    freeze_core_properties(doc.core_properties)  # with normalize_zip in write_paper: byte-identical files
    _serial_box(doc, form)
    _para(doc, form.title, 16, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=6)
    for line in form.description.splitlines():
        _para(doc, line, 10.5, space_after=1)
    _para(doc, "填写说明", 11, bold=True, space_after=1)
    for i, line in enumerate(INSTRUCTIONS, start=1):
        _para(doc, f"{i}. {line}", 9.5, space_after=0)
    for q in form.questions:
        if q.role == "serial":
            continue  # already in the box at the top
        _question(doc, form, q)
    end = _para(doc, "问卷到此结束，感谢您的支持！", 10.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, space_after=0)
    end.paragraph_format.space_before = Pt(12)
    return doc


def write_paper(form: Form, path: str | Path) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    from toolkit.office import normalize_zip
    from toolkit.outputs import mask_xml_text

    doc = paper_document(form)
    mask_xml_text(doc.element.body)  # like every output; a form's own text rarely holds any
    doc.save(path)
    return normalize_zip(path)
