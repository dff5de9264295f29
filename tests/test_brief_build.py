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
    natives = [sh.chart for s in deck.slides for sh in s.shapes if sh.has_chart]
    pictures = sum(1 for s in deck.slides for sh in s.shapes if sh.shape_type == 13)
    assert len(natives) >= 6 and pictures >= 1 and not any(chart.has_title for chart in natives)
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


def _deck_headlines(path) -> dict[str, str]:
    """Slide title -> the stem of the chart under it (its notes name the chart's CSV)."""
    import re

    from pptx import Presentation

    out = {}
    for slide in Presentation(path).slides:
        texts = [sh.text_frame.text for sh in slide.shapes if sh.has_text_frame]
        notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide else ""
        found = re.search(r"charts/(\S+)\.csv", notes)
        if found:
            out[texts[0]] = found.group(1)
    return out


def _report_headlines(path) -> dict[str, str]:
    """Figure caption (without "图N　") -> the stem of the chart above it (the picture's alternative text names
    its file); the picture itself is drawn without the title, which the caption says once."""
    from docx import Document
    from docx.oxml.ns import qn

    doc = Document(path)
    out, stem = {}, None
    for para in doc.paragraphs:
        shapes = para._p.findall(".//" + qn("wp:docPr"))
        if shapes:
            stem = shapes[0].get("descr").removeprefix("charts/").removesuffix(".png")
        elif para.text.startswith("图") and "　" in para.text and stem is not None:
            out[para.text.split("　", 1)[1]] = stem
            stem = None
    return out


def check_headline(title: str, stem: str, data) -> None:
    """The words of a chart's headline agree with the numbers drawn (its CSV)."""
    import re

    def number(pattern):
        found = re.search(pattern, title)
        assert found, (stem, title, pattern)
        return found.groups()

    def shares(names):  # the 占比(%) of each named answer, as the CSV has it
        table = data.set_index(data.columns[0])
        return [float(table.loc[name, "占比(%)"]) for name in names]

    if stem.startswith("01_"):
        label, heat = number(r"“(.+)”位列选题候选第一（热度 ([\d.]+)）")
        assert data.iloc[0]["rank"] == 1 and data.iloc[0]["label"] == label and data.iloc[0]["热度"] == float(heat)
        # a hotter candidate below rank 1 was moved down by the ranker, and the chart says why
        assert data.loc[data["热度"] > float(heat), "说明"].fillna("").str.contains("排在其后").all()
    elif stem.startswith("02_"):
        cells = data.set_index("议题")
        if "并列" in title:
            k, n, sector, label = number(r"^(\d+)处并列最集中（各(\d+)人），如(.+)反映“(.+)”$")
            assert int(k) == (cells.to_numpy() == int(n)).sum() > 1
        else:
            sector, label, n = number(r"^(.+)最集中反映“(.+)”（(\d+)人）")
            assert (cells.to_numpy() == int(n)).sum() == 1
        assert int(n) == cells.to_numpy().max() == cells[sector].max()
        assert any(row.endswith(label) for row in cells.index[cells[sector] == int(n)])
    elif stem.startswith("03_"):
        places, pct = number(r"^(.+?)答卷(?:并列)?最多，各?占([\d.]+)%")
        tied = data.loc[data["答卷数"] == data["答卷数"].max(), "镇街"].tolist()
        assert places.split("、") == tied[:3] and shares(tied[:1]) == [float(pct)]
        (answered,) = number(r"(\d+)个镇街均有答卷$") if "均有" in title else number(r"中(\d+)个有答卷$")
        assert int(answered) == len(data)
    elif stem.startswith("04_"):
        rows, pct = number(r"^((?:“[^”]+”)+)(?:并列)?最不满意：各?有?([\d.]+)%")
        worst = data.loc[data["不满意(%)"] == data["不满意(%)"].max(), "项目"].tolist()
        assert re.findall(r"“([^”]+)”", rows) == worst[:3] and data["不满意(%)"].max() == float(pct)
    elif stem.startswith("05_"):
        (n,) = number(r"最多（各?(\d+)份）")
        assert int(n) == data["答卷数"].max()
        assert ("并列" in title) == ((data["答卷数"] == int(n)).sum() > 1)
    elif stem.startswith("06_"):
        (answer,) = number(r"：((?:“[^”]+”|两种回答).*)$")
        names = re.findall(r"“([^”]+)”", answer)
        pcts = [float(p) for p in re.findall(r"([\d.]+)%", answer)]
        ranked = data.sort_values("人数", ascending=False, kind="mergesort")
        tied = ranked.loc[ranked["人数"] == ranked["人数"].max(), "选项"].tolist()
        if "并列" in answer:  # every answer tied for most, each with its share
            assert len(tied) > 1 and sorted(names) == sorted(tied[:3]) and pcts == shares(tied[:1])
        elif "各半" in answer or "不相上下" in answer:  # the first two, within 3 points
            assert len(tied) == 1 and names == ranked["选项"].head(2).tolist() and pcts == shares(names)
            assert pcts[0] - pcts[1] < 3
        else:
            assert "最多" in answer and tied == names and pcts == shares(names)
            second = ranked["占比(%)"].iloc[1] if len(ranked) > 1 else 0
            assert pcts[0] - second >= 3
    elif stem.startswith("07_"):
        k, total, names, n = number(r"前(\d+)的议题共(\d+)人反映，((?:“[^”]+”)+)人数(?:并列)?最多（各?(\d+)人）")
        people = data.drop_duplicates("议题").set_index("议题")["人数"]
        assert len(people) == int(k) and people.sum() == int(total)
        assert people.max() == int(n) and re.findall(r"“([^”]+)”", names) == people[people == int(n)].index.tolist()[:3]
    elif stem.startswith("08_"):
        median, low, high = number(r"中位数 (\S+)，中间一半的人在 (\S+)—(\S+) 之间")
        facts = dict(item.split(" ") for item in str(data["说明"].iloc[0]).split("；"))
        assert (facts["中位数"], facts["下四分位数"], facts["上四分位数"]) == (median, low, high)
    elif stem.startswith("09_"):
        (n,) = number(r"最多（各?(\d+)人）")
        assert int(n) == data["人数"].max()
    else:
        raise AssertionError(f"no headline rule for chart {stem}")


