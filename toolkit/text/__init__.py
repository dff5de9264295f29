"""Text pipeline: normalise, mask personal data, tokenise (jieba + domain dictionary), places and groups.

>>> from toolkit.text import normalize, mask_pii, tokenize
>>> tokenize(mask_pii(normalize("您好！我的電話13812345678，小區停車位不夠")))
['电话', '小区', '停车位', '不够']
"""

from toolkit.text.normalize import normalize, to_simplified
from toolkit.text.parallel import prepare_many, tokenize_many
from toolkit.text.pii import MASKS, mask_pii, mask_pii_many, valid_id_number
from toolkit.text.spots import is_area, is_road, same_spot, spot_names
from toolkit.text.tokenize import (
    cut,
    dictionary_tag,
    extract_groups,
    extract_places,
    groups,
    is_common_phrase,
    is_content_word,
    is_mistagged_phrase,
    is_proper_noun,
    name_part,
    place_suffixes,
    stopwords,
    tokenize,
)

__all__ = [
    "normalize",
    "to_simplified",
    "mask_pii",
    "mask_pii_many",
    "valid_id_number",
    "MASKS",
    "tokenize",
    "tokenize_many",
    "prepare_many",
    "cut",
    "dictionary_tag",
    "extract_places",
    "is_proper_noun",
    "is_common_phrase",
    "is_mistagged_phrase",
    "is_content_word",
    "place_suffixes",
    "name_part",
    "extract_groups",
    "groups",
    "spot_names",
    "same_spot",
    "is_area",
    "is_road",
    "stopwords",
]
