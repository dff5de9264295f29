"""``write_brief(survey, out_dir, …)``: all charts, the deck, the report and the candidate list of a survey.

Rendering only: the topic model and the ranker are fitted by the caller (``toolkit.workflows.build_brief``)
and handed in; this module draws and writes what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from toolkit.brief import findings
from toolkit.brief.candidate_list import candidate_rows, weights_sentence, write_candidate_list
from toolkit.brief.deck import write_deck
from toolkit.brief.errors import BriefError
from toolkit.brief.figure import chinese_punctuation
from toolkit.brief.report import write_report
from toolkit.brief.style import font_report
from toolkit.brief.survey import Survey
from toolkit.brief.workbook import WORKBOOK, write_workbook
from toolkit.outfolder import output_folder, relocate

# what a brief writes; other files staff put in the folder (or in charts/) are kept across runs
BRIEF_FILES = (
    "candidates.csv",
    "weights.json",
    "选题候选清单.docx",
    "简报.pptx",
    "调研报告.docx",
    WORKBOOK,
    *(f"charts/[0-9][0-9]_*.{ext}" for ext in ("png", "svg", "pdf", "csv")),
)


@dataclass
class Sampled:
    """Issues and candidates made from a sample of the concern texts (a large store): how many texts there
    are, how many the topic model and the ranker were fitted on, and, over all texts (the rest assigned by
    the fitted model), how many went to no issue and how many to each (``topic_id`` -> count)."""

    n_messages: int
    n_sample: int
    n_unassigned: int
    sizes: pd.Series

    def note(self) -> str:
        """The method note of the brief (plain Chinese)."""
        return (
            f"抽样归纳：本次共 {self.n_messages:,} 条意见，议题归并与选题打分只用了其中 {self.n_sample:,} 条"
            f"（{self.n_sample / self.n_messages:.1%}，按答卷编号的散列值抽取，同一数据库、同一随机种子每次抽到同一批）；"
            "其余意见按归纳出的议题逐批归类，只计入各议题的意见条数（candidates.csv 的 n_messages_all 列）和未归类数。"
            "各议题的反映人数、条数、热度和排序理由均按样本计算。"
        )


def write_brief(
    survey: Survey,
    out_dir,
    *,
    msgs: pd.DataFrame | None = None,
    model=None,
    ranker=None,
    keywords=None,
    top: int = 10,
    sampled: Sampled | None = None,
) -> dict[str, Path]:
    """Write the brief of ``survey`` into ``out_dir``; return outputs by name.

    ``msgs``, ``model``, ``ranker``: the concern messages (``survey.messages()``), a ``TopicModel`` and a
    ``CandidateRanker`` fitted on them, ``keywords`` the 党政中心工作 keywords the ranker used. Without them
    (a survey without answered concern questions, ``survey.no_issues_reason()``) only ``charts``, ``deck``
    and ``report`` are made, and they say why the issue and candidate parts are missing. ``sampled``: the
    model and the ranker were fitted on a sample of the concern texts (``msgs`` is that sample); the
    subtitle, data-quality table, method notes and candidates.csv say so and count all texts where they can.

    All outputs appear at once when complete: a run killed midway leaves the previous brief, or none; an
    earlier run's outputs this run does not make (charts of a dropped question) do not linger.
    """
    with output_folder(out_dir, error=BriefError, names=BRIEF_FILES) as stage:
        paths = _write(
            survey, stage, msgs=msgs, model=model, ranker=ranker, keywords=keywords, top=top, sampled=sampled
        )
    return relocate(paths, stage, out_dir)


def _write(survey: Survey, out: Path, *, msgs, model, ranker, keywords, top, sampled) -> dict[str, Path]:
    folder = out / "charts"
    form = survey.form
    districts = findings.district_bars(survey, folder)
    likerts = findings.likert_bars(survey, folder)
    when = findings.timeline(survey, folder)
    choices = findings.choice_bars(survey, folder)
    spreads = [*findings.number_histograms(survey, folder), *findings.date_timelines(survey, folder)]
    overview_charts = [c for c in (districts, when, *(c for _, c in choices), *likerts, *spreads) if c is not None]
    # the deck argues for the candidates; yes/no questions and the like stay in the report
    survey_slides = [
        *[c for c in (districts, when, *likerts) if c is not None],
        *[c for q, c in choices if q.kind != "single" or q.role],
    ]
    title, report_title = f"{form.title}调研简报", f"{form.title}调研报告"
    workbook = write_workbook(survey, out / WORKBOOK, charts=overview_charts, filter_note=survey.filter_note())

    skipped = survey.no_issues_reason()
    if skipped:  # a survey without free-text concerns still gets its charts, deck and report
        subtitle = f"{survey.n:,} 份有效答卷{survey.filter_suffix()}｜{survey.span()}"
        appendix = method_notes(survey)
        return {
            "charts": folder,
            "workbook": workbook,
            # no candidates to argue for: every survey chart goes on the slides
            "deck": write_deck(
                out / "简报.pptx",
                title=title,
                subtitle=f"{subtitle}\n{skipped}",
                charts=overview_charts,
                closing=[skipped, *appendix],
                technical=technical_notes(),
            ),
            "report": write_report(
                out / "调研报告.docx",
                title=report_title,
                subtitle=subtitle,
                overview=overview_lines(survey),
                overview_charts=overview_charts,
                issues=[],
                issue_charts=[],
                candidate_table=None,
                explanations=[],
                proposal_charts=[],
                appendix=appendix,
                technical=technical_notes(),
                filter_note=survey.filter_note(),
                quality=quality_table(survey),
                note=skipped,
            ),
        }

    from toolkit.agenda import candidates_csv, write_json

    candidates = ranker.candidates_
    table = candidate_rows(candidates, top)

    ranking = findings.candidate_ranking(survey, candidates, folder, top)
    heatmap = findings.issue_sector_heatmap(survey, candidates, ranker.members_, msgs, folder)
    quotes = findings.quotes(survey, candidates, folder)
    issue_charts = [c for c in (quotes, heatmap) if c is not None]
    slides = [ranking, *issue_charts, *survey_slides]

    counted = issue_count_sentence(len(ranker.members_), candidates)
    if sampled is not None:  # the issues of a sample; all texts counted
        counted = issue_count_sentence(sampled.n_messages - sampled.n_unassigned, candidates)
        counted += f"（据抽样的 {sampled.n_sample:,} 条归纳）"
    subtitle = f"{survey.n:,} 份有效答卷{survey.filter_suffix()}｜{survey.span()}｜{counted}"
    quality = quality_table(survey, msgs, model, sampled)
    appendix = method_notes(survey, ranker, keywords, sampled)
    exported = candidates
    if sampled is not None:
        exported = candidates.assign(n_messages_all=candidates["topic_id"].map(sampled.sizes).fillna(0).astype(int))
    paths = {
        "charts": folder,
        "workbook": workbook,
        "candidates": candidates_csv(exported, out / "candidates.csv"),
        "weights": write_json(ranker.settings_(), out / "weights.json"),  # saved with the run, as in `rank`
        "candidate_list": write_candidate_list(
            candidates, out / "选题候选清单.docx", context=subtitle, weights=ranker.weights_, top=top
        ),
        "deck": write_deck(
            out / "简报.pptx",
            title=title,
            subtitle=subtitle,
            charts=slides,
            candidate_table=table,
            closing=appendix,
            technical=technical_notes(ranker, sampled),
        ),
        "report": write_report(
            out / "调研报告.docx",
            title=report_title,
            subtitle=subtitle,
            overview=overview_lines(survey),
            overview_charts=overview_charts,
            issues=[issue_line(r) for r in candidates.head(5).to_dict("records")],
            issue_charts=issue_charts,
            candidate_table=table,
            explanations=[str(e) for e in candidates["explanation"].head(top)],
            proposal_charts=[ranking],
            appendix=appendix,
            technical=technical_notes(ranker, sampled),
            filter_note=survey.filter_note(),
            quality=quality,
        ),
    }
    return paths


ORDINAL_NOTE = (
    "选择题的条形按人数从多到少排列；年龄段、收入等有先后顺序的选项（选项带数字区间，或题目问年龄、收入、"
    "学历、年级等）按选项本身的顺序排列，没人选的档次也列出（0）。"
)


def issue_count_sentence(n_messages: int, candidates: pd.DataFrame) -> str:
    """ "1,987 条意见归并为 114 个议题": the one count of issues (the ranked candidates; 未归类 is not an issue)."""
    return f"{n_messages:,} 条意见归并为 {len(candidates)} 个议题"


def overview_lines(survey: Survey) -> list[str]:
    when = survey.span()
    lines = [f"本次调研共收回有效答卷 {survey.n:,} 份" + ("。" if when == "时间不详" else f"，时间为 {when}。")]
    for role, name in (("district", "镇街"), ("sector", "界别")):
        q = survey.by_role(role)
        if q is None:
            continue
        counts = survey.labels(q).value_counts()
        if len(counts):
            top = "、".join(f"{k}（{v}份）" for k, v in counts.head(3).items())
            lines.append(f"答卷覆盖 {len(counts)} 个{name}，较多的是{top}。")
    sources = survey.sources()
    if sources:
        lines.append("来源：" + "；".join(sources) + "。")
    return lines


def issue_line(r: dict) -> str:
    quote = chinese_punctuation(str(r.get("representative") or "").split(" | ")[0].strip().rstrip("…")[:60])
    return f"{r['label']}：{int(r['n_voices'])}人反映" + (f"，如“{quote}”" if quote else "") + "。"


def quality_table(
    survey: Survey, msgs: pd.DataFrame | None = None, model=None, sampled: Sampled | None = None
) -> pd.DataFrame:
    """Data-quality counts of the appendix; the concern rows only when issues were made (``msgs``, ``model``),
    counting all concern texts when the issues were made from a sample (``sampled``)."""
    c = survey.counts
    b = survey.batches
    total = lambda col: int(b[col].sum()) if len(b) and col in b else 0  # noqa: E731
    pii = sum(survey.pii_counts.values())
    rows = [
        ("导入批次", c.get("batches", len(b)), "每次导入或录入为一个批次，原始行随批次保存"),
        ("导入行数", total("n_rows"), "各批次读入的原始行数合计"),
        ("接受的答卷", total("n_accepted"), "通过校验、写入数据库"),
        ("隔离（拒收）行", total("n_rejected"), f"未通过校验，附原因待人工处理；仍未处理 {c.get('rejected', 0)} 行"),
        ("重复（跳过）行", c.get("duplicates", total("n_duplicates")), "与已入库答卷指纹相同，只计一次"),
        ("作废答卷", c.get("void", 0), "经审核作废，不计入分析"),
        ("有效答卷", survey.n_total, "通过校验、未作废的答卷"),
    ]
    if survey.filter_words:
        rows.append(("符合筛选条件的答卷", survey.n, f"本报告分析的答卷：{survey.filter_words}"))
    if msgs is not None and model is not None and sampled is not None:
        rows += [
            ("填写了意见建议", sampled.n_messages, "全部归入议题或未归类"),
            ("议题归纳所用样本", sampled.n_sample, "按答卷编号抽取，参与议题归并与选题排序"),
            ("未归类的意见", sampled.n_unassigned, "过短或与各议题都不相似，未进入排序"),
        ]
    elif msgs is not None and model is not None:
        rows += [
            ("填写了意见建议", len(msgs), "参与议题归并与选题排序"),
            ("未归类的意见", int((model.assignments_["topic_id"] < 0).sum()), "过短或与其他意见都不相似，未进入排序"),
        ]
    if msgs is not None and model is not None:
        rows.append(("遮蔽的个人信息", pii, "手机号、身份证号、车牌等，导出前已替换为[手机号]等"))
    return pd.DataFrame(rows, columns=["项目", "数量", "说明"])


PLAIN_CHART_NOTE = "图表配色照顾色弱的读者，黑白打印也能分清；百分比保留一位小数，标题、图和表中的同一个数完全一致。"


def method_notes(survey: Survey, ranker=None, keywords=None, sampled: Sampled | None = None) -> list[str]:
    """The method page in plain Chinese for leaders (the technical terms are in :func:`technical_notes`);
    without a ``ranker`` (no issues made) only the survey-wide notes."""
    if ranker is None:
        return [ORDINAL_NOTE, PLAIN_CHART_NOTE]
    notes = [
        "议题归纳：把说的是同一件事的意见归为一个议题（通常在同一个地点），再把议题归入领域；"
        "同一个人重复提交只算一次；多人联名或发同一封信的，是几个人就算几人，并注明其中几人文字相同。",
        "选题排序：综合反映人数、事情是否具体、是否紧急、涉及面、与党委政府中心工作是否契合、是否是近期的事，"
        f"按满分 100 分打分，即“热度”；本次各方面所占的比重为 {weights_sentence(ranker.weights_)}。",
        "党政中心工作关键词："
        + ("、".join(keywords[:12]) + ("等" if len(keywords) > 12 else "") if keywords else "未提供")
        + "（请按本年度党委、政府重点工作替换）。",
        "热度相同时，反映人数多的排在前面，再相同时最近一条意见晚的在前；同样的数据每次得到同样的结果。",
        ORDINAL_NOTE,
        PLAIN_CHART_NOTE,
    ]
    if sampled is not None:
        notes.insert(
            1,
            f"意见较多（{sampled.n_messages:,} 条），议题从其中抽取的 {sampled.n_sample:,} 条归纳，"
            "其余意见逐条归入这些议题计数；各议题的反映人数、热度和排序按抽取的这部分计算。",
        )
    return notes


def technical_notes(ranker=None, sampled: Sampled | None = None) -> list[str]:
    """The technical note of the appendix: the methods by their names, for whoever checks them."""
    notes = []
    if ranker is not None:
        notes += [
            "议题归并：意见文本经规范化（NFKC、繁简转换）、个人信息遮蔽、jieba 分词后，用 TF-IDF + LSA + k-means "
            "归并为具体议题，再聚为领域主题；归纳时近似重复的文字只按一条计权重（免得一封信左右议题），反映人数仍按人计。",
            "选题打分：各因素归一到 0—1 后加权平均再 × 100，即热度指数（0—100），排序理由中各因素后的数字是其贡献的热度；"
            "热度相同时依次按反映人数、最近一条时间、议题编号排序；同一输入与随机种子（--seed）得到相同结果。",
        ]
    if sampled is not None:
        notes.append(sampled.note())
    notes += [
        "百分比由人数精确计算后四舍五入到一位小数（ROUND_HALF_UP），图、表、标题共用这一个数。",
        f"图表{font_report()}；配色为色盲友好的 Okabe–Ito 方案，热力图为 ColorBrewer Blues，满意度为 ColorBrewer PuOr。",
    ]
    return notes
