"""Draft a form from an export when staff have no form definition (``weidiaoyan form infer``).

Kinds come from the platform's type tags when present, else from the cells: ``┋`` → multiple,
``→`` → ranking, ``N分`` → likert, numbers → number, few distinct values → single, the rest text
(long answers → concern). Choice order is the platform's own order when a 按选项序号 export is
given too (codes pair with texts row by row), else order of first appearance. Choice ids are the
1-based option numbers, so 问卷星 codes equal ids. The draft is for a person to review:
``review_notes`` lists what it guessed (option order) and what it could not know (labels of options
nobody chose, left as placeholders that ``weidiaoyan form check`` warns about).
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd

from toolkit.forms import FILL_IN, OTHER, Choice, Form, Question
from toolkit.ingest.errors import IngestError
from toolkit.ingest.files import RawTable, read_table
from toolkit.ingest.normalize import key
from toolkit.ingest.readers import get_reader
from toolkit.ingest.readers.base import SourceQuestion, as_int
from toolkit.ingest.readers.decode import OTHER_TEXT, blank, split_items
from toolkit.ingest.readers.wjx import NOT_SHOWN_CODES, REGION_TAG

_TAG_KINDS = (
    ("矩阵", "likert"),
    ("多选", "multiple"),
    ("排序", "ranking"),
    ("量表", "likert"),
    ("单选", "single"),
    ("填空", "text"),
    ("简答", "concern"),
    ("下拉", "single"),
    ("评分", "likert"),
)
_SCORE = re.compile(r"^(\d+)分$")
_DATE = re.compile(r"^\d{4}[-/年]\d{1,2}[-/月]\d{1,2}日?$")


def _is_other(label: str) -> bool:
    k = key(label)
    return k.startswith("其他") or k.startswith("其它")


def _ordered(values) -> list[str]:
    return list(dict.fromkeys(values))


def _values(table: RawTable, index: int) -> list[str]:
    return [str(v).strip() for v in table.data[index] if not blank(v, codes=False)]


def _code_labels(text_table: RawTable, text_idx: int, code_table: RawTable, code_idx: int) -> dict[int, str]:
    """Option number -> option text, pairing the two exports row by row."""
    pairs: Counter = Counter()
    for t, c in zip(text_table.data[text_idx], code_table.data[code_idx]):
        n = as_int(c)
        if n is not None and n > 0 and not blank(t):
            label = str(t).strip()
            m = OTHER_TEXT.match(label)
            pairs[(n, m.group(1).strip() if m and "〖" in label else label)] += 1
    best: dict[int, tuple[int, str]] = {}
    for (n, label), count in pairs.items():
        if n not in best or count > best[n][0]:
            best[n] = (count, label)
    return {n: label for n, (_, label) in sorted(best.items())}


def _placeholder(n: int) -> str:
    return f"（第{n}个选项：导出中无人选择，{FILL_IN}）"


def _matrix_codes(table: RawTable, rows, code_sq: SourceQuestion | None, code_table: RawTable | None) -> dict[int, str]:
    """Scale position -> scale text of a matrix, pairing its row columns with the 按选项序号 twin's."""
    code_rows = code_sq.parts("row") if code_sq is not None and code_table is not None else []
    if len(code_rows) != len(rows):
        return {}
    codes: dict[int, str] = {}
    for c, cc in zip(rows, code_rows):
        for n, label in _code_labels(table, c.index, code_table, cc.index).items():
            codes.setdefault(n, label)
    return codes if codes and max(codes) <= 20 else {}


def _choices(labels: list[str], named: bool = False) -> tuple[list[Choice], bool]:
    """Choices numbered 1, 2 … like 问卷星's codes; XLSForm cells are already choice names, kept as ids."""
    other = any(_is_other(x) or (named and x == OTHER) for x in labels)
    plain = [x for x in labels if not _is_other(x) and not (named and x == OTHER)]
    if named and all(re.match(r"^[A-Za-z0-9_.-]+$", x) for x in plain):
        return [Choice(x, x) for x in plain], other
    return [Choice(str(i), x) for i, x in enumerate(plain, start=1)], other


