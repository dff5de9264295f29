"""Weights widget for JupyterLab: one slider per factor, re-ranks live, saves the weights with the run."""

from __future__ import annotations

from toolkit.agenda.factors import FACTOR_NAMES, FACTORS
from toolkit.agenda.ranker import DEFAULT_WEIGHTS, CandidateRanker, write_json

SHOWN = ["rank", "topic_id", "heat", "label", "n_voices", "explanation"]


def weights_widget(messages, model, *, keywords=None, top: int = 10, save_to=None, weights=None):
    """Return an ipywidgets box: sliders (0–1) per factor, a keyword box, the live top-``top`` table and
    a 保存 button writing ``save_to`` (weights.json). ``box.ranker`` holds the latest fitted ranker.

    >>> box = weights_widget(msgs, model, keywords=["养老服务"], save_to="reports/rank/weights.json")  # doctest: +SKIP
    >>> box                                                                                            # doctest: +SKIP
    """
    import ipywidgets as w
    from IPython.display import display

    start = dict(DEFAULT_WEIGHTS) | dict(weights or {})
    sliders = {
        f: w.FloatSlider(
            value=start[f],
            min=0,
            max=1,
            step=0.05,
            description=FACTOR_NAMES[f],
            continuous_update=False,
            readout_format=".2f",
        )
        for f in FACTORS
    }
    words = w.Text(
        value="，".join(keywords or []), description="中心工作", placeholder="用逗号分隔，如：老旧小区改造，养老服务"
    )
    table = w.Output()
    status = w.HTML()
    save = w.Button(description="保存权重", icon="save", disabled=save_to is None)
    box = w.VBox(
        [
            w.HTML("<b>选题打分权重</b>（0 = 不计入；自动按总和归一）"),
            *sliders.values(),
            words,
            w.HBox([save, status]),
            table,
        ]
    )

    def current_keywords():
        return [k.strip() for k in words.value.replace(",", "，").split("，") if k.strip()]

    def rerank(_change=None):
        ranker = CandidateRanker(weights={f: s.value for f, s in sliders.items()}, keywords=current_keywords())
        try:
            ranker.fit(messages, model.topics_, model.assignments_)
        except Exception as err:  # show the message in the widget instead of a traceback in a callback
            status.value = f"<span style='color:#D55E00'>{err}</span>"
            return
        box.ranker = ranker
        status.value = "权重：" + "、".join(f"{FACTOR_NAMES[f]} {v:.0%}" for f, v in ranker.weights_.items())
        table.clear_output()
        with table:
            display(ranker.candidates_[[c for c in SHOWN if c in ranker.candidates_]].head(top))

    def on_save(_button):
        status.value = f"已保存到 {write_json(box.ranker.settings_(), save_to)}"

    for slider in sliders.values():
        slider.observe(rerank, names="value")
    words.observe(rerank, names="value")
    save.on_click(on_save)
    rerank()
    return box
