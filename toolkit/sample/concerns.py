"""Synthetic free-text concerns of local residents, with ground truth (theme, issue) for evaluation.

Rows are drawn in fixed-size blocks, each from its own random stream, so the first k rows of a
larger sample equal a smaller sample with the same seed (prefix-stable). Within a block every choice
is a numpy draw over pre-built pieces (see ``catalogue``); texts are joined by element-wise addition
of object arrays. Only the few rows that get variants (traditional characters, odd punctuation,
phone numbers) are touched one by one.
"""

from __future__ import annotations

import gc

import numpy as np
import pandas as pd

from toolkit.sample.catalogue import Catalogue, catalogue
from toolkit.sample.errors import SampleError
from toolkit.sample.variants import add_pii, perturb

BLOCK = 4096
# Share of rows by kind; the rest are ordinary concerns.
P_NOISE, P_CAMPAIGN, P_NEAR_DUP = 0.05, 0.03, 0.08
P_PII = 0.025
N_CAMPAIGNS = 10
KINDS = np.array(["concern", "near_duplicate", "campaign", "noise"], dtype=object)
_CONCERN, _NEAR, _CAMPAIGN, _NOISE = range(4)
_SECONDS_PER_DAY = 86400
_MAX_ROWS = 20_000_000

COLUMNS = [
    "id",
    "text",
    "theme",
    "theme_id",
    "issue",
    "issue_id",
    "place",
    "district",
    "district_id",
    "community",
    "sector",
    "submitted_at",
    "likes",
    "respondent",
    "kind",
    "dup_of",
    "campaign",
]