def _guess(
    table: RawTable,
    sq: SourceQuestion,
    code_sq: SourceQuestion | None,
    code_table: RawTable | None,
    qid: str,
    xlsform: bool = False,
    guessed: set | None = None,
) -> Question:
    """The question drafted from one source question; adds ``qid`` to ``guessed`` when option order is a guess."""
    guessed = set() if guessed is None else guessed
    label = sq.label or f"第{sq.number}题"
    tag_kind = next((kind for word, kind in _TAG_KINDS if word in sq.tag), None)
    required = "必答" in sq.tag
    if sq.tag == REGION_TAG:  # 问卷星 省市区: "山西-晋城", the respondent's area, not options
        return Question(qid, "text", label, required=required, role="district")
    rows = sq.parts("row")
    if rows:
        cells = [v for c in rows for v in _values(table, c.index)]
        scale = sorted({v for v in cells}, key=lambda v: (as_int(_SCORE.sub(r"\1", v)) or 0, v))
        codes = _matrix_codes(table, rows, code_sq, code_table)
        if codes:
            scale = [codes.get(n, _placeholder(n)) for n in range(1, max(codes) + 1)]
        elif not all(_SCORE.match(v) for v in scale):
            guessed.add(qid)
        return Question(
            qid,
            "likert",
            label,
            required=required,
            rows=[Choice(str(i), c.sub or c.header) for i, c in enumerate(rows, start=1)],
            choices=[Choice(str(i), v) for i, v in enumerate(scale, start=1)],
        )
    own_options = sq.parts("option")
    options = own_options or (code_sq.parts("option") if code_sq else [])
    if own_options and tag_kind not in ("multiple", "ranking"):
        cells = _ordered(v for c in own_options for v in _values(table, c.index))
        subs = {key(c.sub) for c in own_options}
        if cells and all(as_int(v) is not None for v in cells) and max(as_int(v) for v in cells) > 1:
            tag_kind = "ranking"  # option columns holding ranks (腾讯问卷 排序题)
        elif cells and not all(as_int(v) is not None for v in cells) and not any(key(v) in subs for v in cells):
            # option columns holding a scale text per row: a matrix written one column per row
            guessed.add(qid)
            return Question(
                qid,
                "likert",
                label,
                required=required,
                rows=[Choice(str(i), c.sub) for i, c in enumerate(own_options, start=1)],
                choices=[Choice(str(i), v) for i, v in enumerate(cells, start=1)],
            )
    if options:
        kind = "ranking" if tag_kind == "ranking" else "multiple"
        choices, other = _choices([c.sub for c in options], named=xlsform)
        if not sq.parts("main") or kind == "ranking":
            return Question(qid, kind, label, required=required, choices=choices, other=other)
        main_vals = _values(table, sq.parts("main")[0].index)
        if any("→" in v for v in main_vals):
            kind = "ranking"
        return Question(qid, kind, label, required=required, choices=choices, other=other)
    values = _values(table, sq.columns[0].index)
    if not values:
        return Question(qid, tag_kind or "text", label, required=required)
    sep = _list_separator(values, space=xlsform)
    if tag_kind in ("multiple", "ranking") or sep:
        kind = tag_kind or ("ranking" if sep == "→" else "multiple")
        sep = sep or ("┋" if kind == "multiple" else "→")
        items = [i.strip() for v in values for i in split_items(v, sep)]
        labels = [(OTHER_TEXT.match(i).group(1).strip() if "〖" in i else i) for i in items]
        choices, other = _choices(_ordered(labels), named=xlsform)
        guessed.add(qid)
        return Question(qid, kind, label, required=required, choices=choices, other=other)
    distinct = _ordered(values)
    if all(_SCORE.match(v) for v in distinct):
        top = max(int(_SCORE.match(v).group(1)) for v in distinct)
        return Question(
            qid, "likert", label, required=required, choices=[Choice(str(i), f"{i}分") for i in range(1, top + 1)]
        )
    if (
        tag_kind in (None, "single", "likert")
        and code_sq is not None
        and code_table is not None
        and code_sq.parts("main")
    ):
        codes = _code_labels(table, sq.columns[0].index, code_table, code_sq.columns[0].index)
        # a column whose "codes" equal its texts (numbers, phone numbers) is not an option column
        if codes and max(codes) <= 200 and any(str(n) != label for n, label in codes.items()):
            # keep option numbers aligned with the platform's codes even if nobody chose some option
            labels = [codes.get(n, _placeholder(n)) for n in range(1, max(codes) + 1)]
            choices, other = _choices(labels, named=xlsform)
            return Question(qid, tag_kind or "single", label, required=required, choices=choices, other=other)
    if tag_kind is None and all((as_int(v) is not None or _is_float(v)) and not _is_code_number(v) for v in distinct):
        return Question(qid, "number", label, required=required, integer=all(as_int(v) is not None for v in distinct))
    if tag_kind is None and all(_DATE.match(v) for v in distinct):
        return Question(qid, "date", label, required=required)
    # phone / ID numbers repeat in a small sample but are never options
    few = (
        len(distinct) <= 30
        and len(distinct) <= max(2, len(values) // 3)
        and not all(_is_code_number(v) for v in distinct)
    )
    if tag_kind in ("single", "likert") or (tag_kind is None and few):
        labels = _ordered([(OTHER_TEXT.match(v).group(1).strip() if "〖" in v else v) for v in values])
        choices, other = _choices(labels, named=xlsform)
        guessed.add(qid)
        return Question(qid, tag_kind or "single", label, required=required, choices=choices, other=other)
    mean = sum(len(v) for v in values) / len(values)
    return Question(qid, "concern" if mean >= 15 or tag_kind == "concern" else "text", label, required=required)


def _is_code_number(text: str) -> bool:
    """Digits that are an identifier, not a quantity: phone numbers, ID numbers, leading zeros."""
    digits = text.strip().lstrip("+")
    return len(digits) >= 11 or (len(digits) > 1 and digits.startswith("0") and "." not in digits)


def _list_separator(values: list[str], space: bool = False) -> str | None:
    """The separator joining several options in one cell (┋ → ；; or XLSForm's space), if any."""
    for sep in ("┋", "→"):
        if any(sep in v for v in values):
            return sep
    candidates = ["；", ";"] + ([" "] if space else [])
    for sep in candidates:
        multi = [v for v in values if sep in v]
        if not multi:
            continue
        items = {i.strip() for v in values for i in v.split(sep) if i.strip()}
        # a short vocabulary reused across many cells is a list of options, not prose
        if len(items) <= 40 and len(items) < len(values) and all(len(i) <= 30 for i in items):
            return sep
    return None


def _is_float(text: str) -> bool:
    from toolkit.numbers import to_float

    return to_float(text) is not None  # strict: float("1_0") == 10


def infer_form(
    path, by_code=None, *, form_id: str | None = None, title: str | None = None, source: str = "auto"
) -> Form:
    """A draft ``Form`` from an export (optionally with its 按选项序号 twin for option order)."""
    return infer_draft(path, by_code, form_id=form_id, title=title, source=source)[0]


def infer_draft(
    path, by_code=None, *, form_id: str | None = None, title: str | None = None, source: str = "auto"
) -> tuple[Form, list[str]]:
    """``(form, notes)``: the draft and the Chinese review notes to show with it (see ``review_notes``)."""
    table = read_table(path)
    reader = get_reader(source, table)
    layout = reader.layout(table)
    code_table = read_table(by_code) if by_code else None
    code_by_number: dict[int, SourceQuestion] = {}
    if code_table is not None:
        code_layout = get_reader(source, code_table).layout(code_table)
        for sq in code_layout.questions:
            if sq.number is not None:
                code_by_number.setdefault(sq.number, sq)
    if reader.name == "wjx" and _by_code(table, layout):
        raise _by_code_error(path, by_code, code_table is not None and not _by_code(code_table, code_layout))
    if not layout.questions:
        raise IngestError("infer.no_questions", path=path, header="、".join(table.header[:5]))
    questions, used, guessed, skipped, factors = [], set(), set(), {}, {}
    for pos, sq in enumerate(layout.questions, start=1):
        base = f"q{sq.number}" if sq.number is not None else ("region" if sq.tag == REGION_TAG else f"q{pos}")
        if reader.name in ("kobo", "odk") and re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", sq.label):
            base = sq.label
        qid = base
        while qid in used:
            qid += "_b"
        used.add(qid)
        questions.append(
            _guess(
                table,
                sq,
                code_by_number.get(sq.number),
                code_table,
                qid,
                xlsform=reader.name in ("kobo", "odk"),
                guessed=guessed,
            )
        )
        flags = reader.not_shown(table, sq)
        if flags is not None and flags.any():
            earlier = list(zip(questions[:-1], layout.questions[: pos - 1]))
            skipped[qid] = (int(np.count_nonzero(flags)), _shown_when(table, flags, earlier, factors))
    stem = Path(path).stem
    fid = form_id or re.sub(r"[^A-Za-z0-9_]+", "_", stem).strip("_").lower() or "inferred"
    if not re.match(r"^[A-Za-z_]", fid):
        fid = "form_" + fid
    form = Form(
        id=fid,
        title=title or f"{stem}（由导出文件推断，请核对）",
        version="draft",
        description=f"由 weidiaoyan form infer 从 {Path(path).name} 推断的问卷草稿（来源：{reader.label}）。"
        "请核对题型、选项顺序、必答和跳题逻辑。",
        questions=questions,
    )
    skip_note = _skip_logic_note(form, skipped)
    if skip_note:
        form.description += skip_note
    notes = list(table.notes) + review_notes(form, guessed, path, by_code=by_code, wjx=reader.name == "wjx")
    if skip_note:
        notes.append(skip_note + "导入时“(跳过)”/-3/-2 按未显示处理：不算必答未答，按未作答保存。")
    return form, notes


def _skip_logic_note(form: Form, skipped: dict[str, tuple[int, str | None]]) -> str:
    """The draft's record of skip logic seen only as ``(跳过)`` cells: which questions, and what the answers hint."""
    if not skipped:
        return ""
    names = "；".join(
        f"第{form.number(qid)}题（{qid}，{n} 份答卷跳过" + (f"，从答案看可能是 relevant: {cond}" if cond else "") + "）"
        for qid, (n, cond) in skipped.items()
    )
    return (
        "有跳题逻辑（导出中标为“(跳过)”：问卷上设有跳题/关联逻辑，但导出看不到条件，草稿未写 relevant）："
        f"{names}。请对照原问卷为这些题补写 relevant（写法如 relevant: \"${{q2}} == '1'\"）。"
    )


def _shown_when(table: RawTable, hidden, earlier: list[tuple[Question, SourceQuestion]], factors: dict) -> str | None:
    """A condition on one earlier single-choice answer that separates the rows that skipped a question from the
    rows that saw it (a screening question), e.g. ``${q2} == '1'``; None if no single answer does.

    A hint for the reviewer only: a few rows can agree by chance, so the draft never applies it.
    """
    for q, sq in earlier:
        if q.kind != "single" or not q.choices or not sq.parts("main"):
            continue
        if q.id not in factors:  # each candidate column factorised once (large files, many skips)
            codes, labels = pd.factorize(table.data[sq.parts("main")[0].index])
            ids = {key(c.label): c.id for c in q.choices}
            # "" for a blank cell or marker ((空), (跳过)), None for a text no choice names
            factors[q.id] = (codes, ["" if blank(v) else ids.get(key(v)) for v in labels] + [""])
        codes, ids = factors[q.id]  # code -1 (empty cell) indexes the trailing ""
        hidden_ids = {ids[c] for c in np.unique(codes[hidden]).tolist()}
        shown_ids = {ids[c] for c in np.unique(codes[~hidden]).tolist()}
        if None in hidden_ids | shown_ids or (hidden_ids & shown_ids) - {""}:
            continue  # an answer the choices do not name, or one seen both ways
        # a blank answer equals nothing: it hides the question under "==", shows it under "!="
        equal = bool(shown_ids - {""}) and "" not in shown_ids
        unequal = bool(hidden_ids - {""}) and "" not in hidden_ids
        shown_ids, hidden_ids = shown_ids - {""}, hidden_ids - {""}
        if equal and (not unequal or len(shown_ids) <= len(hidden_ids)):
            return " or ".join(f"${{{q.id}}} == '{c}'" for c in sorted(shown_ids))
        if unequal:
            return " and ".join(f"${{{q.id}}} != '{c}'" for c in sorted(hidden_ids))
    return None


def _by_code(table: RawTable, layout) -> bool:
    """True for a 问卷星 按选项序号 export: option columns (``第6题(运动)``) or ``-3``/``-2`` skip codes."""
    if layout.mode == "按选项序号":
        return True
    for sq in layout.questions:
        for c in sq.parts("main"):
            cells = {str(v).strip() for v in table.data[c.index].dropna().unique()}
            answered = [v for v in cells if not blank(v, codes=False)]
            if cells & NOT_SHOWN_CODES and all(as_int(v.lstrip("-")) is not None for v in answered):
                return True
    return False


def _by_code_error(path, by_code, swapped: bool) -> IngestError:
    name = Path(str(path)).name
    if swapped:
        return IngestError("infer.by_code_swapped", name=name, other=Path(str(by_code)).name)
    if by_code:
        return IngestError("infer.both_by_code", name=name, other=Path(str(by_code)).name)
    return IngestError("infer.by_code_only", name=name)


def review_notes(form: Form, guessed: set[str], path, *, by_code=None, wjx: bool = True) -> list[str]:
    """What the person reviewing the draft must check: guessed option orders and placeholder labels."""
    notes = []
    order = [q for q in form.questions if q.id in guessed and len(q.choices) > 1]
    if order:
        q = order[0]
        names = "、".join(f"第{form.number(x.id)}题" for x in order[:8]) + (" 等" if len(order) > 8 else "")
        how = (
            f"同一问卷在问卷星再导出一份“按选项序号”的文件，运行 weidiaoyan form infer {Path(str(path)).name} "
            "--by-code 按序号导出的文件 -o …，即可得到问卷上的真实顺序"
            if wjx and not by_code
            else "请对照原问卷调整 choices 的先后"
        )
        notes.append(
            f"选项顺序是猜的：{names}（共 {len(order)} 题）的选项按在导出中首次出现的先后排列"
            f"（如第{form.number(q.id)}题“{_short(q.label)}”以“{q.choices[0].label}”开头），"
            f"不一定是问卷上的顺序。{how}。"
        )
    holes = {q.id: [c.id for c in q.choices if FILL_IN in c.label] for q in form.questions}
    holes = {qid: ids for qid, ids in holes.items() if ids}
    if holes:
        notes.append(
            f"有 {sum(map(len, holes.values()))} 个选项的文字要补全（导出中无人选择，只知道序号；"
            f"YAML 里是“（第N个选项：导出中无人选择，{FILL_IN}）”，请改成问卷上的选项文字）："
        )
        notes.extend(
            f"  - 第{form.number(qid)}题（{qid}）“{_short(form.question(qid).label)}”：选项 {'、'.join(ids)}"
            for qid, ids in holes.items()
        )
    return notes


def _short(text: str, n: int = 20) -> str:
    return text if len(text) <= n else text[:n] + "…"
