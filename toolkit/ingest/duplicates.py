"""Idempotency keys and likely-duplicate submissions.

A row's fingerprint is the platform's own id plus submit time when the export has one (序号, 编号,
_uuid, KEY), else a hash of the row's cells; identical cell rows are told apart by their occurrence
count, so a re-import yields the same keys and a longer export only new ones.

Duplicates are flagged for review, never deleted: same respondent (respondent id, 问卷编号 or phone
answer), or the same IP with the same answers within ``WINDOW`` seconds. Responses already in the
store are held to the same rules (their IP is read back from the raw row kept with them).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from toolkit.forms import Form
from toolkit.ingest.normalize import key
from toolkit.ingest.readers import table, tencent, wjx
from toolkit.ingest.readers.base import split_ip

WINDOW = 10 * 60
FLAG_RESPONDENT = "duplicate_respondent"
FLAG_SAME_ANSWERS = "possible_duplicate"


def fingerprints(source: str, form_id: str, external_ids: list, submitted: list, raw_rows: list[dict]) -> list[str]:
    """One idempotency key per row (see module docstring)."""
    use_ids = (
        all(e is not None and str(e).strip() for e in external_ids)
        and len(set(zip(external_ids, submitted))) == len(external_ids)
        and len(external_ids) > 0
    )
    seen: dict[str, int] = defaultdict(int)
    out = []
    for ext, sub, raw in zip(external_ids, submitted, raw_rows):
        basis = (
            f"{source}|id|{str(ext).strip()}|{sub or ''}"
            if use_ids
            else f"{form_id}|row|{json.dumps(raw, ensure_ascii=False, sort_keys=True)}"
        )
        seen[basis] += 1
        if not use_ids and seen[basis] > 1:
            basis += f"|{seen[basis]}"
        out.append(hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32])
    return out


# headers the readers take as the respondent's IP (问卷星 来自IP, 腾讯问卷 IP, tables ip/IP地址)
IP_HEADERS = {k for meta in (wjx.META, tencent.META, table.META) for k, v in meta.items() if v == "ip"}


# the store writes raw rows with json.dumps(ensure_ascii=False): a header usually appears as written, so a
# regular expression finds the IP four times faster than parsing the row; parsing remains the fallback
_IP_NAMES = "|".join(map(re.escape, sorted(IP_HEADERS)))
_IP_FIELD = re.compile(rf'"(?:{_IP_NAMES})(?:#\d+)?":\s*"([^"\\]*)"', re.I)


def stored_ip(raw_text: str | None) -> str | None:
    """The IP in a stored raw row (JSON text as the store keeps it), without the place in brackets."""
    if not raw_text:
        return None
    m = _IP_FIELD.search(raw_text)
    if m and m.group(1):
        return split_ip(m.group(1))[0]
    raw = json.loads(raw_text)
    for header, value in raw.items() if isinstance(raw, dict) else ():
        if key(header.split("#")[0]) in IP_HEADERS and value not in (None, ""):
            return split_ip(value)[0]
    return None


def _seconds(text) -> float | None:
    if not text:
        return None
    try:
        return dt.datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return None


def flag_duplicates(
    form: Form,
    answers: list[dict],
    respondent: list,
    ips: list,
    submitted: list,
    stored: Sequence[tuple[dict, str | None, str | None]] = (),
) -> list[list[str]]:
    """Review flags per row.

    ``stored`` = (answers, submitted_at, raw row JSON text) of responses already in the store; they are
    held to the same rules as rows of the file: the same respondent key, or the same IP with the same
    answers within ``WINDOW``. Rows without an IP (Kobo, ODK, entry) are compared by respondent keys only.
    """
    n = len(answers)
    flags: list[list[str]] = [[] for _ in range(n)]
    keys = form.identity_questions()
    groups: dict[tuple, list[int]] = defaultdict(list)
    for i, a in enumerate(answers):
        if respondent[i] not in (None, ""):
            groups[("r", str(respondent[i]))].append(i)
        for k in keys:
            if a.get(k) not in (None, ""):
                groups[(k, str(a[k]).strip())].append(i)
    seen_before = {(k, str(a[k]).strip()) for a, _, _ in stored for k in keys if a.get(k) not in (None, "")}
    for group, members in groups.items():
        if len(members) > 1 or group in seen_before:
            for i in members:
                _add(flags[i], FLAG_RESPONDENT)
    ip_count = Counter(ip for ip in ips if ip not in (None, ""))
    # only rows that may share an IP with another row (in the file, or in the store) need serialising
    same: dict[tuple, list[tuple[float | None, int]]] = defaultdict(list)
    for i in range(n):
        if ips[i] not in (None, "") and (stored or ip_count[ips[i]] > 1):
            same[(ips[i], _blob(answers[i]))].append((_seconds(submitted[i]), i))
    blobs = {b for _, b in same}
    for a, sub, raw in stored if blobs else ():
        blob = _blob(a)
        if blob in blobs:  # the stored IP is read only for equal answers
            slot = (stored_ip(raw), blob)
            if slot in same:
                same[slot].append((_seconds(sub), -1))  # -1: a stored response, compared but never flagged
    for close in same.values():
        if len(close) > 1:
            _flag_close(close, flags)
    return flags


def _blob(answers: dict) -> str:
    return json.dumps(answers, ensure_ascii=False, sort_keys=True)


def _add(row_flags: list[str], flag: str) -> None:
    if flag not in row_flags:
        row_flags.append(flag)


def _flag_close(members: list[tuple[float | None, int]], flags: list[list[str]]) -> None:
    timed = sorted((t, i) for t, i in members if t is not None)
    untimed = [i for t, i in members if t is None]
    hit = set(untimed) if len(untimed) > 1 else set()
    for (t1, i1), (t2, i2) in zip(timed, timed[1:]):
        if t2 - t1 <= WINDOW:
            hit.update((i1, i2))
    for i in hit:
        if i >= 0:
            _add(flags[i], FLAG_SAME_ANSWERS)
