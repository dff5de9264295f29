"""Data-quality flags: responses worth a second look, each with its reason. Flags never delete anything.

=====================  ==========================================================================
flag                   when
=====================  ==========================================================================
instant                submitted within 1 second (the platform's 用时, 问卷星 所用时间 / 腾讯 答题时长)
speeder                under a third of the form's median 用时 (at least 10 responses with a 用时)
straight_line          every row of a Likert matrix (at least 3 answered) given the same answer
same_device            the same answers as another response from the same IP or device within 10 minutes
duplicate_respondent   ingest found the same respondent (user id, 问卷编号, phone) twice
entry_discrepancy      double entry found fields that differ and a supervisor has not yet ruled
=====================  ==========================================================================

用时, IP and device come from the platform's own columns, kept with each imported row; responses typed
in on paper have none of them and are checked for the rest. A check with no data at all to work on (no
response with a 用时, or with an IP or device) is not computed, never reported as 0: the flags' frame says
which in ``flags.attrs["not_computed"]`` ({flag: why}), and ``quality_summary`` marks them.

>>> flags = quality_flags(store, "annual_topics")                         # doctest: +SKIP
>>> clean = frame[~frame["response_id"].isin(flags["response_id"])]        # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict

import numpy as np
import pandas as pd

from toolkit.forms import Form

FLAGS = {
    "instant": "1 秒内提交",
    "speeder": "答题过快",
    "straight_line": "矩阵题全选同一项",
    "same_device": "同一 IP/设备重复作答",
    "duplicate_respondent": "同一答题人重复提交",
    "entry_discrepancy": "双录差异未裁定",
}
COLUMNS = ["response_id", "serial", "submitted_at", "flag", "label", "reason"]
INSTANT = 1  # seconds
SPEEDER_SHARE = 1 / 3  # of the median 用时
MIN_TIMED = 10  # responses with a 用时 needed before a median means anything
MIN_MATRIX_ROWS = 3
WINDOW = 10 * 60  # seconds between two identical submissions from one IP or device
# the platforms' columns for 用时, IP and device, as the raw row keeps its header (compared folded: NFKC, lower case)
DURATION_HEADERS = {"所用时间", "答题时长", "用时", "填写用时", "duration"}
IP_HEADERS = {"来自ip", "ip", "ip地址"}
DEVICE_HEADERS = {"填写设备", "设备", "ua", "deviceid"}
_DURATION = re.compile(r"^(?:(\d+)\s*小时)?\s*(?:(\d+)\s*分(?:钟)?)?\s*(?:(\d+(?:\.\d+)?)\s*秒)?$")


def quality_flags(store, form_id: str, *, form: Form | None = None) -> pd.DataFrame:
    """One row per (response, flag): ``response_id, serial, submitted_at, flag, label, reason`` (see module
    docstring); active responses only, ordered by response and flag. Empty when nothing is flagged."""
    form = form or store.get_form(form_id)
    frame = store.responses(form_id)
    if frame.empty:
        return _noting(pd.DataFrame(columns=COLUMNS), {})
    frame = frame.loc[:, ~frame.columns.duplicated()]
    meta = _platform_meta(store, form_id)
    found: list[tuple[int, str, str]] = []
    durations = pd.Series([meta.get(rid, {}).get("duration") for rid in frame["response_id"]], dtype=float)
    found += _timing(frame["response_id"].tolist(), durations)
    found += _straight_lines(frame, form)
    found += _same_device(frame, form, meta)
    found += _ingest_flags(frame, {rid for rid, flag, _ in found if flag == "same_device"})
    skipped = _not_computed(durations, meta, frame["response_id"], found)
    found += _open_discrepancies(store, form)
    active = set(frame["response_id"])
    found = [f for f in found if f[0] in active]  # a voided response's open discrepancy is no active one's flag
    if not found:
        return _noting(pd.DataFrame(columns=COLUMNS), skipped)
    order = {flag: i for i, flag in enumerate(FLAGS)}
    found.sort(key=lambda f: (f[0], order[f[1]]))
    info = frame.set_index("response_id")
    serial = info["serial"] if "serial" in info else pd.Series(None, index=info.index)
    table = pd.DataFrame(
        [
            {
                "response_id": rid,
                "serial": _text(serial.get(rid)),
                "submitted_at": _text(info["submitted_at"].get(rid)),
                "flag": flag,
                "label": FLAGS[flag],
                "reason": reason,
            }
            for rid, flag, reason in found
        ],
        columns=COLUMNS,
    )
    return _noting(table, skipped)


def _noting(flags: pd.DataFrame, skipped: dict[str, str]) -> pd.DataFrame:
    flags.attrs["not_computed"] = skipped
    return flags


def _not_computed(durations: pd.Series, meta: dict[int, dict], ids, found: list) -> dict[str, str]:
    """{flag: why} for the checks nothing could be computed for (no 用时 at all, no IP or device at all)."""
    out = {}
    timed = int(durations.notna().sum())
    if not timed:
        out["instant"] = out["speeder"] = "没有用时数据"
    elif timed < MIN_TIMED:
        out["speeder"] = f"有用时的答卷不足 {MIN_TIMED} 份"
    seen = any(meta.get(rid, {}).get("ip") or meta.get(rid, {}).get("device") for rid in ids)
    if not seen and not any(flag == "same_device" for _, flag, _ in found):
        out["same_device"] = "没有 IP/设备数据"
    return out


def quality_summary(flags: pd.DataFrame, responses: int) -> pd.DataFrame:
    """Per flag: how many responses carry it and their share of ``responses`` (every flag listed, 0 too);
    ``computed`` False (with ``why``, counts None) for a check that had no data to run on."""
    counts = flags.groupby("flag")["response_id"].nunique() if len(flags) else pd.Series(dtype=int)
    skipped = flags.attrs.get("not_computed", {})
    rows = []
    for flag, label in FLAGS.items():
        n = int(counts.get(flag, 0))
        rows.append(
            {
                "flag": flag,
                "label": label,
                "computed": flag not in skipped,
                "why": skipped.get(flag, ""),
                "responses": None if flag in skipped else n,
                "percent": None if flag in skipped else round(100 * n / responses, 1) if responses else 0.0,
            }
        )
    flagged = int(flags["response_id"].nunique()) if len(flags) else 0
    share = round(100 * flagged / responses, 1) if responses else 0.0
    rows.append(
        {"flag": "any", "label": "至少一项", "computed": True, "why": "", "responses": flagged, "percent": share}
    )
    return pd.DataFrame(rows, dtype=object)  # None stays None (not computed), counts stay whole numbers


def parse_duration(text) -> float | None:
    """Seconds from a platform's 用时: ``136``, ``136秒``, ``2分3秒``, ``1小时2分`` (None when not a time).

    >>> parse_duration("2分3秒"), parse_duration(" 31 "), parse_duration("很快")
    (123.0, 31.0, None)
    """
    if text is None or isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return float(text) if text >= 0 else None
    s = unicodedata.normalize("NFKC", str(text)).strip()
    try:
        value = float(s)
        return value if value >= 0 else None
    except ValueError:
        pass
    m = _DURATION.match(s)
    if not s or not m or not any(m.groups()):
        return None
    h, mi, se = (float(g) if g else 0.0 for g in m.groups())
    return h * 3600 + mi * 60 + se


def _fold(header: str) -> str:
    """A raw row's header as compared: NFKC, lower case, without a repeat mark (``#2``) or a unit (``(秒)``)."""
    name = unicodedata.normalize("NFKC", str(header).split("#")[0]).strip().lower()
    return re.sub(r"\(.*?\)", "", name).strip()


