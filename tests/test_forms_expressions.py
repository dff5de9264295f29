import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from toolkit.forms import Expression, ExpressionError, parse


@pytest.mark.parametrize(
    "text, answers, current, expected",
    [
        ("${q3} == 'yes'", {"q3": "yes"}, None, True),
        ("${q3} = 'yes'", {"q3": "no"}, None, False),
        ("${q3} != 'yes'", {}, None, True),
        ("selected(${q5}, 'parking')", {"q5": ["noise", "parking"]}, None, True),
        ("selected(${q5}, 'parking')", {"q5": "noise parking"}, None, True),  # XLSForm's space-separated form
        ("not(selected(${q5}, 'parking'))", {"q5": []}, None, True),
        (". >= 18 and . <= 120", {}, 30, True),
        (". >= 18 and . <= 120", {}, 17, False),
        (". >= 18 and . <= 120", {}, "121", False),
        (". >= 18", {}, None, False),  # empty is neither larger nor smaller
        ("count-selected(.) <= 3", {}, ["a", "b", "c", "d"], False),
        ("count_selected(.) <= 3", {}, ["a"], True),
        ("string-length(.) >= 5", {}, "停车难问题", True),
        ("regex(., '^1[3-9][0-9]{9}$')", {}, "13800001234", True),
        ("regex(., '^1[3-9][0-9]{9}$')", {}, "1380000123", False),
        ("${a} + ${b} * 2 > 10", {"a": 1, "b": 5}, None, True),
        ("(${a} + ${b}) div 2 = 3", {"a": 2, "b": 4}, None, True),
        ("-${a} < 0", {"a": 3}, None, True),
        ("${x} == '' or ${y} > 2", {"y": 3}, None, True),
        ("${m/row1} >= 4", {"m/row1": "5"}, None, True),
    ],
)
def test_evaluate(text, answers, current, expected):
    assert parse(text).test(answers, current) is expected


def test_references_and_choices():
    e = Expression("selected(${q5}, 'parking') and ${q3} == 'yes' or ${age} > 60")
    assert e.references == {"q5", "q3", "age"}
    assert e.selected_choices() == [("q5", "parking")]
    assert e.compared_values() == [("q3", "yes")]


def test_xpath_translation():
    assert parse("${q3} == 'yes' and . >= 18").to_xpath() == "(${q3} = 'yes') and (. >= 18)"
    assert parse("${a} / 2 > 1").to_xpath() == "(${a} div 2) > 1"
    assert parse("count_selected(.) <= 3").to_xpath() == "count-selected(.) <= 3"


@pytest.mark.parametrize(
    "bad, where",
    [
        ("${q3} == ", "不完整"),
        ("${q3} === 'a'", "不应出现"),
        ("eval('1')", "未知函数"),
        ("__import__('os')", "未知函数"),
        ("selected(${q5})", "需要 2 个参数"),
        ("(${a} > 1", "不完整"),
        ("${a} > 1)", "多余"),
        ("${a} ; 1", "无法识别"),
    ],
)
def test_parse_errors_are_chinese_and_located(bad, where):
    with pytest.raises(ExpressionError) as info:
        parse(bad)
    message = str(info.value)
    assert where in message and "个字符处" in message and "修改" in message


def test_never_evaluates_python():
    # attribute access and calls of Python objects cannot even be expressed
    with pytest.raises(ExpressionError):
        parse("().__class__")


_ALPHABET = st.sampled_from(list("${}()'\" .,=!<>+-*/abq12_") + ["and", "or", "selected", "not", "count-selected"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=30).map("".join))
def test_parser_fails_only_with_expression_error(text):
    try:
        expr = parse(text)
    except ExpressionError as err:
        assert err.code.startswith("expr.") and "修改：" in str(err)
        return
    # whatever parses also evaluates without raising, on empty and on odd answers
    expr.evaluate({}, None)
    expr.evaluate({"q": ["a"], "a": "x", "b": 3}, "1")
    parse(expr.to_xpath())  # and its XLSForm rendering parses back
