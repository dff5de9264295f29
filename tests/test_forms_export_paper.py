"""Paper questionnaire: A4 DOCX with numbered questions, □ boxes, Likert grid, skip instructions in words,
the 编号 box; and, where LibreOffice is installed, a PDF that shows the whole questionnaire."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest
from docx import Document
from docx.shared import Mm

from toolkit.forms import load_form
from toolkit.forms.paper import write_paper

ROOT = Path(__file__).resolve().parents[1]


def _all_text(doc) -> str:
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_annual_topics_paper_layout(tmp_path):
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    doc = Document(write_paper(form, tmp_path / "a.docx"))
    section = doc.sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(1) and abs(section.page_height - Mm(297)) < Mm(1)
    text = _all_text(doc)
    assert form.title in text and "填写说明" in text
    assert "1. 问卷编号" in text and "一录" in text and "二录" in text  # the box for double entry
    for q in form.answer_questions():
        if q.role != "serial":
            assert f"{form.number(q.id)}. " in text and q.label in text
    assert "□3 西山街道" in text and "□15 其他（请注明）________" in text
    assert "□2 否（→请跳至第14题）" in text and "□2 否（→请跳至第16题）" in text
    assert "（第12题选“是”者回答）" in text
    grid = next(t for t in doc.tables if len(t.columns) > 1 and t.rows[0].cells[1].text.startswith("很不满意"))
    assert len(grid.rows) == 7 and len(grid.columns) == 6 and grid.cell(3, 5).text == "□"
    east_asia = doc.styles["Normal"].element.rPr.rFonts.get(
        "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia"
    )
    assert east_asia == "宋体"


def test_paper_is_byte_identical(tmp_path):
    form = load_form(ROOT / "surveys" / "visit_record.yaml")
    first = write_paper(form, tmp_path / "a.docx").read_bytes()
    time.sleep(2.1)  # zip entries carry the write time at 2-second resolution: cross a tick
    assert write_paper(form, tmp_path / "b.docx").read_bytes() == first


@pytest.mark.slow
@pytest.mark.parametrize("name", ["annual_topics", "visit_record"])
def test_libreoffice_renders_the_whole_questionnaire(tmp_path, name):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext = shutil.which("pdftotext")
    if not soffice or not pdftotext:
        pytest.skip("需要 LibreOffice（soffice）和 poppler-utils（pdftotext）")
    form = load_form(ROOT / "surveys" / f"{name}.yaml")
    docx = write_paper(form, tmp_path / f"{name}.docx")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / f"{name}.pdf"
    text = subprocess.run([pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    compact = "".join(text.split())
    last = form.answer_questions()[-1]
    assert form.title.replace(" ", "") in compact
    assert f"{form.number(last.id)}.{last.label}" in compact  # the last question made it onto a page
    assert "问卷到此结束" in compact