def _platform_meta(store, form_id: str) -> dict[int, dict]:
    """{response id: {duration, ip, device}} from the raw rows kept with imported responses."""
    from sqlalchemy import select

    from toolkit.store import schema

    t = schema.responses
    query = select(t.c.id, t.c.raw).where(t.c.form_id == form_id, t.c.status == "active", t.c.raw.is_not(None))
    out = {}
    with store.engine.connect() as c:
        for rid, raw in c.execute(query):
            row = json.loads(raw) if raw else None
            if not isinstance(row, dict):
                continue
            found: dict = {}
            for header, value in row.items():
                name = _fold(header)
                if name in DURATION_HEADERS and "duration" not in found:
                    found["duration"] = parse_duration(value)
                elif name in IP_HEADERS and value not in (None, ""):
                    found.setdefault("ip", str(value).split("(")[0].split("（")[0].strip())
                elif name in DEVICE_HEADERS and value not in (None, ""):
                    found.setdefault("device", str(value).strip())
            out[rid] = found
    return out


def _timing(ids: list, durations: pd.Series) -> list[tuple[int, str, str]]:
    out = []
    timed = durations.dropna()
    median = float(timed.median()) if len(timed) >= MIN_TIMED else None
    for rid, seconds in zip(ids, durations):
        if np.isnan(seconds):
            continue
        if seconds <= INSTANT:
            out.append((rid, "instant", f"用时 {seconds:g} 秒，不可能读完问卷"))
        elif median is not None and seconds < median * SPEEDER_SHARE:
            out.append((rid, "speeder", f"用时 {seconds:g} 秒，不到全部答卷用时中位数（{median:g} 秒）的三分之一"))
    return out


