"""Readers: every platform's export round-trips to the same answers; real exports import cleanly."""

from __future__ import annotations

import pytest
from conftest import SHARED

from toolkit.ingest import ingest, read_export, read_table
from toolkit.ingest.infer import infer_form
from toolkit.ingest.readers.base import parse_duration, split_ip
from toolkit.ingest.readers.decode import split_items
from toolkit.sample import write_export, write_rows

EXPORTS = SHARED / "survey-exports"
FORMATS = [
    ("wjx_text.xlsx", "wjx", "text"),
    ("wjx_code.xlsx", "wjx", "code"),
    ("wjx_text.csv", "wjx", "text"),
    ("wjx_text.xls", "wjx", "text"),
    ("wjx_code.xls", "wjx", "code"),
    ("tencent.csv", "tencent", "text"),
    ("kobo.csv", "kobo", "text"),
    ("odk.csv", "odk", "text"),
    ("table.xlsx", "table", "text"),
]


@pytest.fixture(scope="module")
def records():
    from conftest import SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses

    return generate_responses(load_form(SURVEYS / "annual_topics.yaml"), 40, seed=7)


def _comparable(answers: dict, platform: str, by: str) -> dict:
    out = {}
    for k, v in answers.items():
        if (platform == "table" or by == "code") and k.endswith("_other"):
            continue  # "other" text exists only in 问卷星's by-text file; a plain table has none
        out[k] = (
            sorted(v) if isinstance(v, list) and k == "concern_areas" and (by == "code" or platform != "wjx") else v
        )
    return out


@pytest.fixture
def form_copy(tmp_path):
    """The annual form loaded from a copy, so a saved column mapping lands in tmp_path, not surveys/."""
    import shutil

    from conftest import SURVEYS

    from toolkit.forms import load_form

    return load_form(shutil.copy(SURVEYS / "annual_topics.yaml", tmp_path / "annual_topics.yaml"))


@pytest.mark.parametrize("name,platform,by", FORMATS)
def test_round_trip(tmp_path, form_copy, records, name, platform, by):
    annual_form = form_copy
    path = write_export(annual_form, records, tmp_path / name, platform, by=by, neutralise=False)
    report = ingest(path, annual_form, tmp_path / "x.db")
    assert report["source"] == platform
    assert (report["accepted"], report["rejected"], report["unmapped_columns"]) == (len(records), 0, [])
    from toolkit.store import open_store

    store = open_store(tmp_path / "x.db")
    got = sorted(
        (store.response(int(i)) for i in store.responses("annual_topics").response_id), key=lambda r: r["row_number"]
    )
    expected = records[::-1] if platform == "tencent" else records
    for g, e in zip(got, expected):
        assert _comparable(g["answers"], platform, by) == _comparable(e["answers"], platform, by)
    store.close()


def test_headers_tolerate_fullwidth_and_spaces(tmp_path, annual_form, records):
    from toolkit.sample import wjx_table

    header, rows = wjx_table(annual_form, records[:5])
    wide = [h.replace("(", "（").replace(")", "）").replace("?", "？").replace("，", ",") for h in header]
    wide = [f" {h[:3]}  {h[3:]}\n" if "、" in h else h for h in wide]
    path = write_rows(wide, rows, tmp_path / "wide.xlsx", neutralise=False)
    got = read_export(path, annual_form)
    assert got["unmapped"] == []
    assert len(got["pairs"]) == len(annual_form.answer_questions())


def test_wjx_cell_quirks():
    assert split_items("A┋其他【请注明】〖x┋y〗┋B", "┋") == ["A", "其他【请注明】〖x┋y〗", "B"]
    assert parse_duration("136秒") == 136 and parse_duration("2分3秒") == 123 and parse_duration("31") == 31
    assert split_ip("1.2.3.4(上海-上海)") == ("1.2.3.4", "上海-上海")


