"""Full synthetic responses for any form, built around one generated concern each.

Every answer is chosen to fit the form (kinds, choices, required, constraints, skip logic) and to agree
with the concern it carries: the 镇街 and 社区 are the concern's, the areas and priorities start with its
theme, the service it complains about is rated low. Each record keeps the ground truth under ``truth``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import random
import re

from toolkit.forms import CHOICE_KINDS, OTHER, Expression, Form, Question, expression_scope, other_key, validate_answers
from toolkit.sample.catalogue import catalogue
from toolkit.sample.concerns import check_seed, generate_concerns
from toolkit.sample.errors import SampleError
from toolkit.sample.variants import fake_mobile

# Window of generated responses: a plausible survey year that never runs past today (dates must be <= today()).
_END = dt.date(2026, 10, 31)
_SPAN_DAYS = 303
_MAX = 2_000_000
# Paper forms carry a serial like DH-2026-0001; the code of each 镇街 of the bundled forms.
_DISTRICT_CODES = {
    "chengguan": "CG",
    "donghu": "DH",
    "xishan": "XS",
    "nanmen": "NM",
    "beiyuan": "BY",
    "xingang": "XG",
    "qingshi": "QS",
    "taoyuan": "TY",
    "hekou": "HK",
    "longquan": "LQ",
}
_OTHER_TEXTS = [
    "网络信号差",
    "快递柜不够用",
    "宠物扰民",
    "小区门禁经常坏",
    "公共厕所太少",
    "充电桩不够",
    "夜市管理",
    "防诈骗宣传",
    "公墓管理",
    "电梯维保",
]
_SUGGEST_GENERIC = [
    "希望有关部门尽快研究解决。",
    "建议委员实地看一看。",
    "希望能给个答复。",
    "建议召开协商议事会，听听居民意见。",
]
_TEXT_GENERIC = ["无", "已记录", "见走访照片", "群众情绪稳定", "需进一步核实"]
_HINT_SERIAL = re.compile(r"([A-Z]{2})-(\d{4})-(\d+)")


def _bounds(q: Question) -> tuple[float, float]:
    """Numeric range from constraints like ``. >= 0 and . <= 100`` (defaults 0..100)."""
    text = q.constraint or ""
    lo = re.search(r"\.\s*>=?\s*(-?\d+(?:\.\d+)?)", text)
    hi = re.search(r"\.\s*<=?\s*(-?\d+(?:\.\d+)?)", text)
    return (float(lo.group(1)) if lo else 0.0, float(hi.group(1)) if hi else 100.0)


def _matches_theme(q: Question, theme_id) -> bool:
    return theme_id is not None and theme_id in q.choice_ids()


class _Respondent:
    """Draws the answers of one form for a stream of concerns (one instance per generate_responses call)."""

    def __init__(self, form: Form, seed: int):
        self.form = form
        self.rng = random.Random(f"weidiaoyan-sample-{seed}-{form.id}")
        self.cat = catalogue(seed, float(_SPAN_DAYS + 1))
        self.serials: dict[str, int] = {}
        member_q = form.by_role("member")
        sector_q = form.by_role("sector")
        # A member is one person with one 界别: the same name always comes with the same sector.
        names = sorted({s + g for s in self.cat.surnames for g in self.cat.given_names})
        self.members = []
        if member_q is not None:
            picks = self.rng.sample(names, 24)
            sectors = [c for c in (sector_q.choice_ids() if sector_q else []) if c != OTHER]
            self.members = [(name, self.rng.choice(sectors) if sectors else None) for name in picks]
        self.concern_ids = [q.id for q in form.concern_questions()]
        self.issue_matter = dict(zip(self.cat.issue_ids, self.cat.issue_matter.tolist()))
        self.shown = {q.id: Expression(q.relevant) for q in form.questions if q.relevant}
        # Choices, counts, skip logic and required choice questions hold by construction (the tests prove it
        # with full validation); what can still fail is a constraint (a two-character "无" where ten are asked
        # for) or a blank required text. Checking just those questions, without their skip logic (only shown
        # ones get answers), costs a fraction of a full validation.
        self.checked = dataclasses.replace(
            form,
            questions=[
                dataclasses.replace(q, relevant=None)
                for q in form.questions
                if q.constraint or (q.required and q.kind not in CHOICE_KINDS)
            ],
        )

    # ---- one record ---------------------------------------------------
    def record(self, c: dict) -> dict:
        rng = self.rng
        member = rng.choice(self.members) if self.members else None
        submitted = c["submitted_at"].to_pydatetime()
        answers: dict = {}
        paper = rng.random() < 0.6
        for q in self.form.questions:
            if q.kind == "note":
                continue
            if q.id in self.shown and not self.shown[q.id].test(expression_scope(answers)):
                continue
            value = self.answer(q, c, member, submitted, paper, answers)
            if value is None or value == [] or value == {}:
                continue
            answers[q.id] = value
        serial_q = self.form.by_role("serial")
        paper = paper and serial_q is not None and serial_q.id in answers
        return {
            "answers": answers,
            "serial": answers.get(serial_q.id) if serial_q is not None else None,
            "submitted_at": submitted.isoformat(sep=" ", timespec="seconds"),
            "operator": rng.choice(self.cat.operators) if paper else None,
            "truth": {
                "concern_id": c["id"],
                "theme": _none(c["theme"]),
                "theme_id": _none(c["theme_id"]),
                "issue": _none(c["issue"]),
                "issue_id": _none(c["issue_id"]),
                "kind": c["kind"],
            },
        }

    def _skip(self, q: Question, p: float) -> bool:
        return not q.required and self.rng.random() < p

    def answer(self, q: Question, c, member, submitted: dt.datetime, paper: bool, answers: dict):
        rng, theme_id = self.rng, _none(c["theme_id"])
        if q.role == "serial":
            return self.serial(q, c) if paper else None
        if q.role == "member":
            return member[0] if member else rng.choice(self.cat.surnames) + rng.choice(self.cat.given_names)
        if q.role == "sector":
            if member and member[1] in q.choice_ids():
                return member[1]
            return c["sector"] if c["sector"] in q.choice_ids() and rng.random() < 0.9 else self.pick(q)
        if q.role in ("district", "community", "place") and q.kind == "single":
            # A choice question: the choice named like the concern's place, if the form lists it.
            for ch in q.choices:
                if ch.id == c["district_id"] or ch.label in (c["district"], c["community"], _none(c["place"])):
                    return ch.id
            return self.pick(q)
        if q.role == "district":
            return c["district"]
        if q.role == "community":
            if self._skip(q, 0.15):
                return None
            return c["community"] if rng.random() < 0.75 else c["district"] + c["community"]
        if q.role == "place":
            place = _none(c["place"])
            return place if place and place != c["district"] else c["community"]
        if q.role == "age" and q.kind == "single":
            return self.age(q, theme_id)
        if q.kind == "concern":
            if q.id == self.concern_ids[0]:
                return c["text"]
            if self._skip(q, 0.35):
                return None
            issue = _none(c["issue_id"])
            asks = self.cat.matter_asks[self.issue_matter[issue]] if issue else _SUGGEST_GENERIC
            return rng.choice(asks)
        if q.kind == "date":
            if q.role == "date" or not any(w in q.label for w in ("时限", "期限", "截止")):
                return submitted.date().isoformat()
            return (submitted.date() + dt.timedelta(days=rng.choice((7, 15, 30, 60)))).isoformat()
        if self._skip(q, 0.08 if q.kind != "text" else 0.5):
            return None
        if q.kind == "number":
            return self.number(q)
        if q.kind == "text":
            return self.text(q, theme_id)
        if q.kind == "single":
            if _matches_theme(q, theme_id) and rng.random() < 0.9:
                return theme_id
            return self.pick(q, answers)
        if q.kind in ("multiple", "ranking"):
            return self.several(q, theme_id, answers)
        if q.kind == "likert":
            return self.likert(q, theme_id)
        return None

    # ---- by kind -------------------------------------------------------
    def pick(self, q: Question, answers: dict | None = None) -> str:
        ids = [i for i in q.choice_ids() if i != OTHER]
        if q.other and answers is not None and self.rng.random() < 0.03:
            answers[other_key(q.id)] = self.rng.choice(_OTHER_TEXTS)
            return OTHER
        return self.rng.choice(ids)

    def several(self, q: Question, theme_id, answers: dict) -> list[str]:
        rng = self.rng
        ids = [i for i in q.choice_ids() if i != OTHER]
        most = min(q.max_choices or 3, len(ids))
        least = min(q.min_choices or 1, most)
        k = rng.randint(least, most) if q.kind == "multiple" else most
        chosen = [theme_id] if _matches_theme(q, theme_id) and rng.random() < 0.9 else []
        if q.kind == "ranking":
            # Priorities mostly repeat the areas ticked earlier in the same form (same choice list).
            for earlier in self.form.questions:
                if (
                    earlier.kind == "multiple"
                    and [c.id for c in earlier.choices] == [c.id for c in q.choices]
                    and earlier.id in answers
                ):
                    chosen += [i for i in answers[earlier.id] if i in ids and i not in chosen and rng.random() < 0.8]
            chosen = chosen[:k]
        rest = [i for i in ids if i not in chosen]
        chosen += rng.sample(rest, max(0, k - len(chosen)))
        if q.kind == "multiple" and q.other and rng.random() < 0.04:
            chosen = chosen[: most - 1] + [OTHER] if len(chosen) >= most else chosen + [OTHER]
            answers[other_key(q.id)] = rng.choice(_OTHER_TEXTS)
        return chosen

    def likert(self, q: Question, theme_id):
        ids = q.choice_ids()
        if not q.is_matrix:
            # Ordinal scales lean to the middle and low end (urgency: most matters are 一般/较急).
            weights = [max(0.05, 1.0 - 0.3 * i) for i in range(len(ids))]
            return self.rng.choices(ids, weights)[0]
        sore = self.cat.theme_rows[self.cat.theme_ids.index(theme_id)] if theme_id else None
        out = {}
        for row in q.rows:
            if row.id == sore:  # the service they complain about: dissatisfied
                weights = [0.45, 0.4, 0.1] + [0.05 / max(1, len(ids) - 3)] * (len(ids) - 3)
            else:  # others: the usual bell, slightly positive
                centre = (len(ids) - 1) * 0.6
                weights = [math.exp(-((i - centre) ** 2) / 2.0) for i in range(len(ids))]
            out[row.id] = self.rng.choices(ids, weights[: len(ids)])[0]
        return out

    def age(self, q: Question, theme_id) -> str:
        ids = q.choice_ids()
        weights = [1.0] * len(ids)
        if len(ids) >= 3:
            weights[0] = 0.15
            if theme_id in ("elderly", "medical", "old_estate"):
                weights[-1] = 3.0
            elif theme_id in ("schooling", "childcare", "jobs"):
                weights[1:-1] = [2.5] * (len(ids) - 2)
        return self.rng.choices(ids, weights)[0]

    def number(self, q: Question):
        lo, hi = _bounds(q)
        scale = max(3.0, (hi - lo) / 100.0)
        value = min(hi, lo + self.rng.lognormvariate(math.log(scale), 1.0))
        return int(value) if q.integer else round(value, 1)

    def text(self, q: Question, theme_id) -> str:
        rng = self.rng
        if "电话" in q.label or "手机" in q.label or "phone" in q.id:
            return fake_mobile(rng.randrange(10**6)).replace(" ", "").replace("-", "")
        if "部门" in q.label or "单位" in q.label:
            depts = self.cat.theme_depts[self.cat.theme_ids.index(theme_id)] if theme_id else []
            return rng.choice(depts or ["街道办事处", "社区居委会"])
        return rng.choice(_TEXT_GENERIC)

    def serial(self, q: Question, c) -> str:
        m = _HINT_SERIAL.search(q.hint or "")
        prefix, width = (m.group(1), len(m.group(3))) if m else ("WD", 4)
        if prefix in _DISTRICT_CODES.values():  # the example is a 镇街 code: use this response's
            prefix = _DISTRICT_CODES.get(c["district_id"], prefix)
        year = c["submitted_at"].year
        key = f"{prefix}-{year}"
        self.serials[key] = self.serials.get(key, 0) + 1
        return f"{key}-{self.serials[key]:0{width}d}"


def _none(value):
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def generate_responses(form: Form, n: int, seed: int = 0) -> list[dict]:
    """``n`` valid responses to ``form``, each ``{"answers", "serial", "submitted_at", "operator", "truth"}``.

    Ready for ``Store.add_responses(form, records, source="sample")`` (``truth`` is ignored there; it holds
    the concern's theme and issue for tests and demos). Deterministic for the same form, ``n`` and ``seed``.

    >>> from toolkit.forms import load_form
    >>> records = generate_responses(load_form("surveys/annual_topics.yaml"), 3)   # doctest: +SKIP
    """
    if not isinstance(form, Form):
        raise SampleError("sample.not_a_form", kind=type(form).__name__)
    if not isinstance(n, int) or isinstance(n, bool) or n < 0 or n > _MAX:
        raise SampleError("sample.count_invalid", limit=_MAX, n=n)
    seed = check_seed(seed, "generate_responses")
    end = min(_END, dt.date.today())
    start = end - dt.timedelta(days=_SPAN_DAYS)
    respondent = _Respondent(form, seed)
    size = n + n // 5 + 50
    pool: list[dict] = []
    records, i, last = [], 0, None
    while len(records) < n:
        if i >= len(pool):  # prefix-stable, so a longer pool starts with the rows already used
            size = max(size, 2 * len(pool))
            pool = generate_concerns(size, seed=seed, start=start.isoformat(), end=end.isoformat()).to_dict("records")
        if i > 20 * n + 1000:
            raise SampleError("sample.constraints_unmet", form=form.id, tried=i, last=last)
        rec = respondent.record(pool[i])
        i += 1
        errors = [p for p in validate_answers(respondent.checked, rec["answers"])[1] if p.is_error]
        if errors:
            last = errors[0].message
            continue  # e.g. "无" where the form asks for at least 10 characters: take the next concern
        records.append(rec)
    return records