def _straight_lines(frame: pd.DataFrame, form: Form) -> list[tuple[int, str, str]]:
    out = []
    for q in form.questions:
        if not q.is_matrix or len(q.rows) < MIN_MATRIX_ROWS:
            continue
        columns = [c for c in q.columns() if c in frame.columns]
        for rid, values in zip(frame["response_id"], frame[columns].itertuples(index=False, name=None)):
            given = [str(v) for v in values if isinstance(v, str) and v]
            if len(given) >= MIN_MATRIX_ROWS and len(set(given)) == 1:
                reason = f"第{form.number(q.id)}题（矩阵量表）{len(given)} 行都选“{q.choice_label(given[0])}”"
                out.append((rid, "straight_line", reason))
    return out


def _same_device(frame: pd.DataFrame, form: Form, meta: dict[int, dict]) -> list[tuple[int, str, str]]:
    answer_columns = [c for c in form.columns() if c in frame.columns]
    groups: dict[tuple, list[tuple[float, int]]] = defaultdict(list)
    for rid, when, values in zip(
        frame["response_id"], frame["submitted_at"], frame[answer_columns].itertuples(index=False, name=None)
    ):
        found = meta.get(rid, {})
        source = ("IP", found["ip"]) if found.get("ip") else ("设备", found["device"]) if found.get("device") else None
        seconds = _seconds(when)
        if source is None or seconds is None:
            continue
        blob = json.dumps([_plain(v) for v in values], ensure_ascii=False, default=str)
        groups[(source, blob)].append((seconds, rid))
    out = []
    for (source, _), members in groups.items():
        members.sort()
        for (t0, a), (t1, b) in zip(members, members[1:]):
            if t1 - t0 <= WINDOW:
                gap = f"相隔 {t1 - t0:,.0f} 秒"
                out.append((a, "same_device", f"与答卷 {b} 来自同一{source[0]}、答案完全相同，{gap}"))
                out.append((b, "same_device", f"与答卷 {a} 来自同一{source[0]}、答案完全相同，{gap}"))
    return list(dict.fromkeys(out)) if out else []


def _ingest_flags(frame: pd.DataFrame, already: set) -> list[tuple[int, str, str]]:
    out = []
    for rid, flags in zip(frame["response_id"], frame["flags"]):
        flags = flags if isinstance(flags, list) else []
        if "duplicate_respondent" in flags:
            out.append((rid, "duplicate_respondent", "导入时发现同一答题人（同一用户、问卷编号或电话）的另一份答卷"))
        if "possible_duplicate" in flags and rid not in already:
            out.append((rid, "same_device", "导入时发现同一 IP 在 10 分钟内提交了完全相同的答案"))
    return out


def _open_discrepancies(store, form: Form) -> list[tuple[int, str, str]]:
    if form.by_role("serial") is None:
        return []  # no 问卷编号, no double entry
    from toolkit.entry import DoubleEntry

    open_ = DoubleEntry(store, form).discrepancies("open")
    out = []
    for rid, group in open_.groupby("response_id", sort=True):
        labels = "、".join(dict.fromkeys(str(x) for x in group["label"]))
        out.append((int(rid), "entry_discrepancy", f"两遍录入有 {len(group)} 处不一致，尚未裁定：{labels}"))
    return out


def _seconds(value) -> float | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    try:
        return dt.datetime.fromisoformat(str(value)).timestamp()
    except ValueError:
        return None


def _plain(value):
    if isinstance(value, float) and np.isnan(value):
        return None
    return value


def _text(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    return str(value)