def test_wjx_tags_matrix_and_skips(tmp_path):
    from toolkit.forms import form_from_dict

    form, _ = form_from_dict(
        {
            "id": "t",
            "title": "t",
            "questions": [
                {"id": "sex", "kind": "single", "label": "性别", "choices": ["男", "女"]},
                {"id": "hobby", "kind": "multiple", "label": "爱好", "choices": ["运动", "阅读"], "other": True},
                {
                    "id": "sat",
                    "kind": "likert",
                    "label": "满意度",
                    "choices": ["1", "2", "3", "4", "5"],
                    "rows": [{"id": "a", "label": "上学"}, {"id": "b", "label": "看病"}],
                },
                {"id": "why", "kind": "text", "label": "原因", "relevant": "${sex} == '2'"},
                {"id": "rank", "kind": "ranking", "label": "排序", "choices": ["甲", "乙", "丙"]},
            ],
        }
    )
    header = [
        "提交答卷时间",
        "序号",
        "来自IP",
        "所用时间",
        "1、性别 (单选题 *必答)",
        "2、爱好（多选题）",
        "3、满意度 (矩阵单选题 *必答)—上学",
        "看病",
        "4、原因",
        "5、排序",
    ]
    rows = [
        [
            "2016/12/17 14:22:55",
            1,
            "1.2.3.4(上海-上海)",
            "2分3秒",
            "女",
            "运动┋其他【请注明】〖跑┋跳〗",
            "4分",
            "5分",
            "太远",
            "丙→甲",
        ],
        ["2016/12/17 14:25:00", 2, "1.2.3.5", "136秒", "男", "阅读", "3分", "(空)", "(跳过)", "乙"],
    ]
    path = write_rows(header, rows, tmp_path / "w.xlsx", neutralise=False)
    got = read_export(path, form)
    assert got["unmapped"] == []
    assert got["answers"][0] == {
        "sex": "2",
        "hobby": ["1", "other"],
        "hobby_other": "跑┋跳",
        "sat": {"a": "4", "b": "5"},
        "why": "太远",
        "rank": ["3", "1"],
    }
    assert got["answers"][1] == {"sex": "1", "hobby": ["2"], "sat": {"a": "3"}, "rank": ["2"]}
    meta = got["meta"]
    assert list(meta["duration"]) == [123, 136] and meta["submitted_at"][0] == "2016-12-17 14:22:55"
    assert meta["ip"][0] == "1.2.3.4" and meta["place"][0] == "上海-上海"


@pytest.mark.skipif(not EXPORTS.exists(), reason="../shared survey exports absent")
def test_real_wjx_exports_import_cleanly(tmp_path):
    text, code = EXPORTS / "wjx/reportgen_800_800_0_by-text.xls", EXPORTS / "wjx/reportgen_800_800_2_by-code.xls"
    form = infer_form(text, code, form_id="reportgen")
    kinds = [q.kind for q in form.questions]
    assert kinds == ["single"] * 5 + ["multiple", "single", "multiple"]
    assert form.question("q2").other and form.question("q6").other
    a = ingest(text, form, tmp_path / "a.db")
    b = ingest(code, form, tmp_path / "b.db")
    assert (a["accepted"], a["rejected"], a["unmapped_columns"]) == (800, 0, [])
    assert (b["accepted"], b["rejected"], b["unmapped_columns"]) == (800, 0, [])
    from toolkit.store import open_store

    sa, sb = open_store(tmp_path / "a.db"), open_store(tmp_path / "b.db")
    da = sa.responses("reportgen").set_index("external_id")
    db = sb.responses("reportgen").set_index("external_id").loc[da.index]
    for col in ("q1", "q2", "q3", "q4", "q5", "q7"):
        assert list(da[col]) == list(db[col])
    for col in ("q6", "q8"):
        assert [sorted(v) for v in da[col]] == [sorted(v) for v in db[col]]
    assert "我妈买的。" in set(da["q2_other"].dropna())
    # the by-code twin of an imported by-text file adds nothing (same 序号)
    again = ingest(code, form, sa)
    assert again["accepted"] == 0 and again["skipped_existing"] == 800
    sa.close()
    sb.close()


