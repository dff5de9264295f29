"""build_brief on a real SQLite store: charts, the deck and the report hold the charts and the candidates."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow  # a whole brief (charts, deck, report) is built once for the module

PHONE = "13912345678"


@pytest.fixture(scope="module")
def brief(tmp_path_factory):
    from conftest import SURVEYS

    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store
    from toolkit.workflows import build_brief

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
    import pandas as pd
    from pptx import Presentation
    from pptx.util import Inches

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
    text = "\n".join(p.text for p in doc.paragraphs) + "".join(
        c.text for t in doc.tables for r in t.rows for c in r.cells
    )
    assert PHONE not in text


def test_csv_exports_hold_no_personal_data(brief):
    for path in [brief["candidates"], *brief["charts"].glob("*.csv")]:
        assert PHONE not in path.read_text(encoding="utf-8-sig"), path.name


# -- headlines read back from the deck and the report, checked against the numbers in the charts' CSVs --------


def _read_csv(path):
    import pandas as pd

    return pd.read_csv(path, encoding="utf-8-sig")


def _deck_headlines(path) -> dict[str, bytes]:
    """Slide title -> the PNG shown under it."""
    from pptx import Presentation

    out = {}
    for slide in Presentation(path).slides:
        pictures = [sh for sh in slide.shapes if sh.shape_type == 13]
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        if pictures:
            out[texts[0]] = pictures[0].image.blob
    return out


def _report_headlines(path) -> dict[str, bytes]:
    """Figure caption (without "图N　") -> the PNG above it."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(path)
    out, blob = {}, None
    for para in doc.paragraphs:
        blips = para._p.findall(".//" + qn("a:blip"))
        if blips:
            blob = doc.part.related_parts[blips[0].get(qn("r:embed"))].blob
        elif para.text.startswith("图") and "　" in para.text and blob is not None:
            out[para.text.split("　", 1)[1]] = blob
            blob = None
    return out


def check_headline(title: str, stem: str, data) -> None:
    """The words of a chart's headline agree with the numbers drawn (its CSV)."""
    import re

    def number(pattern):
        found = re.search(pattern, title)
        assert found, (stem, title, pattern)
        return found.groups()

    if stem.startswith("01_"):
        label, heat = number(r"“(.+)”位列选题候选第一（热度 ([\d.]+)）")
        assert data.iloc[0]["rank"] == 1 and data.iloc[0]["label"] == label and data.iloc[0]["热度"] == float(heat)
        # a hotter candidate below rank 1 was moved down by the ranker, and the chart says why
        assert data.loc[data["热度"] > float(heat), "说明"].fillna("").str.contains("排在其后").all()
    elif stem.startswith("02_"):
        sector, label, n = number(r"^(.+)最集中反映“(.+)”（(\d+)人）")
        cells = data.set_index("议题")
        assert int(n) == cells.to_numpy().max() == cells[sector].max()
        assert cells[sector].idxmax().endswith(label)
    elif stem.startswith("03_"):
        place, pct = number(r"^(.+)答卷最多，占(\d+)%")
        top = data.loc[data["答卷数"].idxmax()]
        assert top["镇街"] == place and round(top["占比(%)"]) == int(pct)
        (answered,) = number(r"(\d+)个镇街均有答卷$") if "均有" in title else number(r"中(\d+)个有答卷$")
        assert int(answered) == len(data)
    elif stem.startswith("04_"):
        row, pct = number(r"“(.+)”最不满意：(\d+)%")
        top = data.loc[data["不满意(%)"].idxmax()]
        assert top["项目"] == row and round(top["不满意(%)"]) == int(pct)
    elif stem.startswith("05_"):
        (n,) = number(r"最多（(\d+)份）")
        assert int(n) == data["答卷数"].max()
    elif stem.startswith("06_"):
        choice, pct = number(r"“(.+)”(?:排第一位的)?最多（(\d+)%）")
        top = data.loc[data["人数"].idxmax()]
        assert top["选项"] == choice and round(top["占比(%)"]) == int(pct)
    elif stem.startswith("07_"):
        k, total, label, n = number(r"前(\d+)的议题共(\d+)人反映，“(.+)”人数最多（(\d+)人）")
        people = data.drop_duplicates("议题").set_index("议题")["人数"]
        assert len(people) == int(k) and people.sum() == int(total)
        assert people.max() == int(n) and people.idxmax() == label
    else:
        raise AssertionError(f"no headline rule for chart {stem}")


