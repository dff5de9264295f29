"""Shared fixtures: paths to the project and the bundled forms."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = ROOT / "surveys"
SHARED = ROOT.parent / "shared" / "data" / "external"

# A two-question form (a whole number, a text) for tests of reading files.
AGE_OPINION_FORM_YAML = """id: t
title: 测试问卷
version: "1"
questions:
  - id: age
    kind: number
    integer: true
    label: 年龄
  - id: opinion
    kind: text
    label: 意见
"""


@pytest.fixture
def annual_form():
    from toolkit.forms import load_form

    return load_form(SURVEYS / "annual_topics.yaml")


@pytest.fixture
def visit_form():
    from toolkit.forms import load_form

    return load_form(SURVEYS / "visit_record.yaml")


@pytest.fixture
def store(tmp_path):
    from toolkit.store import open_store

    s = open_store(tmp_path / "test.db")
    yield s
    s.close()
