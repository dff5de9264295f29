"""``weidiaoyan form infer`` tells the reviewer what it guessed: option order without ``--by-code``, and
placeholder labels of options nobody chose, which ``weidiaoyan form check`` keeps warning about."""

from __future__ import annotations

import shutil

import pytest
from conftest import SURVEYS

from toolkit.cli import main
from toolkit.forms import check_form, load_form
from toolkit.ingest.infer import infer_draft
from toolkit.sample import write_export


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    from toolkit.sample import generate_responses

    d = tmp_path_factory.mktemp("infer")
    form = load_form(shutil.copy(SURVEYS / "annual_topics.yaml", d))
    records = generate_responses(form, 8, seed=2)  # few rows: some options nobody chose
    return (
        form,
        write_export(form, records, d / "按文本.xlsx", "wjx", by="text"),
        write_export(form, records, d / "按序号.xlsx", "wjx", by="code"),
    )


def test_text_only_export_says_order_is_a_guess_and_names_by_code(exports, tmp_path, capsys):
    _, text, _ = exports
    out = tmp_path / "draft.yaml"
    assert main(["form", "infer", str(text), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "选项顺序是猜的" in said and "--by-code 按序号导出的文件" in said
    # printed YAML stays clean on stdout; the notes go to stderr
    assert main(["form", "infer", str(text)]) == 0
    got = capsys.readouterr()
    assert "选项顺序是猜的" in got.err and "选项顺序是猜的" not in got.out and got.out.startswith("id:")


def test_by_code_gives_order_and_lists_placeholders_that_check_warns_about(exports, tmp_path, capsys):
    form, text, code = exports
    draft, notes = infer_draft(text, code)
    assert not any("选项顺序是猜的" in n for n in notes)
    holes = [(q.id, c.id) for q in draft.questions for c in q.choices if "请补全文字" in c.label]
    assert holes, "the fixture should leave some option unchosen"
    assert any("的文字要补全" in n for n in notes)
    qid = holes[0][0]
    assert any(f"（{qid}）" in n and holes[0][1] in n for n in notes)
    # the matrix scale comes in questionnaire order from the codes, not sorted text
    matrix = next(q for q in draft.questions if q.rows)
    real = [c.label for c in form.question("services").choices]
    assert [c.label for c in matrix.choices if "请补全" not in c.label] == [
        x for x in real if x in {c.label for c in matrix.choices}
    ]
    out = tmp_path / "draft.yaml"
    assert main(["form", "infer", str(text), "--by-code", str(code), "-o", str(out)]) == 0
    assert "的文字要补全" in capsys.readouterr().out
    warnings = [p for p in check_form(out) if "占位内容" in str(p)]
    assert len(warnings) == len(holes) and not any(p.is_error for p in warnings)
    assert main(["form", "check", str(out)]) == 0 and "占位内容" in capsys.readouterr().out


def test_phone_numbers_are_not_options(exports):
    _, text, code = exports
    draft, _ = infer_draft(text, code)
    phone = next(q for q in draft.questions if "电话" in q.label)
    assert phone.kind == "text" and not phone.choices
