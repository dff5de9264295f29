"""A mistyped --db path is refused by commands that only read: it must not look like an empty database."""

import pytest

from toolkit.cli import main
from toolkit.store import StoreError, open_store

FORM = "surveys/annual_topics.yaml"


def test_open_store_refuses_a_missing_file_when_asked_not_to_create(tmp_path):
    with pytest.raises(StoreError) as err:
        open_store(tmp_path / "typo.db", create=False)
    assert err.value.code == "store.not_found"
    assert not (tmp_path / "typo.db").exists()
    open_store(tmp_path / "new.db").close()  # creating stays the default (import, entry, db init)
    assert (tmp_path / "new.db").is_file()


@pytest.mark.parametrize(
    "argv",
    [
        ["crosstab", "--form", FORM, "--rows", "services/medical", "--cols", "district"],
        ["quality", "--form", FORM],
        ["opinion", "list"],
        ["opinion", "report", "--year", "2026", "--out", "{tmp}/out"],
        ["member", "archive", "--year", "2026", "--out", "{tmp}/out"],
        ["member", "list"],
        ["brief", "--form", FORM, "--out", "{tmp}/out"],
    ],
    ids=lambda a: " ".join(a[:2]),
)
def test_read_only_commands_refuse_a_mistyped_database(argv, tmp_path, capsys):
    db = tmp_path / "typo.db"
    code = main([a.format(tmp=tmp_path) for a in argv] + ["--db", str(db)])
    err = capsys.readouterr().err
    assert code != 0 and "数据库文件不存在" in err and "Traceback" not in err
    assert not db.exists()
