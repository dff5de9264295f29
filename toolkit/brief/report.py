"""The DOCX 调研报告: 基本情况, 主要问题, 选题建议, 附录 (method and data quality)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from toolkit.brief.candidate_list import WIDTHS_CM
from toolkit.brief.docx_tools import add_picture, add_table, new_document, save_document


def _charts(doc, charts, start: int) -> int:
    """Each chart without its drawn title: the caption says it (once), the note under it the chart's
    subtitle (N, the question, a filter, time and source)."""
    for i, chart in enumerate(charts, start=start):
        add_picture(
            doc,
            chart.headless_png(),
            width_cm=16,
            caption=f"图{i}　{chart.title}",
            note=chart.subtitle,
            alt=f"charts/{chart.stem}.png",
        )
    return start + len(charts)


def _proposals(doc, candidate_table: pd.DataFrame, explanations: list[str], charts: list, n: int) -> int:
    doc.add_heading("三、选题建议", level=1)
    doc.add_paragraph(
        "按规模、具体程度、紧迫程度、广度、与党政中心工作契合度和时效综合打分，建议从下列候选中确定年度一线协商选题："
    )
    add_table(doc, candidate_table, widths_cm=WIDTHS_CM)
    doc.add_paragraph()
    for line in explanations:
        doc.add_paragraph(line, style="List Bullet")
    return _charts(doc, charts, n)


def write_report(
    path,
    *,
    title: str,
    subtitle: str,
    overview: list[str],
    overview_charts: list,
    issues: list[str],
    issue_charts: list,
    candidate_table: pd.DataFrame | None,
    explanations: list[str],
    proposal_charts: list,
    appendix: list[str],
    quality: pd.DataFrame,
    note: str = "",
    technical: list[str] | None = None,
    filter_note: str = "",
) -> Path:
    """Write the report; the sections' sentences are prepared by ``toolkit.brief.build``.

    ``note``: why there are no issues (a survey without concerns); it stands in 二、主要问题 and 三、选题建议
    is left out when ``candidate_table`` is None. ``appendix``: the method in plain Chinese; ``technical``: the
    technical note after it (技术说明). ``filter_note``: which responses the report covers (a filter), said
    first in 一、基本情况.
    """
    doc = new_document(title, subtitle)
    n = 1
    doc.add_heading("一、基本情况", level=1)
    if filter_note:
        doc.add_paragraph(filter_note)
    for line in overview:
        doc.add_paragraph(line)
    n = _charts(doc, overview_charts, n)

    doc.add_heading("二、主要问题", level=1)
    if note:
        doc.add_paragraph(note)
    for line in issues:
        doc.add_paragraph(line, style="List Number")
    n = _charts(doc, issue_charts, n)

    if candidate_table is not None:
        n = _proposals(doc, candidate_table, explanations, proposal_charts, n)

    doc.add_heading("附录：方法与数据质量", level=1)
    add_table(doc, quality, widths_cm=[6.0, 3.0, 7.0])
    doc.add_paragraph()
    for line in appendix:
        doc.add_paragraph(line, style="List Bullet")
    if technical:
        doc.add_paragraph("技术说明（供核对方法参阅）：")
        for line in technical:
            doc.add_paragraph(line, style="List Bullet")
    return save_document(doc, Path(path))
