"""Briefing: house style (palette, Chinese fonts), charts, the PPTX deck and the DOCX 调研报告.

Public names
------------
use_house_style()  apply the house style to matplotlib (idempotent); returns the Chinese font family used.
                   Fonts: system CJK fonts first, else Noto Sans CJK SC shipped in the ``mplfonts`` wheel,
                   registered in memory — charts never show tofu, even on a machine without Chinese fonts.
PALETTE            the one colour-blind-safe palette (Okabe–Ito).
write_brief(survey, out_dir, *, msgs=None, model=None, ranker=None, keywords=None, top=10) -> {name: Path}
                   everything, from a ``Survey.load(store, form)`` and the topic model and ranker fitted on
                   its concerns (``toolkit.workflows.build_brief`` fits them and calls this): charts/ (PNG 300 dpi,
                   SVG, PDF + CSV each), 简报.pptx (16:9, native editable charts, numbers in the notes),
                   调研报告.docx, 分类统计.xlsx (one sheet per question, ``toolkit.brief.workbook``),
                   candidates.csv and 选题候选清单.docx. A filter is applied by the caller
                   (``Survey.load(store, form, where=…, filter_words=…)``) and said on every subtitle.
                   A survey without answered concern questions gets the survey charts, deck and report only,
                   with a note why issues and candidates are left out.
                   One measure throughout: 热度 (0–100) = score × 100. Ordered scales (年龄段, 收入 …) keep
                   their order in the bars (toolkit.brief.ordinal).
bar_chart(data, title=, subtitle=, path_stem=)
                   horizontal "n (x%)" bars; writes <path_stem>.png (300 dpi), .svg, .pdf and .csv.
ranking_chart, heatmap_chart, likert_chart, timeline_chart, quotes_chart
                   the other charts (candidate factor breakdown, issue × 界别, Likert diverging bars,
                   responses over time, top issues with quotes); same title/subtitle/path_stem contract.
Chart              what chart functions return: .title, .subtitle, .data, .paths (format -> file).
glyph_problems(fig)  CJK characters in a figure no resolved font can draw (empty = no tofu).
write_candidate_list(candidates, path)   the 选题候选清单 .docx for the meeting.
write_xlsx({sheet: frame}, path)         reproducible .xlsx with a frozen bold header (``toolkit.office``).
BriefPanel(build, databases, folder=, reports=)   the notebook panel (06): database, survey, a filter chosen
                   by option text, output folder, a 生成简报 button (``build`` = ``toolkit.workflows.build_brief``).
BriefError         the stage's error.

>>> import pandas as pd
>>> from toolkit.brief import use_house_style, bar_chart
>>> use_house_style()                                                    # doctest: +SKIP
'Noto Sans CJK SC'
>>> chart = bar_chart(pd.Series({"停车难": 120, "加装电梯": 85}), title="停车难排第一",
...                   subtitle="N=205｜2024年｜示例", path_stem="reports/x/concerns")  # doctest: +SKIP
>>> sorted(chart.paths)                                                  # doctest: +SKIP
['csv', 'pdf', 'png', 'svg']
"""

from toolkit.brief.build import BRIEF_FILES, Sampled, write_brief
from toolkit.brief.candidate_list import write_candidate_list
from toolkit.brief.charts import bar_chart, heatmap_chart, likert_chart, quotes_chart, ranking_chart, timeline_chart
from toolkit.brief.docx_tools import new_document, save_document
from toolkit.brief.errors import BriefError
from toolkit.brief.figure import Chart, new_figure, save_chart
from toolkit.brief.style import PALETTE, font_report, glyph_problems, ink_on, use_house_style
from toolkit.brief.survey import Survey
from toolkit.lazy import lazy_exports
from toolkit.office import write_xlsx  # re-exported from its old home: the helper is shared now

__all__ = [
    "BRIEF_FILES",
    "BriefPanel",
    "BriefError",
    "Chart",
    "PALETTE",
    "Sampled",
    "Survey",
    "bar_chart",
    "font_report",
    "glyph_problems",
    "heatmap_chart",
    "ink_on",
    "likert_chart",
    "new_document",
    "new_figure",
    "quotes_chart",
    "ranking_chart",
    "save_chart",
    "save_document",
    "timeline_chart",
    "use_house_style",
    "write_brief",
    "write_candidate_list",
    "write_xlsx",
]

# the run that fits and then calls write_brief moved above the stages (FutureWarning on use)
_MOVED = {"build_brief": "toolkit.workflows"}
# the notebook panel loads on first use (ipywidgets)
__getattr__, __dir__ = lazy_exports(__name__, {"BriefPanel": "toolkit.brief.widget"}, moved=_MOVED)
