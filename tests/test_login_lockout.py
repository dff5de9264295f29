"""Login lockout (issue 13): after MAX_FAILURES wrong passwords within FAILURE_WINDOW an account is refused
for LOCK_TIME, counted in the store (both backends), reset by a success or by ``user passwd``; an unknown
name is refused exactly as a wrong password, never as "locked". Time is passed in, never slept through."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from toolkit.cli import main
from toolkit.store import open_store, schema
from toolkit.store.accounts import (
    FAILURE_WINDOW,
    LOCK_TIME,
    MAX_FAILURES,
    add_operator,
    check_login,
    list_operators,
    local_time,
    set_password,
)
from toolkit.store.errors import StoreError

RIGHT, WRONG = "长城长江黄河珠江", "长城长江黄海珠江"
T0 = dt.datetime(2026, 5, 1, 8, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def no_delay(monkeypatch):
    """A refused login waits LOGIN_DELAY seconds (tested in test_accounts); here it need not."""
    import toolkit.store.accounts as accounts

    monkeypatch.setattr(accounts, "LOGIN_DELAY", 0)


def _fail(store, name, times, start=T0, step=dt.timedelta(seconds=30)):
    for i in range(times):
        assert check_login(store, name, WRONG, now=start + i * step) is None


def test_five_failures_lock_until_the_time_passes_and_are_audited(db_url):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    _fail(store, "张三", MAX_FAILURES)
    last = T0 + (MAX_FAILURES - 1) * dt.timedelta(seconds=30)
    until = last + LOCK_TIME
    with pytest.raises(StoreError) as refused:
        check_login(store, "张三", RIGHT, now=last + dt.timedelta(minutes=1))
    assert refused.value.code == "store.operator_locked"
    message = str(refused.value)
    assert "已锁定至" in message and local_time(until.isoformat()) in message
    with pytest.raises(StoreError):  # a wrong password while locked: still "locked"
        check_login(store, "张三", WRONG, now=until - dt.timedelta(seconds=1))
    assert check_login(store, "张三", RIGHT, now=until + dt.timedelta(seconds=1)) == "张三"
    with store.engine.connect() as c:
        t = schema.audit_log
        locks = c.execute(select(t.c.action).where(t.c.entity == "operator", t.c.action == "lock")).all()
    assert len(locks) == 1


def test_failures_spread_beyond_the_window_do_not_lock(db_url):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    step = FAILURE_WINDOW / (MAX_FAILURES - 1) + dt.timedelta(seconds=1)
    _fail(store, "张三", MAX_FAILURES + 2, step=step)
    assert check_login(store, "张三", RIGHT, now=T0 + (MAX_FAILURES + 2) * step) == "张三"


def test_a_success_resets_the_count(db_url):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    _fail(store, "张三", MAX_FAILURES - 1)
    assert check_login(store, "张三", RIGHT, now=T0 + dt.timedelta(minutes=3)) == "张三"
    _fail(store, "张三", MAX_FAILURES - 1, start=T0 + dt.timedelta(minutes=4))
    assert check_login(store, "张三", RIGHT, now=T0 + dt.timedelta(minutes=8)) == "张三"


def test_unknown_names_are_indistinguishable_from_wrong_passwords(db_url):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    for i in range(MAX_FAILURES * 2):  # never "locked": that would tell the name is unknown... or known
        assert check_login(store, "王五", RIGHT, now=T0 + i * dt.timedelta(seconds=10)) is None
        assert check_login(store, "", WRONG, now=T0) is None
    assert [o["name"] for o in list_operators(store)] == ["张三"]  # nothing created for the unknown name


def test_the_lock_survives_reopening_and_passwd_unlocks(db_url, capsys):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    add_operator(store, "李四", RIGHT)
    _fail(store, "张三", MAX_FAILURES)
    store.engine.dispose()
    reopened = open_store(db_url)  # another kernel or office: the same count and lock
    with pytest.raises(StoreError):
        check_login(reopened, "张三", RIGHT, now=T0 + dt.timedelta(minutes=5))
    assert check_login(reopened, "李四", RIGHT, now=T0 + dt.timedelta(minutes=5)) == "李四"  # only that one
    rows = {o["name"]: o for o in list_operators(reopened, now=T0 + dt.timedelta(minutes=5))}
    assert rows["张三"]["locked_until"] and rows["李四"]["locked_until"] is None
    assert main(["user", "list", "--db", db_url]) == 0  # the command (real clock: lock already over)
    set_password(reopened, "张三", "新的一句好记密码")  # the administrator unlocks
    assert check_login(reopened, "张三", "新的一句好记密码", now=T0 + dt.timedelta(minutes=6)) == "张三"


def test_user_list_shows_a_current_lock(db_url, capsys, monkeypatch):
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    _fail(store, "张三", MAX_FAILURES, start=dt.datetime.now(dt.UTC))
    assert main(["user", "list", "--db", db_url]) == 0
    assert "已锁定至" in capsys.readouterr().out
    monkeypatch.setenv("WDY_TEST_PW", "新的一句好记密码")
    assert main(["user", "passwd", "张三", "--db", db_url, "--password-env", "WDY_TEST_PW"]) == 0
    capsys.readouterr()
    assert main(["user", "list", "--db", db_url]) == 0
    assert "已锁定至" not in capsys.readouterr().out


def test_login_panel_says_locked_and_until_when(db_url):
    pytest.importorskip("ipywidgets")
    from pathlib import Path

    from toolkit.entry.login import LoginPanel
    from toolkit.forms import load_form

    form = load_form(Path(__file__).resolve().parents[1] / "surveys" / "annual_topics.yaml")
    store = open_store(db_url)
    add_operator(store, "张三", RIGHT)
    panel = LoginPanel(form, store)
    for _ in range(MAX_FAILURES):
        panel.name.value, panel.password.value = "张三", WRONG
        assert panel.login() is False and "姓名或密码不对" in panel.status.value
    panel.name.value, panel.password.value = "张三", RIGHT
    assert panel.login() is False and panel.entry is None
    assert "已锁定至" in panel.status.value and "user passwd" in panel.status.value
    panel.name.value, panel.password.value = "王五", RIGHT  # an unknown name: the plain refusal
    assert panel.login() is False and "姓名或密码不对" in panel.status.value
