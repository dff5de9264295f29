"""Analysis: survey statistics — 交叉分析 (cross-tabs with tests), filters, weights, data-quality flags.

Public names
------------
filter_responses(frame, form, expression)   the responses for which a filter in the form's own expression
                     language holds (``${district} == 'donghu' and ${age_band} != 'under18'``); the one filter
                     of the toolkit's analyses. ``filter_in_words(form, expression)`` says it for a subtitle.
crosstab(frame, form, rows, cols, filter=, weights=) -> CrossTab
                     counts, row/column %, bases (respondents), a chi-square or exact test with its p-value and
                     a plain reading, small-base warnings; ``CrossTab.to_dict()`` for JSON.
load_targets(path, form), rake(frame, form, targets) -> Weights
                     population shares from YAML and raking weights (Kish effective n in ``Weights``);
                     ``example_targets_path()`` is a bundled example.
crosstab_chart(table, path_stem=), crosstab_figure(table)   the chart (house style of the brief).
compare_waves(frame, form, question, baseline=, followup=, by=None, option=None) -> WaveComparison
                     问效 by re-survey: one question in a baseline wave against a follow-up wave (each picked
                     by a filter), per group and overall: N each side, share or mean, change, test (chi-square,
                     two-proportion z or Mann-Whitney), plain reading, small bases; ``waves_sheets`` for xlsx.
CrosstabPanel(store_or_frame, form)   the notebook widget: two questions, a filter, table and chart.
quality_flags(store, form_id) -> DataFrame   speeders, 1-second submissions, straight-lining, identical
                     answers from one IP/device, duplicate respondents, open double-entry discrepancies;
                     ``quality_summary(flags, responses)`` counts them. Flags never delete anything.
crosstab_sheets(table), quality_sheets(flags, responses), write_workbook(sheets, path)   the xlsx exports.
AnalysisError        the stage's error.

>>> from toolkit.analysis import crosstab, filter_responses
>>> frame = store.responses("annual_topics")                                      # doctest: +SKIP
>>> crosstab(frame, form, "services/medical", "district").reading                  # doctest: +SKIP
'差异显著（p=0.003）'
"""

from toolkit.lazy import lazy_exports

_EXPORTS = {
    "AnalysisError": "toolkit.analysis.errors",
    "filter_in_words": "toolkit.analysis.filters",
    "filter_responses": "toolkit.analysis.filters",
    "parse_filter": "toolkit.analysis.filters",
    "CrossTab": "toolkit.analysis.crosstabs",
    "crosstab": "toolkit.analysis.crosstabs",
    "Significance": "toolkit.analysis.significance",
    "independence_test": "toolkit.analysis.significance",
    "Variable": "toolkit.analysis.variables",
    "tabulable_columns": "toolkit.analysis.variables",
    "variable": "toolkit.analysis.variables",
    "Targets": "toolkit.analysis.weighting",
    "Weights": "toolkit.analysis.weighting",
    "check_targets": "toolkit.analysis.weighting",
    "effective_n": "toolkit.analysis.weighting",
    "example_targets_path": "toolkit.analysis.weighting",
    "load_targets": "toolkit.analysis.weighting",
    "rake": "toolkit.analysis.weighting",
    "FLAGS": "toolkit.analysis.quality",
    "quality_flags": "toolkit.analysis.quality",
    "quality_summary": "toolkit.analysis.quality",
    "crosstab_sheets": "toolkit.analysis.export",
    "quality_sheets": "toolkit.analysis.export",
    "write_workbook": "toolkit.analysis.export",
    "crosstab_chart": "toolkit.analysis.chart",
    "crosstab_figure": "toolkit.analysis.chart",
    "CrosstabPanel": "toolkit.analysis.widget",
    "WaveComparison": "toolkit.analysis.waves",
    "compare_waves": "toolkit.analysis.waves",
    "waves_sheets": "toolkit.analysis.waves",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS)
