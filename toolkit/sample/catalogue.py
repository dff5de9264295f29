"""The issue catalogue behind synthetic concerns: places, themes, issues and the text pieces they are told with.

Everything is pre-built once per seed into flat numpy object arrays plus (offset, count) index arrays, so
that generating a million texts is fancy indexing and element-wise string addition, never per-row
formatting.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache
from importlib import resources

import numpy as np
import yaml


def _load(name: str) -> dict:
    return yaml.safe_load(resources.files("toolkit.sample").joinpath(name).read_text(encoding="utf-8"))


@dataclasses.dataclass(frozen=True)
class Place:
    kind: str
    name: str
    district: int  # index into Catalogue.district_ids
    community: int | None  # index into Catalogue.communities; None when the place serves the whole 镇街


def _places(raw: dict) -> tuple[list[str], list[str], list[str], list[int], list[Place]]:
    district_ids, district_labels, communities, community_district, places = [], [], [], [], []
    for d, (did, spec) in enumerate(raw.items()):
        district_ids.append(did)
        district_labels.append(spec["label"])
        places.append(Place("district", spec["label"], d, None))
        for comm, estates in spec["communities"].items():
            c = len(communities)
            communities.append(comm)
            community_district.append(d)
            places.append(Place("village" if comm.endswith("村") else "community", comm, d, c))
            places.extend(Place("estate", e, d, c) for e in estates or [])
        for key, kind in (
            ("roads", "road"),
            ("hospitals", "hospital"),
            ("markets", "market"),
            ("parks", "park"),
            ("industrial", "industrial"),
        ):
            places.extend(Place(kind, name, d, None) for name in spec.get(key, []))
        for name in spec.get("schools", []):
            places.append(Place("kindergarten" if name.endswith("幼儿园") else "school", name, d, None))
    return district_ids, district_labels, communities, community_district, places


def _refs(place: Place, district_label: str) -> list[str]:
    """Ways a resident names the place in a sentence."""
    name = place.name
    if place.kind == "district":
        return [name, "我们" + ("镇" if name.endswith("镇") else "街道"), "我们这里"]
    # "龙泉镇中心小学" already says where it is; "东湖路" gets its 街道 in front.
    refs = [name if name[:2] == district_label[:2] else district_label + name, name]
    if place.kind == "estate":
        refs += ["我们" + name, "我们小区"]
    elif place.kind in ("community", "village"):
        refs.append("我们" + ("村" if place.kind == "village" else "社区"))
    elif place.kind in ("school", "kindergarten"):
        refs.append("孩子上学的" + name)
    return refs


class _Flat:
    """Variable-length groups of strings flattened into one array with per-group offsets."""

    def __init__(self):
        self.items: list[str] = []
        self.offset: list[int] = []
        self.count: list[int] = []

    def add(self, group: list[str]) -> None:
        self.offset.append(len(self.items))
        self.count.append(len(group))
        self.items.extend(group)

    def freeze(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return (
            np.array(self.items, dtype=object),
            np.array(self.offset, dtype=np.int64),
            np.array(self.count, dtype=np.int64),
        )


def _objects(items) -> np.ndarray:
    items = list(items)
    out = np.empty(len(items), dtype=object)
    out[:] = list(items)
    return out


@dataclasses.dataclass
class Catalogue:
    """All pieces for one seed; arrays are indexed by issue, theme, community or piece."""

    theme_ids: list[str]
    theme_labels: np.ndarray  # object, per theme
    theme_rows: list[str]  # services-matrix row each theme rates
    theme_depts: list[list[str]]
    matter_asks: list[list[str]]  # per matter: what residents ask for (matter's own, then generic)
    district_ids: np.ndarray  # object, per district
    district_labels: np.ndarray
    communities: np.ndarray  # object, per community
    community_district: np.ndarray  # int, per community
    district_comm_offset: np.ndarray
    district_comm_count: np.ndarray
    # issues
    issue_ids: np.ndarray
    issue_labels: np.ndarray
    issue_places: np.ndarray
    issue_theme: np.ndarray
    issue_matter: np.ndarray  # index into matter_asks / ask / ending
    issue_district: np.ndarray
    issue_community: np.ndarray  # -1 when the row's community is drawn within the district
    issue_weight: np.ndarray  # popularity, sums to 1 (long tail)
    issue_t0: np.ndarray  # active window, days since start (float)
    issue_t1: np.ndarray
    issue_growth: np.ndarray  # density grows like x**growth inside the window
    body: tuple  # (_Flat) per issue: description sentences
    detail: tuple  # per theme, first entry ""
    ask: tuple  # per matter, first entry ""
    where: tuple  # per community
    greeting: np.ndarray
    tail: np.ndarray  # since + people + severity, punctuated
    closing: np.ndarray
    # Products of pieces that sit next to each other, so a text is 3 additions instead of 8
    # (greeting, where, body, tail, detail, ask, closing):
    opening: tuple  # per community: greeting x where
    ending: tuple  # per matter: detail x ask x closing
    echo: np.ndarray
    noise: np.ndarray
    sector_ids: list[str]
    sector_cdf: np.ndarray  # per theme (+1 row for noise): cumulative sector probabilities
    surnames: list[str]
    given_names: list[str]
    operators: list[str]


_SECTORS = [
    "education",
    "health",
    "science",
    "economy",
    "agriculture",
    "workers",
    "youth",
    "women",
    "welfare",
    "culture",
    "parties",
    "other_sector",
]  # annual_topics.yaml, list "sectors"
_ENDINGS = ("。", "。", "。", "！")


def _tail(since: list[str], people: list[str], severity: list[str]) -> list[str]:
    out = []
    for a in dict.fromkeys(since):
        for b in dict.fromkeys(people):
            for c in dict.fromkeys(severity):
                s = a + b + c
                if s.endswith("，"):
                    s = s[:-1] + "。"
                out.append(s)
    # Keep the empty tail as likely as in the YAML (many "" entries there).
    empties = sum(1 for x in since if not x) * sum(1 for x in people if not x) * sum(1 for x in severity if not x)
    out.extend([""] * max(0, empties // 4))
    return out


def _issues(themes: dict, places: list[Place], district_labels: list[str], rng) -> dict:
    """Instantiate every matter at up to six places of its kind: the issues, with their description sentences."""
    by_kind: dict[str, list[Place]] = {}
    for p in places:
        by_kind.setdefault(p.kind, []).append(p)
    out = {k: [] for k in ("ids", "labels", "places", "theme", "matter", "district", "community")}
    body, ask, matter_theme, matter_asks = _Flat(), _Flat(), [], []
    for t, (tid, spec) in enumerate(themes.items()):
        k = 0
        for matter in spec["matters"]:
            # A matter's own asks twice as likely as the theme's generic ones.
            ask.add([""] + matter["ask"] * 2 + spec["asks"])
            matter_asks.append(matter["ask"] + spec["asks"])
            matter_theme.append(t)
            pool = by_kind[matter["place"]]
            for i in sorted(rng.choice(len(pool), size=min(len(pool), 6), replace=False)):
                place = pool[i]
                k += 1
                out["ids"].append(f"{tid}-{k:02d}")
                out["labels"].append(matter["issue"].format(place=place.name))
                out["places"].append(place.name)
                out["theme"].append(t)
                out["matter"].append(len(matter_theme) - 1)
                out["district"].append(place.district)
                out["community"].append(-1 if place.community is None else place.community)
                refs = _refs(place, district_labels[place.district])
                body.add(
                    [
                        say.format(p=r) + _ENDINGS[int(rng.integers(len(_ENDINGS)))]
                        for say in matter["say"]
                        for r in refs
                    ]
                )
    return out | {"body": body, "ask": ask, "matter_theme": matter_theme, "matter_asks": matter_asks}


def _popularity(n_issues: int, span_days: float, rng) -> dict[str, np.ndarray]:
    """Long-tailed weights and active time windows of the issues."""
    # A few hot issues, many small ones (Zipf-like over a random order).
    rank = rng.permutation(n_issues) + 1
    weight = (rank + 2.0) ** -1.1  # top issue ~8 %, top ten ~40 %, half of them under 0.1 % each
    weight /= weight.sum()
    # Active windows: steady over the whole span, recent and growing, or a short episode.
    kind = rng.choice(3, size=n_issues, p=[0.45, 0.25, 0.30])
    t0 = np.where(
        kind == 1,
        rng.uniform(0.45, 0.85, n_issues) * span_days,
        np.where(kind == 2, rng.uniform(0, 0.9, n_issues) * span_days, 0.0),
    )
    length = np.where(kind == 2, rng.uniform(30, 150, n_issues), span_days - t0)
    t1 = np.minimum(t0 + length, span_days)
    growth = np.where(kind == 1, rng.uniform(1.0, 3.0, n_issues), 0.0)
    # The hottest issues are the ones people talk about now: make the top 3 grow.
    hot = np.argsort(-weight)[:3]
    t0[hot] = np.minimum(t0[hot], 0.3 * span_days)
    t1[hot] = span_days
    growth[hot] = np.maximum(growth[hot], 1.0)
    return {"issue_weight": weight, "issue_t0": t0, "issue_t1": t1, "issue_growth": growth}


def _sector_cdf(themes: dict) -> np.ndarray:
    """界别 per theme (last row: noise): everyone raises every theme, its own sectors more often."""
    base = np.ones((len(themes) + 1, len(_SECTORS)))
    base[:, _SECTORS.index("other_sector")] = 0.5
    for t, spec in enumerate(themes.values()):
        for s in spec.get("sectors", []):
            base[t, _SECTORS.index(s)] += 3.0
    cdf = np.cumsum(base / base.sum(1, keepdims=True), axis=1)
    cdf[:, -1] = 1.0
    return cdf


@lru_cache(maxsize=8)
def catalogue(seed: int = 0, span_days: float = 669.0) -> Catalogue:
    """Build (and cache) the catalogue for ``seed`` and a time span of ``span_days``."""
    rng = np.random.default_rng([seed, 7001])
    themes, phrases = _load("themes.yaml"), _load("phrases.yaml")
    district_ids, district_labels, communities, community_district, places = _places(_load("places.yaml"))
    iss = _issues(themes, places, district_labels, rng)
    popularity = _popularity(len(iss["ids"]), span_days, rng)

    comm_district = np.array(community_district, dtype=np.int64)
    assert (np.diff(comm_district) >= 0).all(), "communities are listed district by district"
    comm_count = np.bincount(comm_district, minlength=len(district_ids))
    comm_offset = np.concatenate([[0], np.cumsum(comm_count)[:-1]])

    detail, where, opening, ending = _Flat(), _Flat(), _Flat(), _Flat()
    for spec in themes.values():
        detail.add([""] + spec["details"])
    for c, comm in enumerate(communities):
        dl = district_labels[community_district[c]]
        where.add(
            list(dict.fromkeys(w.format(district=dl, community=comm) for w in phrases["where"]))
            + [""] * phrases["where"].count("")
        )
        own = where.items[where.offset[c] : where.offset[c] + where.count[c]]
        opening.add([g + w for g in phrases["greeting"] for w in own])
    ask = iss["ask"]
    for m, t in enumerate(iss["matter_theme"]):
        details = detail.items[detail.offset[t] : detail.offset[t] + detail.count[t]]
        asks = ask.items[ask.offset[m] : ask.offset[m] + ask.count[m]]
        ending.add([d + a + c for d in details for a in asks for c in phrases["closing"]])

    return Catalogue(
        theme_ids=list(themes),
        theme_labels=_objects(s["label"] for s in themes.values()),
        theme_rows=[s.get("row", "") for s in themes.values()],
        theme_depts=[s.get("dept", []) for s in themes.values()],
        matter_asks=iss["matter_asks"],
        district_ids=_objects(district_ids),
        district_labels=_objects(district_labels),
        communities=_objects(communities),
        community_district=comm_district,
        district_comm_offset=comm_offset,
        district_comm_count=comm_count,
        issue_ids=_objects(iss["ids"]),
        issue_labels=_objects(iss["labels"]),
        issue_places=_objects(iss["places"]),
        issue_theme=np.array(iss["theme"]),
        issue_matter=np.array(iss["matter"]),
        issue_district=np.array(iss["district"]),
        issue_community=np.array(iss["community"]),
        **popularity,
        body=iss["body"].freeze(),
        detail=detail.freeze(),
        ask=ask.freeze(),
        where=where.freeze(),
        greeting=_objects(phrases["greeting"]),
        tail=_objects(_tail(phrases["since"], phrases["people"], phrases["severity"])),
        opening=opening.freeze(),
        ending=ending.freeze(),
        closing=_objects(phrases["closing"]),
        echo=_objects(phrases["echo"]),
        noise=_objects(phrases["noise"]),
        sector_ids=_SECTORS,
        sector_cdf=_sector_cdf(themes),
        surnames=phrases["surnames"],
        given_names=phrases["given_names"],
        operators=phrases["operators"],
    )
