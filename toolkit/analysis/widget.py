"""交叉分析 in a notebook: pick two questions, type a filter, read the table, the test and the chart.

>>> from toolkit.analysis import CrosstabPanel
>>> CrosstabPanel(store, form)                                  # doctest: +SKIP

Questions are listed by their number and text, choices shown by their labels; a refused filter or
question is said in Chinese under the boxes, never as a traceback.
"""

from __future__ import annotations

import html

import pandas as pd

from toolkit.analysis.chart import crosstab_figure, png_bytes
from toolkit.analysis.crosstabs import CrossTab, crosstab, number_text, percent_text
from toolkit.analysis.variables import tabulable_columns
from toolkit.errors import ToolkitError


class CrosstabPanel:
    """Two dropdowns (rows, columns), a filter box and a button; the table, reading and chart below.

    ``source``: a store (its responses of ``form`` are read once) or a response frame. ``weights``: from
    :func:`toolkit.analysis.rake`, shown beside the unweighted percentages.
    """

    def __init__(
        self, source, form, *, rows: str | None = None, cols: str | None = None, filter: str = "", weights=None
    ):
        import ipywidgets as w

        self.form, self.weights = form, weights
        self.frame = source if isinstance(source, pd.DataFrame) else source.responses(form.id)
        options = [(_clip(label), column) for label, column in tabulable_columns(form)]
        columns = [c for _, c in options]
        default_cols = next((q.id for q in form.questions if q.role == "district" and q.id in columns), columns[-1])
        default_rows = next((c for c in columns if c != default_cols), columns[0])
        layout = w.Layout(width="48%")
        self.rows = w.Dropdown(options=options, value=rows or default_rows, description="行", layout=layout)
        self.cols = w.Dropdown(options=options, value=cols or default_cols, description="列", layout=layout)
        self.filter = w.Text(
            value=filter,
            description="筛选",
            placeholder="例如：${district} == 'donghu' and ${age_band} != 'under18'（留空为全部答卷）",
            layout=w.Layout(width="97%"),
        )
        self.button = w.Button(description="计算", icon="table", button_style="primary")
        self.status = w.HTML()
        self.table = w.HTML()
        self.chart = w.Image(format="png")
        self.result: CrossTab | None = None
        self.button.on_click(lambda _: self.run())
        self.widget = w.VBox(
            [w.HBox([self.rows, self.cols]), self.filter, self.button, self.status, self.table, self.chart]
        )
        self.run()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def run(self) -> CrossTab | None:
        """Compute the cross-tab of the chosen questions and filter and show it (an error is shown instead)."""
        try:
            self.result = crosstab(
                self.frame, self.form, self.rows.value, self.cols.value, filter=self.filter.value, weights=self.weights
            )
        except ToolkitError as err:
            self.result = None
            self.status.value = f"<p style='color:#b00'>{html.escape(str(err))}</p>"
            self.table.value, self.chart.value = "", b""
            return None
        t = self.result
        lines = [f"<b>{html.escape(t.reading)}</b>", *map(html.escape, t.notes)]
        lines += [f"<span style='color:#b35806'>⚠ {html.escape(x)}</span>" for x in t.warnings]
        self.status.value = "<br>".join(lines)
        self.table.value = table_html(t)
        fig, _, _ = crosstab_figure(t, weighted=t.weighted is not None)
        self.chart.value = png_bytes(fig)
        return t


def table_html(t: CrossTab) -> str:
    """Counts with column percentages, ``n（x.x%）``, totals and bases; weighted % and ± beside when weighted."""
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in t.counts.columns)
    body = []
    for row in t.counts.index:
        cells = []
        for col in t.counts.columns:
            text = f"{t.counts.loc[row, col]:,}（{percent_text(t.col_percent.loc[row, col])}）"
            if t.weighted is not None:
                w = t.weighted
                text += f"<br><small>加权 {percent_text(w.col_percent.loc[row, col])} ±{number_text(w.col_moe.loc[row, col])}</small>"
            cells.append(f"<td>{text}</td>")
        total = f"{t.row_base[row]:,}（{percent_text(100 * t.row_base[row] / t.n)}）"
        body.append(f"<tr><th>{html.escape(str(row))}</th>{''.join(cells)}<td>{total}</td></tr>")
    bases = "".join(f"<td>{n:,}</td>" for n in t.col_base)
    body.append(f"<tr><th>基数（人）</th>{bases}<td>{t.n:,}</td></tr>")
    caption = html.escape(f"{t.rows.label} ＼ {t.cols.label}（人数及列百分比）")
    return f"<table><caption>{caption}</caption><tr><th></th>{head}<th>合计</th></tr>{''.join(body)}</table>"


def _clip(label: str, width: int = 40) -> str:
    return label if len(label) <= width else label[: width - 1] + "…"
