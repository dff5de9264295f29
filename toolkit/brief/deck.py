"""The 16:9 PPTX deck: a cover, one chart per slide under its takeaway title, and the candidates slide.

A chart PowerPoint can draw (bars, stacked bars, lines: ``Chart.native``) is a native chart staff can edit,
restyle and re-sort; the others (heatmap, quotes) are pictures. Either way the title and subtitle are the
slide's text, said once (not also drawn in the picture or as the chart's own title), and the numbers drawn
are in the slide's notes.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pandas as pd

from toolkit.brief.figure import Native, title_lines
from toolkit.brief.style import ACCENT, SUBTLE_TEXT, TEXT
from toolkit.office import freeze_core_properties, normalize_zip
from toolkit.outputs import mask_text, mask_xml_text, safe_cell

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
    _east_asian(run._r.get_or_add_rPr())


def _picture(slide, png: bytes, left, top, max_w, max_h) -> None:
    """Place an image as large as fits the box, centred, keeping its aspect ratio."""
    from PIL import Image
    from pptx.util import Inches

    with Image.open(io.BytesIO(png)) as img:
        w, h = img.size
    scale = min(max_w / w, max_h / h)
    width, height = w * scale, h * scale
    slide.shapes.add_picture(
        io.BytesIO(png),
        Inches(left + (max_w - width) / 2),
        Inches(top + (max_h - height) / 2),
        Inches(width),
        Inches(height),
    )


_KINDS = {"bar": "BAR_CLUSTERED", "stacked": "BAR_STACKED", "stacked100": "BAR_STACKED_100", "line": "LINE_MARKERS"}


def _native_chart(slide, native: Native, left, top, width, height):
    """An editable PowerPoint chart of ``native``: no chart title (the slide's is the title), the house
    colours, the first category on top, labels and legend where they help."""
    from pptx.chart.data import CategoryChartData
    from pptx.enum.chart import XL_CHART_TYPE, XL_LABEL_POSITION, XL_LEGEND_POSITION
    from pptx.util import Inches, Pt

    data = CategoryChartData(number_format=native.number_format)
    # the embedded workbook is a spreadsheet too: masked, nothing a spreadsheet would run
    data.categories = [safe_cell(str(c)) for c in native.categories]
    for name, values in native.series.items():
        data.add_series(safe_cell(str(name)), [float(v) for v in values])
    kind = getattr(XL_CHART_TYPE, _KINDS[native.kind])
    frame = slide.shapes.add_chart(kind, Inches(left), Inches(top), Inches(width), Inches(height), data)
    chart = frame.chart
    chart.has_title = False
    chart.font.size = Pt(12)
    chart.font.name = DECK_FONT
    _east_asian(chart.font._rPr)
    plot = chart.plots[0]
    bars = native.kind != "line"
    if bars:
        chart.category_axis.reverse_order = True  # the first category (the largest, rank 1) on top
        plot.gap_width = 60
        if native.kind != "bar":
            plot.overlap = 100
    chart.category_axis.format.line.fill.background()
    chart.category_axis.has_major_gridlines = False
    chart.value_axis.has_major_gridlines = native.kind == "line"
    if native.axis_title:
        chart.value_axis.axis_title.text_frame.text = native.axis_title
        _east_asian(chart.value_axis.axis_title.text_frame.paragraphs[0].runs[0].font._rPr)
    for series, colour in zip(plot.series, native.colours or []):
        if bars:
            series.format.fill.solid()
            series.format.fill.fore_color.rgb = _rgb(colour)
        else:
            series.format.line.color.rgb = _rgb(colour)
            series.smooth = False
    if native.point_colours:
        for i, colour in enumerate(native.point_colours):
            point = plot.series[0].points[i]
            point.format.fill.solid()
            point.format.fill.fore_color.rgb = _rgb(colour)
    if native.labels:
        for i, text in enumerate(native.labels):
            label = plot.series[0].points[i].data_label
            label.position = XL_LABEL_POSITION.OUTSIDE_END
            label.text_frame.text = text
        chart.value_axis.visible = False  # the bars carry their numbers
    chart.has_legend = len(native.series) > 1
    if chart.has_legend:
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
    # the embedded workbook (what "编辑数据" opens) written like every other file: same input, same bytes
    workbook = chart.part.chart_workbook
    workbook.update_from_xlsx_blob(_fixed_zip(workbook.xlsx_part.blob))
    return chart


def _east_asian(rpr) -> None:
    """Name the East Asian and complex-script typefaces too (python-pptx sets only the Latin one)."""
    for tag in ("ea", "cs"):
        name = f"{{{_DRAWING_NS}}}{tag}"
        el = rpr.find(name)
        if el is None:
            el = rpr.makeelement(name, {})
            rpr.append(el)
        el.set("typeface", DECK_FONT)


_CORE_DATE = re.compile(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</)")


def _fixed_zip(blob: bytes) -> bytes:
    """``blob`` (a zip: the chart's embedded .xlsx) with fixed entry times and document dates."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _CORE_DATE.sub(rb"\g<1>2000-01-01T00:00:00Z\g<2>", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            dst.writestr(fixed, data)
    return out.getvalue()


def _notes(slide, text: str) -> None:
    """The speaker notes: the numbers the chart draws, masked like every text of the deck."""
    slide.notes_slide.notes_text_frame.text = mask_text(text)


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
    technical: list[str] | None = None,
) -> Path:
    """Write the deck; ``charts`` are ``Chart`` objects (their titles become the slide titles).

    ``closing``: the data and method page, in plain Chinese; ``technical``: the technical note, on a last
    slide of its own (附：技术说明)."""
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
    # a long title broken between words, not wherever the line happens to end (36 pt: ~22 characters a line)
    lines = title_lines(title, 22)
    _text(
        cover,
        "\n".join(lines),
        0.8,
        1.2 if len(lines) < 2 else 0.7,
        11.7,
        1.8,
        size=36 if len(lines) < 3 else 28,
        bold=True,
    )
    _text(cover, subtitle, 0.8, 2.9, 11.7, 1.2, size=16, colour=SUBTLE_TEXT)

    for chart in charts:
        slide = prs.slides.add_slide(blank)
        _title(slide, chart.title, chart.subtitle)
        # the title and subtitle are the slide's text: not repeated in the chart or the picture
        if chart.native is not None:
            _native_chart(slide, chart.native, 0.5, 1.6, 12.3, 5.6)
        else:
            _picture(slide, chart.headless_png(), 0.5, 1.6, 12.3, 5.6)
        _notes(slide, f"{chart.title}\n{chart.subtitle}\n图表数据（charts/{chart.stem}.csv）：\n{chart.numbers_text()}")

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
    if technical:
        slide = prs.slides.add_slide(blank)
        _title(slide, "附：技术说明", "供核对方法的同志参阅")
        _text(slide, "\n".join(f"• {line}" for line in technical), 0.6, 1.6, 12.0, 5.5, size=12, colour=SUBTLE_TEXT)

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for slide in prs.slides:  # personal data masked in every text, whichever builder put it there
        mask_xml_text(slide.element)
    freeze_core_properties(prs.core_properties)
    prs.save(str(path))
    return normalize_zip(path)
