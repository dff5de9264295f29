"""The DOCX of a 社情民意信息 as such a page is printed: a red 刊头 and rule, the title centred, 正文 in
仿宋 三号 with a two-character first-line indent, headings in 黑体, the parts marked for rewriting in red,
and the 反映人 / 报送单位 lines at the end.

Chinese fonts are set as East-Asian fonts (``toolkit.office.set_font``) so Word and WPS render them; every
text is masked and equal input gives equal bytes (``toolkit.brief.save_document``).
"""

from __future__ import annotations

from pathlib import Path

from toolkit.brief import save_document
from toolkit.office import set_font
from toolkit.opinion.draft import REWRITE, DraftText

BODY_FONT = "仿宋"  # 公文 正文; Word and WPS have it, LibreOffice substitutes a CJK serif
HEADING_FONT = "黑体"
TITLE_FONT = "宋体"
BODY_PT, TITLE_PT, MASTHEAD_PT, LINE_PT = 16, 22, 26, 28  # 三号, 二号, 一号; fixed 28 pt lines
RED = (0xC0, 0x00, 0x00)


def write_docx(
    text: DraftText,
    path,
    *,
    number: str = "",
    date: str = "",
    member: str | None = None,
    unit: str | None = None,
    properties: dict | None = None,
) -> Path:
    """Write ``text`` to ``path`` (the file is written there directly: the caller makes it atomic)."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    normal = doc.styles["Normal"]
    set_font(normal, BODY_FONT, size_pt=BODY_PT)
    normal.paragraph_format.line_spacing = Pt(LINE_PT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.space_before = Pt(0)

    masthead = doc.add_paragraph()
    masthead.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(masthead, "社情民意信息", TITLE_FONT, MASTHEAD_PT, bold=True, color=RED)
    stamp = doc.add_paragraph()
    stamp.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _run(stamp, "　　".join(p for p in (number, _chinese_date(date)) if p), BODY_FONT, 12)
    _red_rule(stamp)

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.paragraph_format.space_before = Pt(16)
    title.paragraph_format.space_after = Pt(16)
    title.paragraph_format.line_spacing = Pt(36)
    _run(title, text.title, TITLE_FONT, TITLE_PT, bold=True)

    for heading, paragraphs, marked in text.sections():
        para = _body_paragraph(doc)
        _run(para, heading, HEADING_FONT, BODY_PT)
        if marked:
            _run(para, REWRITE, HEADING_FONT, BODY_PT, color=RED)
        for line in paragraphs:
            para = _body_paragraph(doc)
            para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            _run(para, line, BODY_FONT, BODY_PT)

    for i, (label, value) in enumerate((("反映人", member), ("报送单位", unit))):
        para = doc.add_paragraph()
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        if i == 0:
            para.paragraph_format.space_before = Pt(BODY_PT)
        _run(para, f"{label}：{value or '＿＿＿＿＿＿'}", BODY_FONT, BODY_PT)

    props = doc.core_properties
    props.title = text.title
    for key, value in (properties or {}).items():
        setattr(props, key, value)
    return save_document(doc, path)


def _body_paragraph(doc):
    """A 正文 paragraph: first line indented two characters (Word reads firstLineChars, others the length)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    para = doc.add_paragraph()
    para.paragraph_format.first_line_indent = Pt(2 * BODY_PT)
    para.paragraph_format._element.get_or_add_pPr().get_or_add_ind().set(qn("w:firstLineChars"), "200")
    return para


def _run(para, text: str, font: str, size: float, *, bold: bool | None = None, color=None):
    from docx.shared import RGBColor

    run = para.add_run(text)
    set_font(run, font, size_pt=size, bold=bold)
    if color:
        run.font.color.rgb = RGBColor(*color)
    return run


def _red_rule(para) -> None:
    """The red line under a 刊头: a bottom border of the paragraph."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "18"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # CT_PPr is a sequence: Word refuses (asks to repair) a pBdr after jc, spacing or ind
    para._p.get_or_add_pPr().insert_element_before(border, *_AFTER_BORDER)


_AFTER_BORDER = (
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
)


def _chinese_date(date: str) -> str:
    """A date as written in Chinese: 2026-05-08 -> 2026年5月8日."""
    try:
        y, m, d = (int(p) for p in str(date).split("-"))
    except ValueError:
        return str(date or "")
    return f"{y}年{m}月{d}日"