@pytest.mark.parametrize("where", ["deck", "report"])
def test_every_headline_agrees_with_its_chart_csv(brief, where):
    pngs = {p.read_bytes(): p.with_suffix("").name for p in brief["charts"].glob("*.png")}
    headlines = (_deck_headlines if where == "deck" else _report_headlines)(brief[where])
    assert len(headlines) >= 8
    for title, blob in headlines.items():
        stem = pngs[blob]
        check_headline(title, stem, _read_csv(brief["charts"] / f"{stem}.csv"))


def test_issue_quotes_headline_names_the_issue_with_most_people_not_rank_one(tmp_path):
    """Rank 1 has the fewest people here: "最多" must still name the largest issue (the demo's 86-person one)."""
    import pandas as pd
    from conftest import SURVEYS

    from toolkit.brief.findings import quotes
    from toolkit.brief.survey import Survey
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses
    from toolkit.store import open_store

    form = load_form(SURVEYS / "annual_topics.yaml")
    store = open_store(tmp_path / "q.db")
    records = [{k: v for k, v in r.items() if k != "truth"} for r in generate_responses(form, 5, seed=1)]
    store.add_responses(form, records, source="sample")
    candidates = pd.DataFrame(
        {
            "rank": [1, 2, 3],
            "label": ["灵活就业社保", "石桥村留守儿童", "宿舍改造"],
            "n_voices": [11, 86, 50],
            "representative": ["没人管", "没人关心", "偷工减料"],
        }
    )
    chart = quotes(Survey.load(store, form), candidates, tmp_path / "charts")
    store.close()
    assert "“石桥村留守儿童”人数最多（86人）" in chart.title and "共147人" in chart.title
    check_headline(chart.title, "07_议题原话", _read_csv(chart.paths["csv"]))


def test_ordered_choices_keep_the_scale_order_with_the_largest_highlighted_in_the_headline(brief):
    from conftest import SURVEYS

    from toolkit.forms import load_form

    question = load_form(SURVEYS / "annual_topics.yaml").by_role("age")
    (path,) = brief["charts"].glob(f"06_*_{question.id}.csv")
    data = _read_csv(path)
    assert data["选项"].tolist() == [c.label for c in question.choices]  # 18岁以下 … 60岁及以上
    assert data["人数"].tolist() != sorted(data["人数"], reverse=True)  # so not the count order
    # unordered questions still read largest first
    sector = _read_csv(next(brief["charts"].glob("06_*_sector.csv")))
    assert sector["人数"].tolist() == sorted(sector["人数"], reverse=True)


def test_one_measure_heat_in_chart_deck_and_report(brief):
    """热度 (0–100) everywhere: the ranking CSV's segments add up to its 热度; no 0–1 得分 in the report."""
    import re

    from docx import Document

    data = _read_csv(brief["charts"] / "01_选题候选排序.csv")
    parts = data[[c for c in data.columns if c.endswith("贡献（热度）")]]
    assert "score" not in data.columns and "热度" in data.columns
    assert (parts.sum(axis=1) - data["热度"]).abs().max() < 0.2
    text = "\n".join(p.text for p in Document(brief["report"]).paragraphs)
    assert not re.search(r"得分\s*0\.\d", text)
    heats = dict(zip(data["label"], data["热度"]))
    for line in text.splitlines():
        found = re.match(r"第\d+名 (.+?)：热度([\d.]+)", line)
        if found and found.group(1) in heats:
            assert float(found.group(2)) == heats[found.group(1)], line
    assert re.search(r"第1名 .+：热度[\d.]+", text)


def test_report_names_the_source_readably(brief):
    from docx import Document

    text = "\n".join(p.text for p in Document(brief["report"]).paragraphs)
    assert "来源：示例数据 160 份" in text and "sample" not in text
