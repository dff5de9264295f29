"""The entry page as served to an office network (``weidiaoyan entry --lan``): real HTTP requests to a
real Voilà find the form and nothing else — no Jupyter contents, terminal, kernel-listing, tree, lab or
file API, no code run in the page's kernel — and the kernel of a page nobody has open is culled."""

from __future__ import annotations

import asyncio
import json
import re
import socket
import subprocess
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from conftest import wait_for_page

from toolkit.store import open_store
from toolkit.store.accounts import add_operator

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "office-token-for-the-test"
CULL = 3  # seconds; the real page waits 15 minutes


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, str, str]:
    """(status, final address, body) after redirects; an HTTP error is a status like any other."""
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.url, r.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return err.code, err.url, ""


@pytest.fixture
def lan_server(tmp_path):
    pytest.importorskip("voila", reason="未安装 voila")
    from toolkit.entry.page import serve_command

    db = tmp_path / "lan.db"
    add_operator(open_store(db), "张三", "长城长江黄河珠江")
    port = _free_port()
    # what --lan runs, bound to 127.0.0.1 so the test opens nothing to the network
    cmd, env = serve_command(ROOT / "surveys" / "annual_topics.yaml", db, port=port, token=TOKEN, cull_idle=CULL)
    with open(tmp_path / "voila.log", "w") as log:
        proc = subprocess.Popen(cmd, env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    wait_for_page(proc, f"{base}/login", deadline, tmp_path / "voila.log")
    yield base
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def _send_code(url: str, marker: Path) -> list[str]:
    """Send the kernel an execute request (code that would write ``marker``), then a kernel-info request;
    the message types received until the kernel-info reply (shell requests are handled in order)."""
    from tornado.websocket import websocket_connect

    def message(kind: str, content: dict) -> str:
        header = {"msg_id": uuid.uuid4().hex, "msg_type": kind, "username": "", "session": "t", "version": "5.3"}
        return json.dumps(
            {"header": header, "parent_header": {}, "metadata": {}, "content": content, "channel": "shell"}
        )

    ws = await websocket_connect(url)
    code = {"code": f"open({str(marker)!r}, 'w').write('x')", "silent": False, "store_history": False}
    await ws.write_message(message("execute_request", {**code, "user_expressions": {}, "allow_stdin": False}))
    await ws.write_message(message("kernel_info_request", {}))
    seen: list[str] = []
    while "kernel_info_reply" not in seen:
        reply = await asyncio.wait_for(ws.read_message(), 60)
        if reply is None:
            break
        if isinstance(reply, str):
            seen.append(json.loads(reply)["header"]["msg_type"])
    ws.close()
    return seen


def test_lan_page_serves_the_form_and_nothing_else(lan_server, tmp_path):
    base, token = lan_server, f"?token={TOKEN}"
    status, _, page = _get(f"{base}/{token}")
    assert status == 200 and "application/vnd.jupyter.widget-view+json" in page
    kernel = re.search(r'"kernelId": "([0-9a-f-]{36})"', page)
    assert kernel, "the form page starts its kernel"

    status, where, page = _get(f"{base}/")  # without the token: Jupyter's token page, not the form
    assert "/login" in where and "kernelId" not in page

    for path in ("/api/contents", "/api/terminals", "/api/kernels", "/api/sessions", "/tree", "/lab"):
        for query in (token, ""):
            status, where, page = _get(f"{base}{path}{query}")
            assert status in (403, 404) or "/login" in where, (path, query, status, where)
            assert '"name":' not in page and "kernelId" not in page
    for path in ("/files/entry_page.ipynb", "/voila/files/entry_page.ipynb", "/voila/files/page.py"):
        status, _, _ = _get(f"{base}{path}{token}")
        assert status in (403, 404), path

    # its kernel takes widget messages only: code sent to it is never run
    marker = tmp_path / "code-ran"
    replies = asyncio.run(
        _send_code(f"{base.replace('http', 'ws')}/api/kernels/{kernel.group(1)}/channels{token}", marker)
    )
    assert "kernel_info_reply" in replies and "execute_reply" not in replies
    assert not marker.exists()

    # the page is closed: its kernel is shut down once idle
    url = f"{base}/api/kernels/{kernel.group(1)}{token}"
    assert _get(url)[0] == 200
    deadline = time.monotonic() + 10 * CULL
    while _get(url)[0] == 200 and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _get(url)[0] == 404


def test_lan_command_binds_the_network_with_a_token(tmp_path):
    from toolkit.entry.page import serve_command

    cmd, env = serve_command(ROOT / "surveys" / "annual_topics.yaml", tmp_path / "x.db", ip="0.0.0.0", token="t0k")
    assert "--Voila.ip=0.0.0.0" in cmd and "--Voila.auto_token=True" in cmd
    assert env["JUPYTER_TOKEN"] == "t0k" and not any("t0k" in part for part in cmd)  # not in the process list
    cmd, env = serve_command(ROOT / "surveys" / "annual_topics.yaml", tmp_path / "x.db")
    assert "--Voila.ip=127.0.0.1" in cmd and "--Voila.auto_token=False" in cmd


@pytest.mark.slow
def test_a_browser_logs_in_and_enters_under_the_account(lan_server):
    import os
    import shutil

    chromium = "/usr/bin/chromium"
    if not (os.path.exists(chromium) or shutil.which("chromium")):
        pytest.skip("未安装 Debian 的 chromium（apt-get install -y chromium；CI 由 .ci/run 安装）")
    sync_api = pytest.importorskip("playwright.sync_api", reason="未安装 playwright（pip install -e '.[test]'）")

    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium, args=["--headless", "--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        page.set_default_timeout(60_000)
        page.goto(f"{lan_server}/?token={TOKEN}")
        page.fill(".wdy-login-name input", "张三")
        page.fill(".wdy-login-password input", "猜一个密码试试")
        page.click(".wdy-login")
        page.wait_for_selector(".wdy-login-status:has-text('姓名或密码不对')")
        assert page.locator(".wdy-form").count() == 0
        page.fill(".wdy-login-password input", "长城长江黄河珠江")
        page.click(".wdy-login")
        page.wait_for_selector(".wdy-q-serial input")  # logged in: the form, started under the account
        assert page.input_value(".wdy-operator input") == "张三"
        assert page.locator(".wdy-operator input").is_disabled()
        page.wait_for_selector(".wdy-status:has-text('张三')")
        browser.close()
