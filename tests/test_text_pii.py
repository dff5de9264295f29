"""Masking of personal data: phone numbers, ID numbers (check digit), e-mail, licence plates."""

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.text import mask_pii, mask_pii_many, valid_id_number

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_each_kind_is_masked_and_counted():
    counts = Counter()
    text = f"手机13912345678，座机0731-84567890，身份证{VALID_ID}，邮箱li.ming@example.cn，车牌湘A12345。"
    masked = mask_pii(text, counts)
    assert masked == "手机[手机号]，座机[电话]，身份证[身份证号]，邮箱[邮箱]，车牌[车牌]。"
    assert counts == Counter(mobile=1, landline=1, id_number=1, email=1, plate=1)


def test_id_number_needs_a_valid_check_digit():
    assert valid_id_number(VALID_ID)
    assert not valid_id_number("110105194912310021")
    # An 18-digit order number with a wrong check digit is not an ID number (nor a phone number).
    assert "110105194912310021" in mask_pii("订单号110105194912310021")


def test_spaced_and_prefixed_mobiles_are_masked():
    assert mask_pii("电话 +86 138 1234 5678 联系") == "电话 [手机号] 联系"


def test_ordinary_numbers_survive():
    text = "2019年投诉了3次，小区有1200户，编号20190312"
    assert mask_pii(text) == text


def test_mask_many_totals():
    masked, counts = mask_pii_many(["13812345678", "无", "a@b.cn"])
    assert masked == ["[手机号]", "无", "[邮箱]"]
    assert counts["mobile"] == 1 and counts["email"] == 1


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="小区噪音 ,，。0123456789", max_size=30),
       st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
       st.text(alphabet="小区噪音 ,，。", max_size=30))
def test_no_mobile_number_survives(before, phone, after):
    masked = mask_pii(before + " " + phone + " " + after)
    assert phone not in masked
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", masked.replace(" ", "x"))
