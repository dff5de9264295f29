"""The entry page in a real headless Chromium: Voilà serves it, the keyboard fills a form through a
skip-logic branch, Enter saves, and the response is in the database with operator and time."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from conftest import wait_for_page

from toolkit.forms import load_form
from toolkit.store import open_store

pytestmark = pytest.mark.slow  # Voilà and a headless Chromium

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def entry_server(tmp_path):
    if not (os.path.exists(CHROMIUM) or shutil.which("chromium")):
        pytest.skip("未安装 Debian 的 chromium（apt-get install -y chromium；CI 由 .ci/run 安装）")
    pytest.importorskip("playwright.sync_api", reason="未安装 playwright（pip install -e '.[test]'）")
    pytest.importorskip("voila", reason="未安装 voila")
    from toolkit.entry.page import serve_command

    db = tmp_path / "entry.db"
    port = _free_port()
    cmd, env = serve_command(ROOT / "surveys" / "annual_topics.yaml", db, port=port)
    with open(tmp_path / "voila.log", "w") as log:  # Voilà keeps its own copy of the descriptor
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    wait_for_page(proc, url, deadline, tmp_path / "voila.log")
    yield url, db
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def test_keyboard_entry_through_skip_logic_lands_in_store(entry_server):
    from playwright.sync_api import sync_playwright

    url, db = entry_server
    keys = 0

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1700})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.fill(".wdy-operator input", "张三")
        page.click(".wdy-start")
        page.wait_for_selector(".wdy-q-serial input:focus")  # the cursor waits in the first field

        def type_then_tab(text: str, wait_for: str | None = None) -> None:
            nonlocal keys
            if text:
                page.keyboard.type(text)
                keys += len(text)
            if wait_for:
                page.wait_for_selector(wait_for, state="visible")
            page.keyboard.press("Tab")
            keys += 1

        type_then_tab("DH-2026-0001")  # 1 问卷编号
        type_then_tab("1")  # 2 界别: 教育界
        type_then_tab("2")  # 3 镇街: 东湖街道
        page.wait_for_selector(".wdy-q-sector .wdy-echo:has-text('教育界')")
        type_then_tab("")  # 4 社区 (blank)
        type_then_tab("3")  # 5 年龄段
        type_then_tab("12")  # 6 年数
        type_then_tab("1 3")  # 7 关心的方面
        type_then_tab("1 2 3")  # 8 排序
        for _ in range(6):  # 9 满意度矩阵, six rows
            type_then_tab("4")
        type_then_tab("小区门口停车难，晚上没有车位")  # 10 关切
        type_then_tab("")  # 11 建议
        type_then_tab("1", wait_for=".wdy-q-reported_result")  # 12 反映过: 是 -> 13 appears
        type_then_tab("2")  # 13 解决情况: 部分解决
        page.keyboard.type("2")  # 14 愿意联系: 否 -> 15 phone stays hidden
        keys += 1
        shot = os.environ.get("WEIDIAOYAN_SCREENSHOT")
        if shot:  # for the closing note: WEIDIAOYAN_SCREENSHOT=reports/entry_page.png pytest …
            page.wait_for_selector(".wdy-q-willing_contact .wdy-echo:has-text('否')")
            page.set_viewport_size({"width": 1200, "height": 3300})
            page.screenshot(path=shot, full_page=True)
        page.keyboard.press("Enter")  # save, start the next form
        keys += 1
        page.wait_for_selector(".wdy-status:has-text('已保存答卷')")
        page.wait_for_selector(".wdy-count:has-text('1')")
        assert page.is_hidden(".wdy-q-phone")
        assert page.input_value(".wdy-in-serial input") == ""  # a fresh form
        browser.close()

    store = open_store(db)
    df = store.responses("annual_topics")
    assert len(df) == 1
    saved = store.response(int(df["response_id"].iloc[0]))
    assert saved["operator"] == "张三" and saved["source"] == "entry"
    assert saved["created_at"] and saved["submitted_at"] and saved["serial"] == "DH-2026-0001"
    answers = saved["answers"]
    assert answers["reported_before"] == "yes" and answers["reported_result"] == "partly"
    assert answers["concern_areas"] == ["traffic", "property"]
    assert answers["priority"] == ["traffic", "old_estate", "property"]
    assert answers["services"]["government"] == "4" and answers["willing_contact"] == "no"
    assert "phone" not in answers and "community" not in answers
    form = load_form(ROOT / "surveys" / "annual_topics.yaml")
    assert keys == 67, f"keystrokes for one form changed: {keys}"  # 26 of them are the 编号 and the free text
    assert store.get_form("annual_topics").fingerprint == form.fingerprint


def test_a_locked_database_does_not_freeze_the_page_and_the_draft_is_retried(entry_server):
    import json
    import sqlite3

    from playwright.sync_api import sync_playwright

    url, db = entry_server
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1200, "height": 1700})
        page.set_default_timeout(60_000)
        page.goto(url)
        page.fill(".wdy-operator input", "张三")
        page.click(".wdy-start")
        page.wait_for_selector(".wdy-q-serial input:focus")
        lock = sqlite3.connect(db, isolation_level=None, timeout=0)
        lock.execute("BEGIN EXCLUSIVE")  # an import holds the write lock
        try:
            page.keyboard.type("DH-7")
            page.keyboard.press("Tab")
            page.keyboard.type("1")
            page.wait_for_selector(".wdy-status:has-text('数据库正忙')", timeout=10_000)
            page.wait_for_selector(".wdy-status:has-text('草稿已保留')")
            page.wait_for_selector(".wdy-q-sector .wdy-echo:has-text('教育界')", timeout=10_000)  # still live
        finally:
            lock.execute("ROLLBACK")
            lock.close()
        # nobody types: the page retries on its own once the lock is gone
        page.wait_for_selector(".wdy-status:has-text('数据库已恢复')", timeout=30_000)
        browser.close()
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT answers FROM entry_drafts WHERE operator = '张三'").fetchone()
    assert json.loads(row[0]) == {"serial": "DH-7", "sector": "1"}
