"""Shared fixtures: paths to the project and the bundled forms."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

# Property tests draw the same examples on every run (CI must not pass or fail by luck); a failure they find is
# kept as an explicit test. HYPOTHESIS_PROFILE=explore searches afresh on a developer's machine.
settings.register_profile("deterministic", derandomize=True, database=None)
settings.register_profile("explore")
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

ROOT = Path(__file__).resolve().parents[1]
SURVEYS = ROOT / "surveys"
SHARED = ROOT.parent / "shared" / "data" / "external"
# One visit record as an operator types it into the bundled 走访记录表 (entry and store tests).
VISIT = {
    "serial": "ZF-2026-015",
    "member": "陈委员",
    "member_sector": "3",
    "visit_date": "20260412",
    "district": "7",
    "place": "青石镇下塘村",
    "visit_type": "1",
    "people_met": "1 5 8",
    "people_met_other": "村医",
    "people_count": "12",
    "concern": "村里老人看病要坐一小时公交到镇卫生院",
    "category": "5",
    "urgency": "2",
    "follow_up": "1",
    "follow_up_dept": "区卫健局",
}

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
def store(db_url):
    """An open store, once on SQLite and once on PostgreSQL (skipped without a server: see ``db_url``)."""
    from toolkit.store import open_store

    s = open_store(db_url)
    yield s
    s.close()


# ---- database backends: SQLite always, PostgreSQL when a server is given -------------------------------
# WEIDIAOYAN_TEST_PG: a SQLAlchemy URL of a PostgreSQL server where the tests may create and drop
# databases (.ci/run starts a throwaway one, e.g. postgresql+psycopg://postgres@/postgres?host=/tmp/x&port=54329)
PG_ENV = "WEIDIAOYAN_TEST_PG"


def _pg_admin_url():
    import os

    url = os.environ.get(PG_ENV, "").strip()
    if not url:
        pytest.skip(f"PostgreSQL 测试需要环境变量 {PG_ENV}（.ci/run 会启动一个临时服务器）")
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """A location for a new, empty store on each backend: a SQLite file, or a fresh PostgreSQL database
    (created for the test and dropped after it)."""
    if request.param == "sqlite":
        yield str(tmp_path / "test.db")
        return
    import uuid

    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = make_url(_pg_admin_url())
    name = f"wdy_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as c:
        c.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as c:
            c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        engine.dispose()


@pytest.fixture
def any_store(db_url):
    """An open, migrated store on each backend."""
    from toolkit.store import open_store

    s = open_store(db_url)
    yield s
    s.close()


def wait_for_page(proc, url: str, deadline: float, log) -> None:
    """Wait until a server started as ``proc`` answers ``url``; fail with the end of its ``log`` if it dies or
    ``deadline`` (``time.monotonic()``) passes."""
    import time
    import urllib.request

    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read(1)
            return
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("Voilà 未能启动：\n" + log.read_text(encoding="utf-8")[-3000:])
            time.sleep(0.3)
