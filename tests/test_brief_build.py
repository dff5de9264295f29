"""build_brief on a real SQLite store: charts, the deck and the report hold the charts and the candidates."""

from __future__ import annotations

import pytest

PHONE = "13912345678"


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    from toolkit.brief import build_brief
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store

    from conftest import SURVEYS

    tmp = tmp_path_factory.mktemp("brief")
    form = load_form(SURVEYS / "annual_topics.yaml")
    store = open_store(tmp / "brief.db")
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 160, seed=3)]
    records[0]["answers"]["concern"] += f"，我的电话{PHONE}"
    with store.transaction() as conn:
        batch = store.create_batch(conn, form, source="sample", filename="test")
        store.add_responses(form, records, source="sample", batch_id=batch, conn=conn)
        store.finish_batch(conn, batch, n_rows=165, n_accepted=160, n_rejected=3, n_duplicates=2)
    outputs = build_brief(store, form, tmp / "out")
    store.close()
    return outputs


def test_every_chart_has_png_svg_pdf_and_csv(brief):
    charts = brief["charts"]
    stems = {p.stem for p in charts.iterdir()}
    assert len(stems) >= 8
    for stem in stems:
        for ext in ("png", "svg", "pdf", "csv"):
            assert (charts / f"{stem}.{ext}").stat().st_size > 0, (stem, ext)
    assert any(s.startswith("01_选题候选排序") for s in stems)
    assert any("议题与界别" in s for s in stems) and any("满意度" in s for s in stems)


def test_deck_is_16_9_with_cover_charts_and_candidates(brief):
    from pptx import Presentation
    from pptx.util import Inches

    import pandas as pd

    deck = Presentation(brief["deck"])
    assert (deck.slide_width, deck.slide_height) == (Inches(13.333), Inches(7.5))
    pictures = sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13)
    assert pictures >= 6
    tables = [sh.table for s in deck.slides for sh in s.shapes if sh.has_table]
    assert len(tables) == 1
    labels = pd.read_csv(brief["candidates"], encoding="utf-8-sig")["label"].head(3).tolist()
    cells = [c.text for row in tables[0].rows for c in row.cells]
    assert all(label in cells for label in labels)
    every_text = " ".join(sh.text_frame.text for s in deck.slides for sh in s.shapes if sh.has_text_frame)
    assert "选题候选第一" in every_text and PHONE not in every_text


def test_report_has_the_sections_charts_candidates_and_data_quality(brief):
    from docx import Document

    doc = Document(brief["report"])
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings == ["一、基本情况", "二、主要问题", "三、选题建议", "附录：方法与数据质量"]
    assert len(doc.inline_shapes) >= 8
    candidate_table, quality = doc.tables
    assert candidate_table.rows[0].cells[1].text == "议题" and len(candidate_table.rows) > 3
    facts = {row.cells[0].text: row.cells[1].text for row in quality.rows[1:]}
    assert facts["导入行数"] == "165" and facts["隔离（拒收）行"] == "3" and facts["有效答卷"] == "160"
    assert int(facts["遮蔽的个人信息"]) >= 1
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert PHONE not in text


def test_csv_exports_hold_no_personal_data(brief):
    for path in [brief["candidates"], *brief["charts"].glob("*.csv")]:
        assert PHONE not in path.read_text(encoding="utf-8-sig"), path.name
