"""Normalisation: width, script, emoji, whitespace and boilerplate."""

from toolkit.text import normalize


def test_full_width_and_traditional_become_half_width_simplified():
    assert normalize("ＡＢＣ１２３小區停車難") == "ABC123小区停车难"


def test_emoji_whitespace_and_boilerplate_removed():
    assert normalize("尊敬的领导您好！\n\n  物业   不作为😡😡，谢谢") == "物业不作为"


def test_cjk_spaces_from_copy_paste_are_dropped_but_latin_spaces_kept():
    assert normalize("加 装 电梯 WiFi signal") == "加装电梯 WiFi signal"


def test_missing_values_become_empty_text():
    assert normalize(None) == ""
    assert normalize(float("nan")) == ""
    assert normalize("您好，谢谢！") == ""


def test_simplified_text_with_ambiguous_characters_is_left_alone():
    # 著 and 干 are also simplified characters: no conversion must touch them.
    assert normalize("著名的干部") == "著名的干部"