@pytest.mark.skipif(not EXPORTS.exists(), reason="../shared survey exports absent")
def test_real_tencent_export_imports_cleanly(tmp_path):
    path = EXPORTS / "tencent-wj/kindle-calendar_questionaire_template.csv"
    table = read_table(path)
    assert table.encoding == "utf-8-sig" and len(table.header) == 10  # trailing comma column dropped
    form = infer_form(path)
    report = ingest(path, form, tmp_path / "t.db")
    assert report["source"] == "tencent"
    assert (report["accepted"], report["rejected"], report["unmapped_columns"]) == (3, 0, [])
    from toolkit.store import open_store

    store = open_store(tmp_path / "t.db")
    df = store.responses(form.id)
    assert list(df["submitted_at"]) == ["2021-02-02 20:28:40", "2021-02-02 20:28:05", "2021-02-02 20:27:09"]
    store.close()


def test_infer_from_generated_exports(tmp_path, annual_form, records):
    text = write_export(annual_form, records, tmp_path / "t.xlsx", "wjx", by="text", neutralise=False)
    code = write_export(annual_form, records, tmp_path / "c.xlsx", "wjx", by="code", neutralise=False)
    form = infer_form(text, code)
    by_label = {q.label: q for q in form.questions}
    assert by_label[annual_form.question("concern_areas").label].kind == "multiple"
    assert by_label[annual_form.question("priority").label].kind == "ranking"
    services = by_label[annual_form.question("services").label]
    assert services.kind == "likert" and [r.label for r in services.rows] == [
        r.label for r in annual_form.question("services").rows
    ]
    sector = by_label[annual_form.question("sector").label]
    # codes fix the order: labels appear where 问卷星 numbered them (gaps kept as placeholders)
    real = [c.label for c in annual_form.question("sector").choices]
    assert all(c.label == real[int(c.id) - 1] for c in sector.choices if not c.label.startswith("（"))
    assert by_label[annual_form.question("concern").label].kind == "concern"
    report = ingest(text, form, tmp_path / "inf.db")
    assert report["rejected"] == 0 and report["accepted"] == len(records)


def test_table_mapping_is_saved_beside_the_form_and_reused(tmp_path, form_copy, records):
    from toolkit.ingest.mapping import load_mapping, mapping_path
    from toolkit.sample import plain_table

    header, rows = plain_table(form_copy, records[:5])
    header[header.index(form_copy.question("concern").label)] = "群众反映的事"  # a header no guess can match
    path = write_rows(header, rows, tmp_path / "t.xlsx", neutralise=False)
    first = ingest(path, form_copy, tmp_path / "m.db")
    assert "群众反映的事" in first["unmapped_columns"] and first["accepted"] == 0  # concern is required
    saved = mapping_path(form_copy)
    assert saved.parent == tmp_path and saved.exists()
    text = saved.read_text(encoding="utf-8").replace("columns:\n", "columns:\n  群众反映的事: concern\n", 1)
    saved.write_text(text, encoding="utf-8")  # staff review the mapping
    assert load_mapping(form_copy)["群众反映的事"] == "concern"
    second = ingest(path, form_copy, tmp_path / "m2.db")
    assert second["unmapped_columns"] == [] and second["accepted"] == 5


