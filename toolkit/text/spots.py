"""Spots: the specific places a concern is about (小区, 路, 学校 …), as opposed to areas (市, 县, 街道, 镇).

One matter at one spot is the unit staff act on, so both the topic model (issues follow spots) and
the agenda (a candidate concentrated on one spot) compare texts by the spots they name. Names are
normalised so variants agree: "A市丽发新城小区", "区丽发新城" and "丽发新城" are one spot.

>>> sorted(spot_names(["A市", "A市丽发新城小区", "泉塘街道", "府前社区"]))
['丽发新城', '府前社区']
"""

from __future__ import annotations

import re

_AREA = re.compile(r"(?:市|县|省|街道|镇|乡|(?<![小社园校景片城])区)$")
_ADMIN_PREFIX = re.compile(r"^(?:[A-Z]?\d*[市县区省])+")
_SPOT_SUFFIX = re.compile(r"(?:小区|社区)$")
# Two characters are a suffix or a fragment ("新城", "景园"), not a spot anyone can find.
MIN_SPOT_CHARS = 3


def is_area(name: str) -> bool:
    """ "A市", "A7县", "泉塘街道", "投诉A7县": an area, not a spot."""
    return bool(_AREA.search(str(name)))


_ROAD = re.compile(r"(?:路|街|道|巷|弄|线|环|高速|公路)$")


def is_road(name: str) -> bool:
    """ "凉塘路", "星沙大道", "北二环": a road, a spot that runs for kilometres (letters naming it may be about
    different points along it)."""
    return bool(_ROAD.search(str(name)))


def spot_names(places) -> set[str]:
    """The spots among extracted place names (see :func:`toolkit.text.extract_places`), normalised."""
    names = set()
    for place in places or ():
        if is_area(place):
            continue
        name = _ADMIN_PREFIX.sub("", place)
        short = _SPOT_SUFFIX.sub("", name)
        # "丽发新城小区" is filed as "丽发新城", but "府前社区" keeps its suffix: "府前" is too short to find
        name = short if len(short) >= MIN_SPOT_CHARS else name
        if len(name) >= MIN_SPOT_CHARS:
            names.add(name)
    return names


def same_spot(a: str, b: str) -> bool:
    """One name holds the other ("武广新城" in "投诉武广新城"): the same spot, named more or less fully."""
    return a in b or b in a
