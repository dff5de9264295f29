"""Operators' accounts (issue 13, item 4): hashed passwords on both backends, the ``user`` commands,
and the entry page's login — what is saved carries the account's name, never a typed-in one."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from toolkit.cli import main
from toolkit.store import open_store, schema
from toolkit.store.accounts import (
    LOGIN_DELAY,
    add_operator,
    check_login,
    disable_operator,
    has_operators,
    list_operators,
    set_password,
    verify_password,
)
from toolkit.store.errors import StoreError

ROOT = Path(__file__).resolve().parents[1]
FORM = ROOT / "surveys" / "annual_topics.yaml"


@pytest.fixture
def fast_refusals(monkeypatch):
    """A refused login waits LOGIN_DELAY seconds; the tests wait a measurable tenth of that."""
    import toolkit.store.accounts as accounts

    monkeypatch.setattr(accounts, "LOGIN_DELAY", LOGIN_DELAY / 10)
    return LOGIN_DELAY / 10


def test_accounts_hash_check_disable_and_new_password(db_url, fast_refusals):
    store = open_store(db_url)
    assert not has_operators(store) and list_operators(store) == []
    assert add_operator(store, "  张三 ", "长城长江黄河珠江") == "张三"
    add_operator(store, "李四", "长城长江黄河珠江")
    with store.engine.connect() as c:
        hashes = [row.password_hash for row in c.execute(schema.operators.select().order_by(schema.operators.c.id))]
    assert all(h.startswith("scrypt$16384$8$1$") and "长城" not in h for h in hashes)
    assert hashes[0] != hashes[1]  # salted: one password, two hashes
    assert verify_password("长城长江黄河珠江", hashes[0]) and not verify_password("长城长江黄海珠江", hashes[0])

    assert check_login(store, "张三", "长城长江黄河珠江") == "张三"
    started = time.monotonic()
    assert check_login(store, "张三", "长城长江黄海珠江") is None
    assert check_login(store, "王五", "长城长江黄河珠江") is None  # unknown name: refused the same way
    assert time.monotonic() - started >= 2 * fast_refusals  # each refusal waited

    disable_operator(store, "张三")
    assert check_login(store, "张三", "长城长江黄河珠江") is None
    assert [(o["name"], o["status"]) for o in list_operators(store)] == [("张三", "disabled"), ("李四", "active")]
    set_password(store, "张三", "新的一句好记密码")
    assert check_login(store, "张三", "长城长江黄河珠江") is None
    assert check_login(store, "张三", "新的一句好记密码") == "张三"
    actions = store.audit("operator")[["action"]].action.tolist()
    assert actions == ["create", "create", "disable", "passwd"]

    with pytest.raises(StoreError) as err:
        add_operator(store, "张三", "长城长江黄河珠江")
    assert err.value.code == "store.operator_exists"
    with pytest.raises(StoreError) as err:
        add_operator(store, "赵六", "short")
    assert err.value.code == "store.password_short" and "至少要 8 个字符" in str(err.value)
    with pytest.raises(StoreError) as err:
        add_operator(store, "\x07", "长城长江黄河珠江")
    assert err.value.code == "store.operator_name_invalid"
    assert len(list_operators(store)) == 2  # nothing half-written


def test_user_commands(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "u.db")
    monkeypatch.setenv("PW", "长城长江黄河珠江")
    assert main(["user", "add", "张三", "--db", db, "--password-env", "PW"]) == 0
    assert "已建录入员账号 张三" in capsys.readouterr().out
    assert main(["user", "add", "张三", "--db", db, "--password-env", "PW"]) == 1
    assert "“张三”：已经存在" in capsys.readouterr().err
    assert main(["user", "add", "李四", "--db", db, "--password-env", "NOT_SET"]) == 1
    assert "环境变量 NOT_SET：没有设置或为空" in capsys.readouterr().err

    typed = iter(["一句好记的新密码", "一句好记的新蜜码"])  # the second typing differs
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(typed))
    assert main(["user", "add", "李四", "--db", db]) == 1
    assert "两次输入的不一致" in capsys.readouterr().err
    typed = iter(["一句好记的新密码"] * 2)
    assert main(["user", "add", "李四", "--db", db]) == 0
    capsys.readouterr()

    assert main(["user", "disable", "李四", "--db", db]) == 0
    assert main(["user", "passwd", "王五", "--db", db, "--password-env", "PW"]) == 1
    assert "“王五”：数据库中没有这个账号" in capsys.readouterr().err
    assert main(["user", "list", "--db", db]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[:2] for line in listed] == [["张三", "可登录"], ["李四", "已停用"]]
    assert check_login(open_store(db), "张三", "长城长江黄河珠江") == "张三"


def test_login_panel_saves_under_the_account_name(db_url, fast_refusals):
    pytest.importorskip("ipywidgets")
    from toolkit.entry.login import LoginPanel
    from toolkit.entry.widgets import EntryForm
    from toolkit.forms import load_form

    form, store = load_form(FORM), open_store(db_url)
    add_operator(store, "张三", "长城长江黄河珠江")
    panel = LoginPanel(form, store)
    panel.name.value, panel.password.value = "张三", "猜一个密码试试"
    assert panel.login() is False and panel.entry is None
    assert "姓名或密码不对" in panel.status.value and "weidiaoyan user passwd" in panel.status.value
    assert panel.password.value == ""  # a typed password is not kept in the page's state

    panel.name.value, panel.password.value = "张三", "长城长江黄河珠江"
    assert panel.login() is True
    ui = panel.entry
    assert isinstance(ui, EntryForm) and list(panel.widget.children) == [ui.widget]
    assert ui.operator.disabled and ui.session is not None and ui.session.operator == "张三"
    ui.operator.value = "李四"  # what a tampered browser could send for the disabled box
    ui.start.click()
    assert ui.session.operator == "张三"
    from test_entry_widgets import MINIMAL

    for key, value in MINIMAL.items():
        ui.inputs[key].value = value
    ui._submitted(None)
    assert "已保存答卷" in ui.status.value
    assert store.responses(form.id)["operator"].tolist() == ["张三"]


def test_page_asks_for_a_login_once_the_store_has_accounts(tmp_path, monkeypatch):
    pytest.importorskip("ipywidgets")
    from toolkit.entry.login import LoginPanel
    from toolkit.entry.page import ENV_DB, ENV_FORM, ENV_OPERATOR, page_from_environment
    from toolkit.entry.widgets import EntryForm

    db = tmp_path / "p.db"
    monkeypatch.setenv(ENV_FORM, str(FORM))
    monkeypatch.setenv(ENV_DB, str(db))
    monkeypatch.setenv(ENV_OPERATOR, "随便写的名字")
    assert isinstance(page_from_environment(), EntryForm)
    add_operator(open_store(db), "张三", "长城长江黄河珠江")
    page = page_from_environment()
    assert isinstance(page, LoginPanel) and page.entry is None  # the typed-in name no longer counts


def test_lan_is_refused_without_accounts(tmp_path, capsys):
    pytest.importorskip("voila")
    db = str(tmp_path / "lan.db")
    for how in (["--lan"], ["--ip", "0.0.0.0"]):
        assert main(["entry", "--form", str(FORM), "--db", db, *how]) == 1
        err = capsys.readouterr().err
        assert "还没有录入员账号，不能向局域网开放录入页面" in err and "weidiaoyan user add 姓名 --db" in err


def test_imports_and_corrections_must_name_an_account_once_there_are_accounts(tmp_path, capsys):
    from toolkit.forms import load_form
    from toolkit.sample import generate_responses, write_export

    form = load_form(FORM)
    path = write_export(form, generate_responses(form, 5, seed=3), tmp_path / "a.csv", "wjx", neutralise=False)
    db = str(tmp_path / "i.db")
    command = ["ingest", str(path), "--form", str(FORM), "--db", db, "--report", str(tmp_path / "r.xlsx")]
    assert main([*command, "--operator", "随便谁"]) == 0  # no accounts yet: any name, as before
    store = open_store(db)
    add_operator(store, "张三", "长城长江黄河珠江")
    path = write_export(form, generate_responses(form, 5, seed=4), tmp_path / "b.csv", "wjx", neutralise=False)
    command[1] = str(path)
    capsys.readouterr()
    assert main([*command, "--operator", "李四"]) == 1
    assert "操作人 “李四”：不是本数据库可登录的录入员账号" in capsys.readouterr().err
    assert len(store.batches()) == 1 and len(store.responses(form.id)) == 5  # nothing half-written
    assert main([*command, "--operator", "张三"]) == 0
    assert store.batches()["operator"].tolist() == ["随便谁", "张三"]

    response = store.response(1)
    with pytest.raises(StoreError) as err:
        store.update_response(1, response["answers"], operator="李四", revision=response["revision"])
    assert err.value.code == "store.operator_not_account"
    store.update_response(1, response["answers"], operator="张三", revision=response["revision"])
    assert store.audit("response", 1)["operator"].tolist() == ["张三"]


def test_an_entry_session_needs_an_account_once_there_are_accounts(tmp_path):
    from toolkit.entry import EntryError, EntrySession
    from toolkit.forms import load_form

    form, store = load_form(FORM), open_store(tmp_path / "s.db")
    assert EntrySession(form, store, "李四").operator == "李四"  # no accounts: a typed name, as before
    add_operator(store, "张三", "长城长江黄河珠江")
    with pytest.raises(EntryError) as err:
        EntrySession(form, store, "李四")
    assert err.value.code == "entry.operator_not_account" and "用账号登录" in str(err.value)
    assert EntrySession(form, store, "张三").operator == "张三"
