"""Browse issues with their quotes and curate them with buttons (JupyterLab, ipywidgets).

>>> panel = CurationPanel(model, CurationLog(store, "annual_topics/concern"), operator="王敏")  # doctest: +SKIP
>>> panel                                                                                      # doctest: +SKIP

Every button press is a curation step: applied to the model and appended to the store's log,
so it is replayed on the next run.
"""

from __future__ import annotations

import html


class CurationPanel:
    """Pick issues, read their quotes, then merge them or rename one."""

    def __init__(self, model, log, operator: str | None = None, top: int = 40):
        import ipywidgets as w

        self.model, self.log, self.operator, self.top = model, log, operator, top
        self.picker = w.SelectMultiple(description="议题", rows=12, layout=w.Layout(width="60%"))
        self.label = w.Text(description="新名称", placeholder="例如：丽发新城搅拌站噪音")
        self.merge_button = w.Button(description="合并所选", icon="compress", button_style="warning")
        self.rename_button = w.Button(description="改名", icon="pencil", button_style="info")
        self.details = w.HTML()
        self.status = w.HTML()
        self.picker.observe(lambda _: self._show(), names="value")
        self.merge_button.on_click(lambda _: self.merge())
        self.rename_button.on_click(lambda _: self.rename())
        self.widget = w.VBox(
            [self.picker, w.HBox([self.label, self.rename_button, self.merge_button]), self.status, self.details]
        )
        self._refresh()

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)

    def _refresh(self):
        topics = self.model.topics_
        topics = topics[topics["topic_id"] >= 0].sort_values(["size", "topic_id"], ascending=[False, True])
        self.picker.options = [
            (f"{r.topic_id}｜{r.label}（{r.size}）", int(r.topic_id)) for r in topics.head(self.top).itertuples()
        ]
        self._show()

    def _show(self):
        topics = self.model.topics_.set_index("topic_id")
        parts = []
        for t in self.picker.value:
            row = topics.loc[t]
            quotes = "".join(f"<li>{html.escape(q)}</li>" for q in str(row["representative"]).split(" | ") if q)
            parts.append(
                f"<h4>{t}｜{html.escape(str(row['label']))}</h4><p>关键词：{html.escape(row['keywords'])}"
                f"；地点：{html.escape(str(row['places']) or '—')}；人数：{row['size']}</p><ul>{quotes}</ul>"
            )
        self.details.value = "".join(parts)

    def _step(self, action, **params):
        from toolkit.errors import ToolkitError

        try:
            seq = self.log.record(self.model, action, operator=self.operator, **params)
        except ToolkitError as err:
            self.status.value = f"<span style='color:#b00'>{html.escape(str(err))}</span>"
            return None
        self.status.value = f"已保存第 {seq} 步：{action} {html.escape(str(params))}"
        self._refresh()
        return seq

    def merge(self):
        """Merge the selected issues into the first selected (the label box, if filled, names it)."""
        chosen = list(self.picker.value)
        if len(chosen) < 2:
            self.status.value = "请至少选择两个议题再合并。"
            return None
        params = {"topic_ids": chosen}
        if self.label.value.strip():
            params["label"] = self.label.value.strip()
        return self._step("merge", **params)

    def rename(self):
        """Give the (single) selected issue the label typed in the box."""
        if len(self.picker.value) != 1 or not self.label.value.strip():
            self.status.value = "请选择一个议题并填写新名称。"
            return None
        return self._step("rename", topic_id=self.picker.value[0], label=self.label.value.strip())
