"""Issues: one matter, at one spot when the texts name one.

1. **Matters.** Inside each theme, the fine clusters (~10 texts each, found on the way to the themes)
   are joined by average-linkage agglomerative clustering of their centres until two parts are less
   alike than ``similarity`` (mean cosine). The number of issues follows the data: k-means with k
   proportional to the input split the largest matters into dozens of pieces (on 10,000 sample concerns
   the ten largest true issues were spread over 17 issues each; now about 2).
2. **Places.** A matter whose texts name two or more places, each named by a share of them (or by
   a few texts, when the place is named mostly about this matter), is split by place: "业委会成立难" at
   新城国际 and at 阳光城 are two issues, "医保报销难" in two 街道 too. A place that holds another one
   named here (城关街道 holds 幸福里社区: most texts naming the latter name the former) founds no issue
   of its own. A text naming several places goes with a spot (:mod:`toolkit.text.spots`) before an
   area, then with the place most named in this matter (the spot of the matter rather than a
   speaker's own 社区); texts naming none join the group nearest in TF-IDF — when they are a handful and fewer
   than those naming a place, their own group competes (the same matter elsewhere: other shops' fumes are not
   魅力之城's; a matter most of whose letters name no place is not cut into its few speakers' 社区). A matter of
   which one spot alone founds an issue, the spot named mostly about it, is split in two: that spot's letters
   and the rest (温斯顿's refunds inside "培训机构退费").
3. **Spots.** Parts of one theme about the same spot are joined: one spot, one issue, however
   differently it was worded.
4. **Anchors** (after letters naming another issue's anchor have joined it, :func:`gather_at_anchors`): an issue
   whose main spot or name only some of its letters name is split into those letters and the same kind of matter
   elsewhere (:func:`split_at_anchors`: 凉塘路's stalled renovation inside "旧城改造").

Measured with ``benchmarks/topics_issues.py`` against the sample generator's true issues.
"""

from __future__ import annotations

from collections import Counter

import numpy as np
import scipy.sparse as sp
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.preprocessing import normalize as l2_normalize

from toolkit.text import is_area, same_spot, spot_names

# A place founds its own issue when at least this many texts of the matter name it, and either
# ``place_share`` of the matter's texts do or most texts naming the place anywhere are about this matter.
MIN_PLACE_TEXTS = 3
OWN_PLACE_SHARE = 0.5
# A part is about a spot when this share of its texts name it.
SPOT_SHARE = 0.3
# P holds Q when at least this share of the texts naming Q also name P (and P is named more often).
HOLDS_SHARE = 0.3
# A spot founding no issue beside it splits off its matter's letters when this many texts (voices, for an issue's
# anchor) name it.
CORE_MIN_TEXTS = 5
# A letter not naming the spot is of its matter when as near to the spot's letters as the lower quartile of them.
CORE_QUANTILE = 0.25
# A letter in a broad issue naming another issue's anchor joins it when this near (cosine) to it as to its own;
# on 附件3, 0.2–0.35 gave the same ranking, no nearness test at all (1.0) a worse one (benchmarks/rank_reference.py).
BROAD_MARGIN = 0.25