def test_wjx_by_code_variants_and_tencent_newer_meta(tmp_path):
    from toolkit.forms import form_from_dict

    form, _ = form_from_dict(
        {
            "id": "t",
            "title": "t",
            "questions": [
                {"id": "sex", "kind": "single", "label": "性别", "choices": ["男", "女"]},
                {"id": "hobby", "kind": "multiple", "label": "爱好", "choices": ["运动", "阅读"], "other": True},
                {"id": "rank", "kind": "ranking", "label": "排序", "choices": ["甲", "乙", "丙"]},
            ],
        }
    )
    header = [
        "序号",
        "总分",
        "1、性别",
        "2、(运动)",
        "2、(阅读)",
        "2、(其他【请注明】)",
        "第3题(甲)",
        "第3题(乙)",
        "第3题(丙)",
    ]
    rows = [[1, 0, 2, 1, 0, 1, 2, -2, 1], [2, 0, 1, -3, -3, -3, -2, -2, -2]]
    got = read_export(write_rows(header, rows, tmp_path / "c.xlsx"), form)
    assert got["layout"].mode == "按选项序号" and got["unmapped"] == []
    assert got["answers"] == [{"sex": "2", "hobby": ["1", "other"], "rank": ["3", "1"]}, {"sex": "1"}]
    header = [
        "编号",
        "用户类型",
        "用户标识",
        "昵称",
        "开始答题时间",
        "结束答题时间",
        "答题时长",
        "IP",
        "UA",
        "1.性别",
        "2.爱好:运动",
        "2.爱好:阅读",
        "2.爱好:其他",
        "2.爱好:其他_填空1",
    ]
    rows = [
        [
            9,
            "微信",
            "oX1",
            "小王",
            "02-Feb-2021 20:26:58",
            "02-Feb-2021 20:27:09",
            11,
            "1.2.3.4",
            "UA",
            "女",
            "运动",
            "",
            "其他",
            "跑步",
        ]
    ]
    path = write_rows(header, rows, tmp_path / "t.csv", encoding="utf-8-sig", quote_all=True, trailing_comma=True)
    got = read_export(path, form)
    assert got["reader"].name == "tencent" and got["unmapped"] == []
    assert got["answers"][0] == {"sex": "2", "hobby": ["1", "other"], "hobby_other": "跑步"}
    meta = got["meta"].iloc[0]
    assert (meta["respondent"], meta["ip"], meta["duration"]) == ("oX1", "1.2.3.4", 11)


@pytest.mark.parametrize("platform,sep,delimiter", [("kobo", "/", ";"), ("odk", "-", ",")])
def test_xlsform_group_paths(tmp_path, annual_form, records, platform, sep, delimiter):
    from toolkit.sample import kobo_table

    header, rows = kobo_table(annual_form, records[:5], platform)
    ids = {q.id for q in annual_form.questions}
    grouped = [f"intro{sep}{h}" if h.split("/")[0] in ids or h.endswith("_other") else h for h in header]
    path = write_rows(grouped, rows, tmp_path / f"{platform}.csv", delimiter=delimiter, neutralise=False)
    got = read_export(path, annual_form)
    assert got["reader"].name == platform and got["unmapped"] == []
    assert got["answers"][0]["sector"] == records[0]["answers"]["sector"]


@pytest.mark.parametrize("platform", ["tencent", "kobo", "table"])
def test_infer_other_platforms(tmp_path, annual_form, records, platform):
    path = write_export(annual_form, records, tmp_path / f"{platform}.csv", platform, neutralise=False)
    form = infer_form(path)
    from toolkit.ingest.normalize import key

    kinds = {key(q.label) if platform != "kobo" else q.id: q.kind for q in form.questions}
    name = (lambda qid: qid) if platform == "kobo" else (lambda qid: key(annual_form.question(qid).label))
    assert kinds[name("concern_areas")] == "multiple" and kinds[name("sector")] == "single"
    assert kinds[name("phone")] == "text" and kinds[name("concern")] == "concern"
    if platform != "kobo":
        assert kinds[name("services")] == "likert"
    if platform == "tencent":
        assert kinds[name("priority")] == "ranking"
    if platform == "kobo":
        assert [c.id for c in form.question("sector").choices][0] in {
            c.id for c in annual_form.question("sector").choices
        }
    report = ingest(path, form, tmp_path / "i.db")
    assert (report["accepted"], report["rejected"], report["unmapped_columns"]) == (len(records), 0, [])


def test_kobo_option_columns_without_the_main_column(tmp_path, annual_form, records):
    from toolkit.sample import kobo_table

    header, rows = kobo_table(annual_form, records[:6])
    drop = header.index("concern_areas")
    header, rows = header[:drop] + header[drop + 1 :], [r[:drop] + r[drop + 1 :] for r in rows]
    got = read_export(write_rows(header, rows, tmp_path / "k.csv", delimiter=";", neutralise=False), annual_form)
    assert got["unmapped"] == []
    assert [sorted(a["concern_areas"]) for a in got["answers"]] == [
        sorted(r["answers"]["concern_areas"]) for r in records[:6]
    ]
