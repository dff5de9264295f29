"""Masking of personal data in raw text: phone numbers, ID numbers (check digit), bank cards (Luhn),
e-mail, licence plates -- full-width, split into groups, prefixed -- while dates and amounts survive."""

import re
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.text import MASKS, mask_pii, mask_pii_many, valid_id_number
from toolkit.text.pii import find_pii

VALID_ID = "11010519491231002X"  # the GB 11643 standard's own example


def test_each_kind_is_masked_and_counted():
    counts = Counter()
    text = f"手机13912345678，座机0731-84567890，身份证{VALID_ID}，邮箱li.ming@example.cn，车牌湘A12345。"
    masked = mask_pii(text, counts)
    assert masked == "手机[手机号]，座机[电话]，身份证[身份证号]，邮箱[邮箱]，车牌[车牌]。"
    assert counts == Counter(mobile=1, landline=1, id_number=1, email=1, plate=1)


def test_an_id_number_is_a_birth_date_with_a_check_digit_or_a_province():
    assert valid_id_number(VALID_ID)
    assert not valid_id_number("110105194912310021")
    # A mistyped check digit leaves someone's ID: a real province code and a birth date are enough ...
    assert mask_pii("身份证110105194912310021") == "身份证[身份证号]"
    # ... an 18-digit order number with neither a province code nor a birth date in place is no ID.
    assert mask_pii("订单号202011250000123456") == "订单号202011250000123456"


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
@given(
    st.text(alphabet="小区噪音 ,，。0123456789", max_size=30),
    st.from_regex(r"1[3-9][0-9]{9}", fullmatch=True),
    st.text(alphabet="小区噪音 ,，。", max_size=30),
)
def test_no_mobile_number_survives(before, phone, after):
    masked = mask_pii(before + " " + phone + " " + after)
    assert phone not in masked
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", masked.replace(" ", "x"))


# --- raw, un-normalised variants (issue 11, item 2) -------------------------------------------------------


def _luhn_complete(body: str) -> str:
    """``body`` plus the Luhn check digit (how bank card numbers end)."""
    total = 0
    for i, c in enumerate(reversed(body)):
        n = int(c) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str(-total % 10)


CARD_16 = _luhn_complete("436742001234567")
CARD_19 = _luhn_complete("622848001234567890")
OLD_ID = "110105491231002"  # the 15-digit form of VALID_ID: area, YYMMDD, sequence

VARIANTS = [
    ("手机139.1234.5607，谢谢", "手机[手机号]，谢谢"),
    ("手机139 - 1234 - 5610，谢谢", "手机[手机号]，谢谢"),
    ("电话：１３９１２３４５６０７，已反映３次", "电话：[手机号]，已反映３次"),
    ("微信同号 +86 139 1234 5608", "微信同号 [手机号]"),
    ("0086-13912345609联系", "[手机号]联系"),
    ("座机0755 8765 4324。", "座机[电话]。"),
    ("物业87654325没人接", "物业[电话]没人接"),
    ("请拨020-8765-4326咨询", "请拨[电话]咨询"),
    ("办公室0731—84561238", "办公室[电话]"),
    ("值班室（0731）84561239转123", "值班室[电话]"),
    ("电话：2312528）", "电话：[电话]）"),
    ("给了两个号码:8127190/8127192", "给了两个号码:[电话]/[电话]"),  # a 7-digit number listed after one
    ("身份证 110105 19491231 002X 号", "身份证 [身份证号] 号"),
    ("身份证1101 0519 4912 3100 2x。", "身份证[身份证号]。"),
    ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证[身份证号]"),
    (f"老身份证{OLD_ID}已过期", "老身份证[身份证号]已过期"),
    (f"老身份证{OLD_ID[:6]} {OLD_ID[6:12]} {OLD_ID[12:]}已过期", "老身份证[身份证号]已过期"),
    ("车牌粤b12348乱停", "车牌[车牌]乱停"),
    ("车牌粤B 12349乱停", "车牌[车牌]乱停"),
    ("车牌湘ａ12352乱停", "车牌[车牌]乱停"),
    ("新能源车粤BD12345占位", "新能源车[车牌]占位"),
    ("湘A·1234F充电", "[车牌]充电"),
    (f"卡号{CARD_16}未到账", "卡号[银行卡号]未到账"),
    (f"卡号{' '.join(CARD_19[i : i + 4] for i in range(0, 19, 4))}未到账", "卡号[银行卡号]未到账"),
    (f"卡号{'-'.join(CARD_16[i : i + 4] for i in range(0, 16, 4))}。", "卡号[银行卡号]。"),
    (f"卡号{CARD_16.translate({c: c + 0xFEE0 for c in range(0x30, 0x3A)})}。", "卡号[银行卡号]。"),
    ("邮箱ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ。", "邮箱[邮箱]。"),
    ("邮箱12345678＠qq.com。", "邮箱[邮箱]。"),
]


@pytest.mark.parametrize("text, expected", VARIANTS)
def test_raw_variants_are_masked_whole_and_the_rest_kept(text, expected):
    assert mask_pii(text) == expected


def test_counts_name_each_kind():
    counts = Counter()
    mask_pii(f"卡{CARD_16}，证{OLD_ID}，电话87654325，手机139.1234.5607，湘ａ12352，a＠b.cn", counts)
    assert counts == Counter(bank_card=1, id_number=1, landline=1, mobile=1, plate=1, email=1)
    assert set(counts) <= set(MASKS)