def find_issues(
    Z,
    X,
    theme,
    fine,
    places,
    *,
    similarity: float = 0.3,
    place_share: float = 0.1,
    n_issues="auto",
    names=None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(issue, theme)`` per text (issue -1 where ``theme`` is -1); every issue lies inside one theme.

    ``Z`` unit LSA rows, ``X`` TF-IDF rows (L2-normalised), ``fine`` the fine cluster of each text,
    ``places`` the extracted place names per text, ``names`` the rare names per text
    (:func:`toolkit.topics.anchor.rare_names`). With a whole number ``n_issues`` each theme gets its share of
    that total and no place split is made (the count asked for is kept).
    """
    issue = np.full(len(theme), -1, dtype=int)
    total = int((theme >= 0).sum())
    spots = named = place_keys(places) if n_issues == "auto" else None
    if named is not None and names is not None:  # rare names split matters like places, but are no spots
        named = [a | b for a, b in zip(named, names, strict=True)]
    named_total = Counter(p for names in named for p in names) if named is not None else None
    holds = _holds(named, named_total) if named is not None else None
    next_id = 0
    for t in np.unique(theme[theme >= 0]):
        members = np.flatnonzero(theme == t)
        wanted = None if n_issues == "auto" else max(1, round(int(n_issues) * len(members) / total))
        parts = []
        for matter in _matters(Z, members, fine[members], similarity, wanted):
            parts += [matter] if wanted else _by_place(X, matter, named, named_total, holds, place_share)
        for part in parts if wanted else _join_by_spot(parts, spots):
            issue[part] = next_id
            next_id += 1
    if spots is not None:
        issue, theme = join_across_themes(Z, issue, theme, spots, similarity)
    return issue, theme


def gather_at_anchors(
    Z, issue, theme, anchors, voices, weight, margin: float = 0.1, home=None, broad_margin: float = BROAD_MARGIN
):
    """Letters naming a spot or name that is another issue's anchor join that issue when they read almost as
    near to it (within ``margin`` of cosine) as to their own: the four 魅力之城 letters inside a city-wide
    "门面油烟" issue belong with the 魅力之城 issue. An issue's anchor counts when most of its voices name it
    (:func:`toolkit.topics.anchor.main_anchor`) and it has ``MIN_PLACE_TEXTS`` texts; an anchor two issues
    have is at home in the one where more texts name it. ``home`` (``{anchor: issue}``) gives the homes instead.
    A letter in a broad issue (no anchor most of its voices name: "公园何时建" about a dozen parks) that names an
    anchor among its first spots joins the anchor's issue of its theme within ``broad_margin``: there its spot
    is the matter, and short subject lines read nearer the generic wording ("何时开工") than the spot's letters.
    Returns ``(issue, theme)``.
    """
    from toolkit.topics.anchor import SUBJECT_SPOTS, main_anchor
    from toolkit.topics.summary import centres

    members = members_of(issue)
    k = len(members)
    most: dict[str, tuple[int, int]] = {}  # the issue where most texts name the anchor is its home
    broad = set()
    for t, idx in enumerate(members):
        if len(idx) < MIN_PLACE_TEXTS:
            continue
        name, share = main_anchor([anchors[i] for i in idx], [voices[i] for i in idx])
        if share < 0.5:
            broad.add(t)
        elif name and home is None:  # homes given: only which issues are broad is wanted here
            naming = sum(any(same_spot(name, n) for n in anchors[i]) for i in idx)
            most[name] = max(most.get(name, (0, 0)), (naming, -t))
    if home is None:
        home = {name: -t for name, (_, t) in most.items()}
    if not home:
        return issue.copy(), theme.copy()
    centre = centres(Z, issue, weight, k)
    issue, theme = issue.copy(), theme.copy()
    of_issue = {t: int(theme[idx[0]]) for t, idx in enumerate(members) if len(idx)}
    homes_of = _spot_index(home)
    for i in np.flatnonzero(issue >= 0):
        own = int(issue[i])
        named = {t for a in anchors[i] for t in homes_of(a)}
        there = sorted(named - {own})
        if not there or own in named:
            continue
        # from a broad issue: the issues of the spots it names first, in its theme, within the wider margin
        wide = sorted(
            {t for a in anchors[i][:SUBJECT_SPOTS] for t in homes_of(a) if t != own and of_issue[t] == theme[i]}
            if own in broad
            else ()
        )
        best = max(wide or there, key=lambda t: (float(Z[i] @ centre[t]), -t))
        if float(Z[i] @ centre[best]) >= float(Z[i] @ centre[own]) - (broad_margin if wide else margin):
            issue[i], theme[i] = best, of_issue[best]
    return issue, theme


def split_at_anchors(X, issue, anchors, voices, vocab, dup):
    """An issue whose main anchor (:func:`toolkit.topics.anchor.main_anchor`) some of its texts name and others
    not splits in two: the letters naming it, with those reading as near to them as they do to one another (the
    matter told without the name), and the rest (温斯顿's refunds inside "培训机构退费", 凉塘路 inside "旧城改造").
    Only for a spot or name that founds a matter — ``CORE_MIN_TEXTS`` voices name it, at least half of all texts
    naming it are here (not a speaker's own 社区) — and when at least ``MIN_PLACE_TEXTS`` texts stay apart and those
    joining the spot's letters are fewer than they (else the spot is a few letters inside a broad matter that reads
    alike: 5 letters on one 癌症村 inside 118 on pollution). The rest may split again (in the same theme).
    Nearness is read without the name's words (every letter naming it shares them) and over distinct texts
    (``dup``: near-duplicate group per text, -1 for none; copies would make the bar 1). ``X``: TF-IDF rows (unit
    length), ``vocab`` its words. Returns the new ``issue`` and the spots split off, ``{anchor: issue}``: letters
    naming one elsewhere may join it (:func:`gather_at_anchors` with ``home``)."""
    from toolkit.topics.anchor import main_anchor
    from toolkit.topics.labels import overlaps
    from toolkit.topics.summary import leave_out

    named_total = Counter(n for names in anchors for n in set(names))
    issue = issue.copy()
    queue = [idx for idx in members_of(issue) if len(idx)]
    next_id = len(queue) and int(issue.max()) + 1
    cores: dict[str, int] = {}
    while queue:
        idx = queue.pop()
        if len(idx) < CORE_MIN_TEXTS + MIN_PLACE_TEXTS:
            continue
        name, share = main_anchor([anchors[i] for i in idx], [voices[i] for i in idx])
        if not name or share >= 1:
            continue
        here = np.array([any(same_spot(name, n) for n in anchors[i]) for i in idx], dtype=bool)
        own = sum(name in anchors[i] for i in idx)
        if len({voices[i] for i in idx[here]}) < CORE_MIN_TEXTS or own < OWN_PLACE_SHARE * named_total[name]:
            continue
        variants = {n for i in idx[here] for n in anchors[i] if same_spot(name, n)}
        rows = leave_out(X[idx], vocab, lambda word, names=variants: any(overlaps(word, v) for v in names))
        distinct = np.asarray([dup[i] < 0 or dup[i] == i for i in idx]) & here
        if distinct.sum() < 2:
            continue
        core = l2_normalize(np.asarray(rows[here].sum(axis=0)))
        # a letter of the matter that does not name the spot reads as near to its letters as they do to each other
        typical = np.quantile(_alike_to_the_others(rows[distinct]), CORE_QUANTILE)
        far = np.asarray(rows[~here] @ core.T).ravel() < typical
        if far.sum() < MIN_PLACE_TEXTS or (~far).sum() > here.sum():
            continue
        apart = idx[~here][far]
        cores.setdefault(name, int(issue[idx[0]]))
        issue[apart] = next_id
        next_id += 1
        queue.append(apart)
    return issue, cores


def members_of(issue) -> list[np.ndarray]:
    """The texts of each issue ``0 .. max`` (an empty array for an unused id; texts of issue -1 left out)."""
    k = int(issue.max()) + 1 if (issue >= 0).any() else 0
    placed = np.flatnonzero(issue >= 0)
    order = placed[np.argsort(issue[placed], kind="stable")]
    return np.split(order, np.cumsum(np.bincount(issue[placed], minlength=k))[:-1]) if k else []


def _spot_index(home: dict[str, int]):
    """A lookup ``name -> issues whose anchor is the same spot`` (:func:`toolkit.text.same_spot`: one name holds the
    other) without comparing every name with every anchor: each anchor is indexed under all its substrings."""
    inside: dict[str, set[int]] = {}  # substring -> issues whose anchor holds it
    for name, t in home.items():
        for a in range(len(name)):
            for b in range(a + 1, len(name) + 1):
                inside.setdefault(name[a:b], set()).add(t)

    def homes_of(name: str) -> set[int]:
        found = set(inside.get(name, ()))  # anchors holding the name
        for a in range(len(name)):  # anchors the name holds
            for b in range(a + 1, len(name) + 1):
                if name[a:b] in home:
                    found.add(home[name[a:b]])
        return found

    return homes_of


def join_across_themes(Z, issue, theme, spots, similarity: float):
    """Issues in different themes about the same spot and alike in wording are one matter (the themes cut
    one matter's letters apart: "河口老街堵车" under 交通 and under 城建). Joined, the issue takes the theme
    most of its texts have, and so do its texts. A kind of place written like a name
    (:func:`toolkit.topics.anchor.generic_names`) is no such spot: "人民医院" under 卫生 (its doctors) and
    under 劳动 (its staff's pay) are two matters, often of two counties' hospitals. Returns ``(issue, theme)``."""
    from toolkit.topics.anchor import generic_names

    members = members_of(issue)
    k = len(members)
    generic = generic_names({p for named in spots for p in named if not is_area(p)})
    tops = [_spots_of(idx, spots) - generic for idx in members]
    centre = l2_normalize(np.vstack([Z[idx].sum(axis=0) for idx in members])) if k else np.zeros((0, 1))
    root = list(range(k))
    for a in range(k):
        for b in range(a):
            if root[b] != root[a] and _share_spot(tops[a], tops[b]) and float(centre[a] @ centre[b]) >= similarity:
                old, new = max(root[a], root[b]), min(root[a], root[b])
                root = [new if r == old else r for r in root]
    if root == list(range(k)):
        return issue, theme
    issue, theme = issue.copy(), theme.copy()
    for r in sorted(set(root)):
        idx = np.concatenate([members[t] for t in range(k) if root[t] == r])
        issue[idx] = r
        theme[idx] = Counter(theme[idx].tolist()).most_common(1)[0][0]
    return issue, theme


def place_keys(places) -> list[set[str]]:
    """Spots (normalised) and areas named by each text."""
    cache: dict[tuple, set[str]] = {}  # most texts name the same few places
    out = []
    for p in places:
        key = tuple(p or ())
        if key not in cache:
            cache[key] = spot_names(key) | {a for a in key if is_area(a)}
        out.append(cache[key])
    return out


def _holds(named, count: Counter) -> dict[str, set[str]]:
    """Place -> the places it holds, learnt from co-mention over the whole collection (``count``: texts per place)."""
    pairs = Counter((p, q) for names in named if len(names) > 1 for p in names for q in names if p != q)
    out: dict[str, set[str]] = {}
    for (p, q), both in pairs.items():
        if both >= 2 and count[p] > count[q] and both >= HOLDS_SHARE * count[q]:
            out.setdefault(p, set()).add(q)
    return out


def _join_by_spot(parts, named):
    """Parts of one theme about the same spot are one issue, however differently worded
    ("河口老街堵车半小时" and "河口老街红绿灯不合理")."""
    joined: list[list[int]] = []
    spots: list[set[str]] = []
    for k, part in enumerate(parts):
        mine = _spots_of(part, named)
        at = next((j for j, s in enumerate(spots) if _share_spot(mine, s)), None)
        if at is None:
            joined.append([k])
            spots.append(set(mine))
        else:
            joined[at].append(k)
            spots[at] |= mine
    return [np.sort(np.concatenate([parts[k] for k in ks])) for ks in joined]


def _spots_of(part, named) -> set[str]:
    """The spots a part of texts is about: the non-area places named by ``SPOT_SHARE`` of them and by two at
    least — by half of them in a part of fewer than ``2 * MIN_PLACE_TEXTS`` (a bare mention in a small part
    of other matters does not make it that spot's). An estate named beside its road ("劳动东路魅力之城小区")
    gives both."""
    counts = Counter(p for i in part for p in named[i] if not is_area(p))
    share = SPOT_SHARE if len(part) >= 2 * MIN_PLACE_TEXTS else 0.5
    return {p for p, c in counts.items() if c >= max(2, share * len(part))}


def _share_spot(a: set[str], b: set[str]) -> bool:
    return any(same_spot(x, y) for x in a for y in b)


def _matters(Z, members, fine, similarity, wanted):
    """Groups of ``members``: their fine clusters joined by average linkage on centre cosine."""
    units, unit_of = np.unique(fine, return_inverse=True)
    if len(units) == 1:
        return [members]
    of_unit = sp.csr_matrix(
        (np.ones(len(members)), (unit_of, np.arange(len(members)))), shape=(len(units), len(members))
    )
    tree = linkage(l2_normalize(np.asarray(of_unit @ Z[members])), method="average", metric="cosine")
    if wanted:
        labels = fcluster(tree, t=min(wanted, len(units)), criterion="maxclust")
    else:
        labels = fcluster(tree, t=1 - similarity, criterion="distance")
    of_text = labels[unit_of]
    return [members[of_text == lab] for lab in np.unique(of_text)]


def _by_place(X, matter, named, named_total, holds, share):
    """Split one matter by the places its texts name (see the module docstring)."""
    counts = Counter(p for i in matter for p in named[i])
    need = max(MIN_PLACE_TEXTS, share * len(matter))

    def founds(place, c):
        # a share of the matter, or a place named mostly about this matter (a speaker's own 社区,
        # named about everything its residents raise, founds nothing)
        return c >= need or (c >= MIN_PLACE_TEXTS and c >= OWN_PLACE_SHARE * named_total[place])

    frequent = [p for p, c in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if founds(p, c)]
    frequent = [p for p in frequent if not holds.get(p, set()) & set(frequent)]
    roots: list[str] = []  # one name per spot: "投诉武广新城" is filed under "武广新城"
    root_of = {}
    for name in frequent:
        root_of[name] = next((r for r in roots if same_spot(name, r)), name)
        if root_of[name] == name:
            roots.append(name)
    if len(roots) == 1 and not is_area(roots[0]) and counts[roots[0]] >= OWN_PLACE_SHARE * named_total[roots[0]]:
        return _one_place_core(matter, named, roots[0])
    if len(roots) < 2:
        return [matter]
    group = np.full(len(matter), -1)
    for j, i in enumerate(matter):
        hits = {roots.index(root_of[a]) for p in named[i] for a in frequent if same_spot(p, a)}
        if hits:
            group[j] = max(hits, key=lambda r: (not is_area(roots[r]), counts[roots[r]], -r))
    centres = np.vstack([np.asarray(X[matter[group == r]].sum(axis=0)) for r in range(len(roots))])
    free = group < 0
    if free.any():
        sims = np.asarray(X[matter[free]] @ l2_normalize(centres).T)
        if MIN_PLACE_TEXTS <= free.sum() < (~free).sum():  # a minority naming no place: the matter elsewhere
            sims = np.hstack([sims, _alike_to_the_others(X[matter[free]])[:, None]])
        group[free] = sims.argmax(axis=1)
    return [matter[group == r] for r in range(len(roots) + 1) if (group == r).any()]


def _one_place_core(matter, named, place):
    """A matter of which one spot founds an issue and no other does, the spot named mostly about this matter: the
    texts naming it are that spot's issue (温斯顿's refunds inside "培训机构退费"), the rest (the same kind of matter
    elsewhere) another, when both are big enough to stand."""
    here = np.array([any(same_spot(p, place) for p in named[i]) for i in matter], dtype=bool)
    if here.sum() < CORE_MIN_TEXTS or (~here).sum() < MIN_PLACE_TEXTS:
        return [matter]
    return [matter[here], matter[~here]]


def _alike_to_the_others(rows) -> np.ndarray:
    """Per row: cosine with the sum of the other rows (no row is near a centre for being part of it)."""
    rows = sp.csr_matrix(rows)
    total = np.asarray(rows.sum(axis=0)).ravel()
    own = np.asarray(rows @ total).ravel()
    sq = np.asarray(rows.multiply(rows).sum(axis=1)).ravel()
    others = np.sqrt(np.maximum(float(total @ total) - 2 * own + sq, 1e-12))
    return (own - sq) / (np.sqrt(np.maximum(sq, 1e-12)) * others)