def _mix(x: np.ndarray, seed: int) -> np.ndarray:
    """splitmix64 of ``x`` (uint64), salted with the seed: stable pseudonyms without a lookup table."""
    with np.errstate(over="ignore"):
        z = x.astype(np.uint64) + np.uint64((seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) % 2**64)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def _codes(prefix: str, values: np.ndarray, width: int, base: int) -> np.ndarray:
    """``prefix`` + zero-padded digits of ``values`` in ``base`` (10 or 16), built without a Python loop."""
    values = values.astype(np.uint64)
    chars = np.empty((len(values), width + 1), dtype=np.uint32)
    chars[:, 0] = ord(prefix)
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8).astype(np.uint32)
    for k in range(width):
        chars[:, width - k] = digits[(values // np.uint64(base**k)) % np.uint64(base)]
    return chars.view(f"<U{width + 1}").ravel().astype(object)


def _pick(rng, offset: np.ndarray, count: np.ndarray, group: np.ndarray) -> np.ndarray:
    """One item per row from each row's group of a flattened piece list."""
    return offset[group] + (rng.random(len(group)) * count[group]).astype(np.int64)


def _campaigns(cat: Catalogue, seed: int, span: float) -> dict[str, np.ndarray]:
    """Fixed campaigns: one text each, posted many times by one person or by many."""
    rng = np.random.default_rng([seed, 7003])
    k = N_CAMPAIGNS
    issue = rng.choice(len(cat.issue_weight), size=k, replace=False, p=cat.issue_weight)
    start = cat.issue_t0[issue] + rng.random(k) * np.maximum(cat.issue_t1[issue] - cat.issue_t0[issue] - 30, 0)
    return _pieces(cat, rng, issue) | {
        "weight": (np.arange(1, k + 1) ** -0.8) / (np.arange(1, k + 1) ** -0.8).sum(),
        "single": rng.random(k) < 0.4,  # one person posting again and again
        "t0": start,
        "t1": np.minimum(start + rng.uniform(5, 30, k), span),
    }


def _pieces(cat: Catalogue, rng, issue: np.ndarray) -> dict[str, np.ndarray]:
    """Piece indices for concerns about ``issue`` (one per row)."""
    m = len(issue)
    theme = cat.issue_theme[issue]
    d_cnt, a_cnt = cat.detail[2][theme], cat.ask[2][cat.issue_matter[issue]]
    drawn = _pick(rng, cat.district_comm_offset, cat.district_comm_count, cat.issue_district[issue])
    comm = np.where(cat.issue_community[issue] >= 0, cat.issue_community[issue], drawn)
    # detail, ask, where: positions inside their theme's, matter's, community's group; 0 is "" for detail and ask.
    return {
        "issue": issue,
        "body": _pick(rng, cat.body[1], cat.body[2], issue),
        "detail": (rng.random(m) < 0.55) * (1 + (rng.random(m) * (d_cnt - 1)).astype(np.int64)),
        "ask": (rng.random(m) < 0.5) * (1 + (rng.random(m) * (a_cnt - 1)).astype(np.int64)),
        "community": comm,
        "where": (rng.random(m) * cat.where[2][comm]).astype(np.int64),
        "greeting": rng.integers(len(cat.greeting), size=m),
        "tail": rng.integers(len(cat.tail), size=m),
        "closing": rng.integers(len(cat.closing), size=m),
        "echo": np.zeros(m, dtype=np.int64),
    }


_PIECES = ("issue", "body", "detail", "ask", "community", "where", "greeting", "tail", "closing", "echo")


def _block(cat: Catalogue, camp: dict, seed: int, b: int, span: float) -> dict[str, np.ndarray]:
    """Draw one block of rows (indices and numbers only, no strings)."""
    rng = np.random.default_rng([seed, 7002, b])
    m, base = BLOCK, b * BLOCK
    u = rng.random(m)
    kind = np.select(
        [u < P_NOISE, u < P_NOISE + P_CAMPAIGN, u < P_NOISE + P_CAMPAIGN + P_NEAR_DUP],
        [_NOISE, _CAMPAIGN, _NEAR],
        _CONCERN,
    )
    issue = np.searchsorted(np.cumsum(cat.issue_weight), rng.random(m) * (1 - 1e-12))
    row = _pieces(cat, rng, issue)
    t0, t1, g = cat.issue_t0[issue], cat.issue_t1[issue], cat.issue_growth[issue]
    t = t0 + (t1 - t0) * rng.random(m) ** (1.0 / (1.0 + g))
    # Some people write about the same matter again and again: a few ids per issue.
    key = np.where(
        rng.random(m) < 0.12,
        (issue * 512 + (rng.random(m) ** 3 * 512).astype(np.int64)) + 2**40,
        base + np.arange(m) + 2**41,
    )
    scale = 1 + 4 * cat.issue_weight[issue] / cat.issue_weight.max()
    likes = np.minimum(rng.pareto(1.3, m) * scale, 50_000).astype(np.int64)
    campaign = np.full(m, -1)
    dup_of = np.full(m, -1)

    # Campaigns: the same text from one or many people, inside the campaign's window.
    cm = np.flatnonzero(kind == _CAMPAIGN)
    c = np.searchsorted(np.cumsum(camp["weight"]), rng.random(len(cm)) * (1 - 1e-12))
    campaign[cm] = c
    for name in _PIECES:
        row[name][cm] = camp[name][c]
    many = ~camp["single"][c]
    echo_now = many & (rng.random(len(cm)) < 0.15)
    row["echo"][cm[echo_now]] = rng.integers(1, len(cat.echo), size=int(echo_now.sum()))
    t[cm] = camp["t0"][c] + rng.random(len(cm)) * (camp["t1"][c] - camp["t0"][c])
    key[cm] = np.where(many, key[cm], 2**42 + c)
    likes[cm] = np.where(many, likes[cm], likes[cm] // 4)

    # Near-duplicates: an earlier ordinary concern of this block, slightly reworded.
    ordinary = np.flatnonzero(kind == _CONCERN)
    nd = np.flatnonzero(kind == _NEAR)
    before = np.searchsorted(ordinary, nd)
    kind[nd[before == 0]] = _CONCERN
    nd, before = nd[before > 0], before[before > 0]
    src = ordinary[(rng.random(len(nd)) * before).astype(np.int64)]
    dup_of[nd] = base + src
    for name in _PIECES:
        row[name][nd] = row[name][src]
    for name, p in (("greeting", 0.5), ("closing", 0.5), ("tail", 0.3)):
        redo = nd[rng.random(len(nd)) < p]
        row[name][redo] = rng.integers(len(getattr(cat, name)), size=len(redo))
    redo = nd[rng.random(len(nd)) < 0.3]
    row["echo"][redo] = rng.integers(len(cat.echo), size=len(redo))
    t[nd] = np.minimum(t[src] + rng.random(len(nd)) * 20, span - 1e-6)
    key[nd] = np.where(rng.random(len(nd)) < 0.3, key[src], key[nd])
    likes[nd] //= 2

    # Noise: greetings, "无", off-topic; no ground truth, anywhere in the span.
    nz = np.flatnonzero(kind == _NOISE)
    t[nz] = rng.random(len(nz)) * span
    likes[nz] = 0
    district = cat.issue_district[issue]
    district[nz] = rng.integers(len(cat.district_ids), size=len(nz))
    row["community"][nz] = _pick(rng, cat.district_comm_offset, cat.district_comm_count, district[nz])
    row["where"][nz] = 0  # the text is replaced; keep the index inside the new community's group
    noise = rng.integers(len(cat.noise), size=m)

    theme_row = np.where(kind == _NOISE, len(cat.theme_ids), cat.issue_theme[issue])
    sector = (rng.random(m)[:, None] > cat.sector_cdf[theme_row]).sum(1)
    # Texts go in during the day, mostly 7:00–23:00.
    seconds = np.floor(t) * _SECONDS_PER_DAY + rng.integers(7 * 3600, 23 * 3600, size=m)
    return row | {
        "kind": kind,
        "district": district,
        "noise": noise,
        "sector": sector,
        "seconds": seconds,
        "likes": likes,
        "key": key,
        "campaign": campaign,
        "dup_of": dup_of,
        "variant": rng.random(m),
        "pii": rng.random(m),
        "pii_seed": rng.integers(2**31, size=m),
    }


def check_seed(seed, where: str) -> int:
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
        raise SampleError("sample.seed_invalid", where=where, seed=seed)
    return int(seed)


def _check(n, start, end) -> tuple[pd.Timestamp, pd.Timestamp]:
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or n < 0 or n > _MAX_ROWS:
        raise SampleError("sample.rows_invalid", limit=_MAX_ROWS, n=n)
    try:
        t0, t1 = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    except (ValueError, TypeError):
        raise SampleError("sample.dates_invalid", start=start, end=end) from None
    if t1 < t0 + pd.Timedelta(days=30):
        raise SampleError("sample.span_short", start=t0.date(), end=t1.date())
    return t0, t1


def generate_concerns(n: int, seed: int = 0, start="2025-01-01", end="2026-10-31") -> pd.DataFrame:
    """Return ``n`` synthetic residents' concerns with ground truth.

    Columns: ``id`` (stable, ``C00000001`` …), ``text``, ``theme`` / ``theme_id`` (领域, ids as in the
    forms' ``areas`` list), ``issue`` / ``issue_id`` (one concrete matter at one place), ``place``,
    ``district`` (镇街 label) / ``district_id``, ``community``, ``sector`` (界别 choice id of
    annual_topics), ``submitted_at``, ``likes``, ``respondent`` (pseudonym), ``kind`` (concern,
    near_duplicate, campaign, noise), ``dup_of`` (id of the reworded original) and ``campaign``.
    Noise rows have no theme or issue. Same ``(n, seed, start, end)`` gives the same frame, and the
    first k rows do not depend on ``n``.

    >>> df = generate_concerns(1000, seed=1)
    >>> df["theme"].nunique() >= 12
    True
    """
    t_start, t_end = _check(n, start, end)
    seed = check_seed(seed, "generate_concerns")
    span = float((t_end - t_start).days + 1)
    # Millions of new strings trigger needless full garbage collections (no cycles are made here).
    paused = gc.isenabled()
    gc.disable()
    try:
        return _generate(int(n), seed, t_start, span)
    finally:
        if paused:
            gc.enable()


def _generate(n: int, seed: int, t_start: pd.Timestamp, span: float) -> pd.DataFrame:
    cat = catalogue(seed, span)
    camp = _campaigns(cat, seed, span)
    blocks = [_block(cat, camp, seed, b, span) for b in range(max(1, -(-n // BLOCK)))]
    cols = {k: np.concatenate([blk[k] for blk in blocks])[:n] for k in blocks[0]}
    del blocks  # halve the peak memory of large samples
    return _frame(cat, cols, seed, t_start, n)


def _frame(cat: Catalogue, c: dict, seed: int, t_start: pd.Timestamp, n: int) -> pd.DataFrame:
    is_noise = c["kind"] == _NOISE
    comm = c["community"]
    opening = cat.opening[1][comm] + c["greeting"] * cat.where[2][comm] + c["where"]
    n_closing = len(cat.closing)
    matter = cat.issue_matter[c["issue"]]
    ending = cat.ending[1][matter] + (c["detail"] * cat.ask[2][matter] + c["ask"]) * n_closing + c["closing"]
    # Two halves, then the whole: the halves are freed together, which returns their memory to the system.
    text = (cat.opening[0][opening] + cat.body[0][c["body"]]) + (cat.tail[c["tail"]] + cat.ending[0][ending])
    echo = np.flatnonzero(c["echo"] > 0)
    text[echo] = cat.echo[c["echo"][echo]] + text[echo]
    text[is_noise] = cat.noise[c["noise"][is_noise]]
    pii = np.flatnonzero(~is_noise & (c["pii"] < P_PII))
    for i in pii:
        text[i] = add_pii(text[i], int(c["pii_seed"][i]))
    near = np.flatnonzero(c["kind"] == _NEAR)
    for i in near:
        text[i] = perturb(text[i], float(c["variant"][i]), int(c["pii_seed"][i]))

    def truth(values):
        out = values.copy()
        out[is_noise] = None
        return out

    ids = _codes("C", np.arange(1, n + 1), 8, 10)
    dup = c["dup_of"]
    dup_of = np.full(n, None, dtype=object)
    dup_of[dup >= 0] = ids[dup[dup >= 0]]
    campaign = np.full(n, None, dtype=object)
    campaign[c["campaign"] >= 0] = _codes("K", c["campaign"][c["campaign"] >= 0] + 1, 2, 10)
    resp = _mix(c["key"], seed) >> np.uint64(24)
    submitted = t_start + pd.to_timedelta(c["seconds"].astype(np.int64), unit="s")
    issue = c["issue"]
    return pd.DataFrame(
        {
            "id": ids,
            "text": text,
            "theme": truth(cat.theme_labels[cat.issue_theme[issue]]),
            "theme_id": truth(np.array(cat.theme_ids, dtype=object)[cat.issue_theme[issue]]),
            "issue": truth(cat.issue_labels[issue]),
            "issue_id": truth(cat.issue_ids[issue]),
            "place": truth(cat.issue_places[issue]),
            "district": cat.district_labels[c["district"]],
            "district_id": cat.district_ids[c["district"]],
            "community": cat.communities[c["community"]],
            "sector": np.array(cat.sector_ids, dtype=object)[c["sector"]],
            "submitted_at": submitted,
            "likes": c["likes"].astype(np.int64),
            "respondent": _codes("R", resp, 10, 16),
            "kind": KINDS[c["kind"]],
            "dup_of": dup_of,
            "campaign": campaign,
        },
        columns=COLUMNS,
    )