@pytest.mark.parametrize("where", ["deck", "report"])
def test_every_headline_agrees_with_its_chart_csv(brief, where):
    headlines = (_deck_headlines if where == "deck" else _report_headlines)(brief[where])
    assert len(headlines) >= 8
    for title, stem in headlines.items():
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


def _libreoffice_pdf(path, tmp_path) -> list[str]:
    """``path`` converted by LibreOffice, as the text of each page (pdftotext)."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("需要 LibreOffice（soffice）和 poppler-utils（pdftotext）")
    subprocess.run(
        [soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf"]
        + ["--outdir", str(tmp_path), str(path)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / path.with_suffix(".pdf").name
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    return text.split("\f")


def test_libreoffice_renders_the_native_charts_each_title_once(brief, tmp_path):
    from pptx import Presentation

    slides = list(Presentation(brief["deck"]).slides)
    pages = _libreoffice_pdf(brief["deck"], tmp_path)
    assert len([p for p in pages if p.strip()]) == len(slides)
    natives = 0
    for slide, page in zip(slides, pages):
        charts = [sh.chart for sh in slide.shapes if sh.has_chart]
        natives += len(charts)
        title = next(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
        compact = "".join(page.split())
        if slide is not slides[0]:
            assert compact.count("".join(title.split())) == 1, title  # on the slide, not again in the chart
        for chart in charts:  # the categories are drawn by LibreOffice from the chart's own data
            first = str(chart.plots[0].categories[0])
            assert "".join(first.split())[:4] in compact, (title, first)
    assert natives >= 6


def test_libreoffice_breaks_the_report_title_between_words(brief, tmp_path):
    first = _libreoffice_pdf(brief["report"], tmp_path)[0]
    lines = [line.strip() for line in first.splitlines() if line.strip()]
    assert lines[0].endswith("“有事好商量”") and lines[1].startswith("一线协商") and lines[1].endswith("调研报告")


def test_report_figures_say_their_title_once_in_the_caption_with_the_subtitle_under_it(brief):
    from docx import Document

    paragraphs = [p.text for p in Document(brief["report"]).paragraphs]
    captions = [i for i, text in enumerate(paragraphs) if text.startswith("图") and "　" in text]
    assert len(captions) >= 8 and all(paragraphs[i + 1].startswith("N=") for i in captions)
    drawn = {p.read_bytes() for p in brief["charts"].glob("*.png")}
    pictures = [
        part.blob for part in Document(brief["report"]).part.related_parts.values() if "image" in part.content_type
    ]
    assert pictures and not drawn & set(pictures)  # not the chart files, which carry the title drawn on them
