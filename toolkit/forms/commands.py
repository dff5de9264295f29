"""``weidiaoyan form check`` — and the ``form`` command group other stages add to."""

from __future__ import annotations


def _check(args) -> int:
    from toolkit.forms import check_form

    status = 0
    for path in args.files:
        problems = check_form(path)
        errors = [p for p in problems if p.is_error]
        for p in problems:
            print(p)
        if errors:
            status = 1
            print(f"{path}：{len(errors)} 处错误，{len(problems) - len(errors)} 处提醒。")
        else:
            print(f"{path}：通过检查" + (f"（{len(problems)} 处提醒）" if problems else "") + "。")
    return status


def register(subparsers) -> None:
    from toolkit.cli import group

    form = group(subparsers, "form", help="问卷：检查、导出、导入")
    p = form.add_parser("check", help="检查问卷定义（YAML），列出每个问题的位置、规则和修改方法")
    p.add_argument("files", nargs="+", metavar="FILE", help="问卷 YAML 文件")
    p.set_defaults(func=_check)
