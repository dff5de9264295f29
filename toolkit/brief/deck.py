"""The 16:9 PPTX deck: a cover, one chart per slide under its takeaway title, and the candidates slide."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.brief.style import ACCENT, SUBTLE_TEXT, TEXT
from toolkit.office import freeze_core_properties, normalize_zip
from toolkit.outputs import mask_xml_text

DECK_FONT = "微软雅黑"  # East Asian font named in the file; PowerPoint/WPS have it, LibreOffice substitutes a CJK font
WIDTH_IN, HEIGHT_IN = 13.333, 7.5
_DRAWING_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"


def _rgb(hex_colour: str):
    from pptx.dml.color import RGBColor

    return RGBColor.from_string(hex_colour.lstrip("#"))


def _text(
    slide, text: str, left, top, width, height, *, size: float, colour: str = TEXT, bold: bool = False, align=None
):
    """A text box whose runs name an East Asian font (``a:ea``) so Chinese is not left to the viewer's default."""
    from pptx.util import Inches

    box = slide.shapes.add_textbox(Inches(left), Inches(top), Inches(width), Inches(height))
    frame = box.text_frame
    frame.word_wrap = True
    for i, line in enumerate(str(text).split("\n")):
        para = frame.paragraphs[0] if i == 0 else frame.add_paragraph()
        if align is not None:
            para.alignment = align
        run = para.add_run()
        run.text = line
        _font(run, size, colour, bold)
    return box


def _font(run, size: float, colour: str = TEXT, bold: bool = False) -> None:
    from pptx.util import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.color.rgb = _rgb(colour)
    run.font.name = DECK_FONT
    rpr = run._r.get_or_add_rPr()
    for tag in ("ea", "cs"):  # East Asian and complex-script typefaces (python-pptx sets only latin)
        name = f"{{{_DRAWING_NS}}}{tag}"
        el = rpr.find(name)
        if el is None:
            el = rpr.makeelement(name, {})
            rpr.append(el)
        el.set("typeface", DECK_FONT)


def _picture(slide, path: Path, left, top, max_w, max_h) -> None:
    """Place an image as large as fits the box, centred, keeping its aspect ratio."""
    from PIL import Image
    from pptx.util import Inches

    with Image.open(path) as img:
        w, h = img.size
    scale = min(max_w / w, max_h / h)
    width, height = w * scale, h * scale
    slide.shapes.add_picture(
        str(path), Inches(left + (max_w - width) / 2), Inches(top + (max_h - height) / 2), Inches(width), Inches(height)
    )


def _title(slide, text: str, note: str = "") -> None:
    # one line at 26 pt holds ~30 Chinese characters across the slide; shrink rather than wrap into the note
    size = 26 if len(text) <= 30 else 22 if len(text) <= 36 else 18
    _text(slide, text, 0.5, 0.3, 12.3, 0.9, size=size, bold=True)
    if note:
        _text(slide, note, 0.5, 1.1, 12.3, 0.4, size=12, colour=SUBTLE_TEXT)


def write_deck(
    path,
    *,
    title: str,
    subtitle: str,
    charts: list,
    candidate_table: pd.DataFrame | None = None,
    closing: list[str] | None = None,
) -> Path:
    """Write the deck; ``charts`` are ``Chart`` objects (their titles become the slide titles)."""
    from pptx import Presentation
    from pptx.enum.text import PP_ALIGN
    from pptx.util import Inches

    prs = Presentation()
    prs.slide_width, prs.slide_height = Inches(WIDTH_IN), Inches(HEIGHT_IN)
    blank = prs.slide_layouts[6]

    cover = prs.slides.add_slide(blank)
    band = cover.shapes.add_shape(1, 0, Inches(2.6), prs.slide_width, Inches(0.08))
    band.fill.solid()
    band.fill.fore_color.rgb = _rgb(ACCENT)
    band.line.fill.background()
    _text(cover, title, 0.8, 1.2, 11.7, 1.3, size=36, bold=True)
    _text(cover, subtitle, 0.8, 2.9, 11.7, 1.2, size=16, colour=SUBTLE_TEXT)

    for chart in charts:
        slide = prs.slides.add_slide(blank)
        _title(slide, chart.title, chart.subtitle)
        # the chart's own title is repeated on the image; the slide title is what the room reads first
        _picture(slide, chart.png, 0.5, 1.6, 12.3, 5.6)

    if candidate_table is not None and len(candidate_table):
        slide = prs.slides.add_slide(blank)
        first = candidate_table.iloc[0]
        _title(
            slide,
            f"建议优先协商：{first['议题']}",
            "选题候选（热度指数 0—100 = 各因素加权平均 × 100；详见选题候选清单）",
        )
        rows, cols = len(candidate_table) + 1, len(candidate_table.columns)
        widths = {"排名": 0.7, "议题": 3.0, "典型意见": 5.0, "热度指数": 1.1, "反映人数": 1.1, "时间范围": 1.4}
        shape = slide.shapes.add_table(rows, cols, Inches(0.5), Inches(1.7), Inches(12.3), Inches(0.4 * rows))
        table = shape.table
        for j, name in enumerate(candidate_table.columns):
            table.columns[j].width = Inches(widths.get(name, 12.3 / cols))
            cell = table.cell(0, j)
            cell.text = ""
            run = cell.text_frame.paragraphs[0].add_run()
            run.text = str(name)
            _font(run, 14, "#FFFFFF", True)
        for i, values in enumerate(candidate_table.itertuples(index=False), start=1):
            for j, value in enumerate(values):
                cell = table.cell(i, j)
                cell.text = ""
                run = cell.text_frame.paragraphs[0].add_run()
                run.text = "" if pd.isna(value) else str(value)
                _font(run, 11)
                if candidate_table.columns[j] not in ("议题", "典型意见"):
                    cell.text_frame.paragraphs[0].alignment = PP_ALIGN.CENTER

    if closing:
        slide = prs.slides.add_slide(blank)
        _title(slide, "数据与方法说明")
        _text(slide, "\n".join(f"• {line}" for line in closing), 0.6, 1.5, 12.0, 5.5, size=15)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for slide in prs.slides:  # personal data masked in every text, whichever builder put it there
        mask_xml_text(slide.element)
    freeze_core_properties(prs.core_properties)
    prs.save(str(path))
    return normalize_zip(path)