def test_spans_cover_the_full_width_original():
    text = "电话：１３９１２３４５６０７。"
    assert [(text[s:e], kind) for s, e, kind in find_pii(text)] == [("１３９１２３４５６０７", "mobile")]


@pytest.mark.parametrize(
    "text",
    [
        "2019-05-12",
        "2019.05.12",
        "2019年5月12日",
        "20190512",  # dates, also as 8 digits
        "2009-2015年",
        "（2009—2020）规划",  # year ranges
        "金额12345.67元",
        "补偿23456789元",
        "¥23456789",
        "价格23456789.00",
        "每月5000-6000元",
        "2200-2300一平",
        "留言编号188006",
        "2019年投诉了3次",
        "第20190312号",
        "（2011）1778号",
        "预售证号2014-0036",
        "ISBN 978-7-80552-263-0",
        "发动机号E8024459",
        "IP 121.41.105.198",
        "订单号202011250000123456",  # 18 digits, no province or birth date
        f"卡号{CARD_16[:-1]}{(int(CARD_16[-1]) + 1) % 10}",  # 16 digits, Luhn wrong
        "老证号110105491331002",  # 15 digits, month 13
        "0000-00000000",  # the publisher's own mask
        "蒙ENGLISH",
        "A市A4区",
        "73.7029.4873.1243.8773.35",  # words, places, a score table
    ],
)
def test_dates_amounts_and_reference_numbers_survive(text):
    assert mask_pii(text) == text


def test_a_phone_word_makes_a_date_like_number_a_phone():
    # 8 digits that read as a date are kept, unless the writer says it is a number to call
    assert mask_pii("电话20190512") == "电话[电话]"


PII_ALPHABET = list("0123456789０１２３４５６７８９ -.—·()（）+Xx@＠ab.cn湘A粤B电话打号码卡元年[]/、\u3000")


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=80), st.text(alphabet=PII_ALPHABET, max_size=80)))
def test_masking_never_raises_and_is_idempotent(text):
    once = mask_pii(text)
    assert mask_pii(once) == once


@settings(max_examples=200, deadline=None)
@given(
    st.text(alphabet="小区噪音，。年 +-.0123456789", max_size=20),
    st.sampled_from(
        [
            (VALID_ID, "id_number"),
            (VALID_ID.lower(), "id_number"),
            ("110105 19491231 002X", "id_number"),
            (OLD_ID, "id_number"),
            (CARD_16, "bank_card"),
            (CARD_19, "bank_card"),
            ("0755 8765 4324", "landline"),
            ("139.1234.5607", "mobile"),
            ("粤b12348", "plate"),
            ("ｌｉ＠ｅｘａｍｐｌｅ．ｃｎ", "email"),
        ]
    ),
    st.text(alphabet="小区噪音，。年 +-.0123456789", max_size=20),
)
def test_planted_items_are_masked_whatever_surrounds_them(before, item, after):
    value, kind = item
    masked = mask_pii(f"{before}|{value}|{after}")
    assert masked.split("|")[1] == MASKS[kind]


@pytest.mark.slow
def test_megabyte_adversarial_inputs_finish():
    # hang protection only (speed is measured in benchmarks/pii.py): linear patterns, no backtracking blow-up
    import resource
    import subprocess
    import sys

    code = (
        "from toolkit.text.pii import mask_pii\n"
        "n = 1_000_000\n"
        "for s in ['123 ' * (n // 4), '1-' * (n // 2), 'a' * n, 'a@a.' * (n // 4), '湘A' * (n // 2),\n"
        "          '13812345678 ' * (n // 12), '１２３４ ' * (n // 5)]:\n"
        "    mask_pii(s)\n"
        "print('ok')\n"
    )

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))

    res = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert res.returncode == 0 and res.stdout.strip() == "ok", res.stderr


def test_ingest_json_and_console_print_problem_values_masked(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import ROOT, SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses, wjx_table, write_rows

    form_path = SURVEYS / "annual_topics.yaml"
    form = load_form(form_path)
    header, rows = wjx_table(form, generate_responses(form, 5, seed=3))
    col = {h: i for i, h in enumerate(header)}
    rows[1][col[next(h for h in header if "职业" in h)]] = "宇航员，电话１３８ １２３４ ５６７８"  # not a choice
    rows[3][col[next(h for h in header if "多少年" in h)]] = "0755-8765-4324"  # not a number
    path = write_rows(header, rows, tmp_path / "bad.xlsx", neutralise=False)
    cmd = [
        sys.executable,
        "-m",
        "toolkit.cli",
        "ingest",
        str(path),
        "--form",
        str(form_path),
        "--db",
        str(tmp_path / "x.db"),
        "--report",
        str(tmp_path / "r.xlsx"),
    ]
    as_json = subprocess.run(cmd + ["--json"], capture_output=True, text=True, cwd=ROOT)
    assert as_json.returncode == 0, as_json.stderr
    report = json.loads(as_json.stdout)
    assert report["rejected"] == 2
    assert {p["value"] for p in report["problems"]} == {"宇航员，电话[手机号]", "[电话]"}
    console = subprocess.run(
        cmd[:-4] + ["--db", str(tmp_path / "y.db"), "--report", str(tmp_path / "s.xlsx")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert console.returncode == 0 and "隔离 2 行" in console.stdout, console.stderr
    for out in (as_json.stdout, console.stdout):
        assert "１３８ １２３４" not in out and "8765" not in out
        assert "[手机号]" in out and "[电话]" in out
