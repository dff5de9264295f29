"""Command line: ``weidiaoyan <command> …``.

Thin by design: each stage registers its own sub-commands in ``toolkit/<stage>/commands.py``
(a ``register(subparsers)`` function); this module wires them up, runs the chosen one,
and turns a ``ToolkitError`` into a Chinese message on stderr and a non-zero exit — never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import json
import re
import sys

from toolkit.errors import ToolkitError

# Stages that contribute commands; a missing module is skipped so stages can land independently.
STAGE_COMMANDS = [
    "toolkit.forms.commands",
    "toolkit.store.commands",
    "toolkit.sample.commands",
    "toolkit.entry.commands",
    "toolkit.ingest.commands",
    "toolkit.topics.commands",
    "toolkit.agenda.commands",
    "toolkit.brief.commands",
    "toolkit.analysis.commands",
    "toolkit.opinion.commands",
    "toolkit.member.commands",
    "toolkit.demo",
]


# argparse's own messages, said in Chinese (the values it names are kept).
_ARGPARSE_MESSAGES = [
    (re.compile(r"the following arguments are required: (.+)"), r"缺少必填参数：\1"),
    (re.compile(r"unrecognized arguments: (.+)"), r"无法识别的参数：\1"),
    (re.compile(r"argument (\S+): invalid choice: (.+?) \(choose from (.+)\)"), r"参数 \1 的取值 \2 无效，可选：\3"),
    (re.compile(r"argument (\S+): invalid int value: (.+)"), r"参数 \1 应为整数，收到 \2"),
    (re.compile(r"argument (\S+): invalid float value: (.+)"), r"参数 \1 应为数字，收到 \2"),
    (re.compile(r"argument (\S+): expected one argument"), r"参数 \1 后面需要跟一个值"),
]


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors in Chinese and exits 2."""

    def error(self, message: str):
        for pattern, chinese in _ARGPARSE_MESSAGES:
            message = pattern.sub(chinese, message)
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: 参数错误：{message}\n用法见 `{self.prog} --help`。\n")


def group(subparsers, name: str, help: str):
    """Return the sub-command group ``name`` (e.g. ``form``), creating it once.

    Lets several stages add commands under one group: ingest adds ``form infer``
    beside the forms stage's ``form check``.
    """
    existing = subparsers.choices.get(name)
    if existing is None:
        existing = subparsers.add_parser(name, help=help)
        existing.set_defaults(func=lambda args, p=existing: p.print_help() or 2)
        existing._group_subparsers = existing.add_subparsers(title="子命令", metavar="<子命令>")
    return existing._group_subparsers


def add_store_command(subparsers, name: str, func, help: str, description: str | None = None):
    """Add the sub-command ``name`` that runs ``func`` on a store (``--db`` or ``--db-env``); its parser."""
    from toolkit.store import add_db_arguments

    parser = subparsers.add_parser(name, help=help, description=description or help)
    add_db_arguments(parser)
    parser.set_defaults(func=func)
    return parser


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="weidiaoyan", description="微调研工具箱：问卷设计、录入、导入、议题发现、选题排序与简报。")
    from toolkit import __version__

    parser.add_argument("--version", action="version", version=f"weidiaoyan {__version__}")
    subparsers = parser.add_subparsers(title="命令", metavar="<命令>", parser_class=_Parser)
    for module_name in STAGE_COMMANDS:
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as err:
            if err.name and module_name.startswith(err.name):
                continue  # stage not built yet
            raise
        module.register(subparsers)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 2
    try:
        result = func(args)
    except ToolkitError as err:
        print(f"错误：{_shown(str(err))}", file=sys.stderr)
        if getattr(args, "json", False):  # scripts read the stable code (toolkit.errors.CATALOGUE), not the prose
            shown = {"code": err.code, "message": _shown(str(err)), "facts": _facts(err)}
            print(json.dumps({"error": shown}, ensure_ascii=False))
        return err.exit_code
    except KeyboardInterrupt:
        print("已中断。", file=sys.stderr)
        return 130
    return int(result or 0)


# A message quoting a hostile file (a 150 MB header) must stay readable: cut it, then mask what is left.
MAX_MESSAGE = 4000


def _facts(err: ToolkitError) -> dict:
    """The facts of ``err`` for ``--json``: numbers as numbers, texts masked like the message (a fact may be
    a header or an answer holding a phone number), a nested error as its code and facts."""
    from toolkit.outputs import mask_text

    def fact(value):
        if value is None or isinstance(value, (bool, int, float)):
            return value
        if isinstance(value, ToolkitError):
            return {"code": value.code, "facts": _facts(value)}
        if isinstance(value, (list, tuple, set)):
            return [fact(v) for v in value]
        return mask_text(str(value)[:MAX_MESSAGE])

    return {name: fact(value) for name, value in err.context.items()}


def _shown(message: str) -> str:
    """An error message as printed: at most ``MAX_MESSAGE`` characters, personal data masked (a message
    may quote a header or a value holding a phone number; the console is an output like any other)."""
    from toolkit.outputs import mask_text

    if len(message) > MAX_MESSAGE:
        message = f"{message[:MAX_MESSAGE]}…（消息共 {len(message):,} 字，其余从略）"
    return mask_text(message)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
