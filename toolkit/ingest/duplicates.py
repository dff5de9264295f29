"""Idempotency keys and likely-duplicate submissions.

A row's fingerprint is the platform's own id plus submit time when the export has one (序号, 编号,
_uuid, KEY), else a hash of the row's cells; identical cell rows are told apart by their occurrence
count, so a re-import yields the same keys and a longer export only new ones.

Duplicates are flagged for review, never deleted: same respondent (respondent id, 问卷编号 or phone
answer), or the same IP with the same answers within ``WINDOW`` seconds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict

from toolkit.forms import Form

WINDOW = 10 * 60
FLAG_RESPONDENT = "duplicate_respondent"
FLAG_SAME_ANSWERS = "possible_duplicate"


def fingerprints(source: str, form_id: str, external_ids: list, submitted: list, raw_rows: list[dict]) -> list[str]:
    """One idempotency key per row (see module docstring)."""
    use_ids = all(e is not None and str(e).strip() for e in external_ids) and \
        len(set(zip(external_ids, submitted))) == len(external_ids) and len(external_ids) > 0
    seen: dict[str, int] = defaultdict(int)
    out = []
    for ext, sub, raw in zip(external_ids, submitted, raw_rows):
        basis = f"{source}|id|{str(ext).strip()}|{sub or ''}" if use_ids else \
            f"{form_id}|row|{json.dumps(raw, ensure_ascii=False, sort_keys=True)}"
        seen[basis] += 1
        if not use_ids and seen[basis] > 1:
            basis += f"|{seen[basis]}"
        out.append(hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32])
    return out


def _respondent_questions(form: Form) -> list[str]:
    ids = [q.id for q in form.answer_questions() if q.role == "serial"]
    ids += [q.id for q in form.answer_questions() if q.kind == "text" and
            any(w in q.label for w in ("电话", "手机", "身份证"))]
    return ids


def _seconds(text) -> float | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def flag_duplicates(form: Form, answers: list[dict], respondent: list, ips: list, submitted: list,
                    stored: list[tuple[dict, str | None]] = ()) -> list[list[str]]:
    """Review flags per row; ``stored`` = (answers, submitted_at) of responses already in the store."""
    n = len(answers)
    flags: list[list[str]] = [[] for _ in range(n)]
    keys = _respondent_questions(form)
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, a in enumerate(answers):
        if respondent[i] not in (None, ""):
            groups[("r", str(respondent[i]))].append(i)
        for k in keys:
            if a.get(k) not in (None, ""):
                groups[(k, str(a[k]).strip())].append(i)
    for members in groups.values():
        if len(members) > 1:
            for i in members:
                if FLAG_RESPONDENT not in flags[i]:
                    flags[i].append(FLAG_RESPONDENT)
    ip_count = Counter(ips)
    # only rows sharing an IP (or compared with stored rows) need their answers serialised
    need = range(n) if stored else [i for i in range(n) if ips[i] not in (None, "") and ip_count[ips[i]] > 1]
    blobs = {i: json.dumps(answers[i], ensure_ascii=False, sort_keys=True) for i in need}
    same: dict[tuple, list[tuple[float | None, int]]] = defaultdict(list)
    for i in blobs:
        if ips[i] not in (None, "") and ip_count[ips[i]] > 1:
            same[(ips[i], blobs[i])].append((_seconds(submitted[i]), i))
    for (ip, _), members in same.items():
        if len(members) < 2 or ip in (None, ""):
            continue
        _flag_close(members, flags)
    if stored:
        earlier: dict[str, list[float | None]] = defaultdict(list)
        for a, sub in stored:
            earlier[json.dumps(a, ensure_ascii=False, sort_keys=True)].append(_seconds(sub))
        for i in range(n):
            for t in earlier.get(blobs[i], ()):
                s = _seconds(submitted[i])
                if s is not None and t is not None and abs(s - t) <= WINDOW and FLAG_SAME_ANSWERS not in flags[i]:
                    flags[i].append(FLAG_SAME_ANSWERS)
    return flags


def _flag_close(members: list[tuple[float | None, int]], flags: list[list[str]]) -> None:
    timed = sorted((t, i) for t, i in members if t is not None)
    untimed = [i for t, i in members if t is None]
    hit = set(untimed) if len(untimed) > 1 else set()
    for (t1, i1), (t2, i2) in zip(timed, timed[1:]):
        if t2 - t1 <= WINDOW:
            hit.update((i1, i2))
    for i in hit:
        if FLAG_SAME_ANSWERS not in flags[i]:
            flags[i].append(FLAG_SAME_ANSWERS)
