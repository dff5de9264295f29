"""Where a command's store is: ``--db`` (a file or URL) or ``--db-env VAR`` (a variable holding the URL),
and how printed hints name it without its password."""

from __future__ import annotations

import argparse
import os


class _FromEnv(argparse.Action):
    """``--db-env VAR``: the store is the URL held in the environment variable VAR (read at once into
    ``args.db``, so every command takes it as if given with ``--db``; ``args.db_env`` keeps the name)."""

    def __call__(self, parser, namespace, var, option_string=None):
        value = os.environ.get(var, "").strip()
        if not value:  # a usage error: argparse prints it with the usage line and exits 2
            from toolkit.errors import render

            raise argparse.ArgumentError(self, render("store.no_db_env", var=var))
        namespace.db, namespace.db_env = value, var


DB_ENV_HELP = "存放数据库地址的环境变量名（地址含密码时用它或 PGPASSWORD / ~/.pgpass，不把密码写在命令行上）"


def add_db_env(parser) -> None:
    """``--db-env VAR`` beside a command's own ``--db``."""
    parser.add_argument("--db-env", metavar="VAR", action=_FromEnv, help=DB_ENV_HELP)


def add_db_arguments(parser) -> None:
    """``--db`` or ``--db-env`` (one of them, required)."""
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--db", help="数据库文件（.db）或数据库地址（如 postgresql+psycopg://用户@主机/库名）")
    where.add_argument("--db-env", metavar="VAR", action=_FromEnv, help=DB_ENV_HELP)


def db_hint(args) -> str:
    """How a printed hint names the store: ``--db-env VAR`` as given, else ``--db`` without its password."""
    from toolkit.store.store import display

    var = getattr(args, "db_env", None)
    return f"--db-env {var}" if var else f"--db {display(args.db)}"
