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


def _export(args) -> int:
    from pathlib import Path

    from toolkit.forms import FormError, load_form
    from toolkit.outfolder import check_out_file, output_file

    form = load_form(args.file)
    suffix = {"xlsform": ".xlsx", "docx": ".docx", "wjx": ".txt"}[args.to]
    out = Path(args.output or Path("reports") / f"{form.id}{'_wjx' if args.to == 'wjx' else ''}{suffix}")
    check_out_file(out, error=FormError, suffix=suffix)
    if args.to == "xlsform":
        from toolkit.forms.xlsform import write_xlsform, xlsform_to_xml

        with output_file(out, error=FormError) as tmp:  # whole or absent, also when killed midway
            write_xlsform(form, tmp)
        _, warnings = xlsform_to_xml(out)
        print(f"已导出 XLSForm：{out}（pyxform 转换通过" + (f"，{len(warnings)} 条提醒" if warnings else "") + "）")
        for w in warnings:
            print(f"  提醒：{w}")
    elif args.to == "docx":
        from toolkit.forms.paper import write_paper

        with output_file(out, error=FormError) as tmp:
            write_paper(form, tmp)
        print(f"已导出纸质问卷（A4）：{out}")
    else:
        from toolkit.forms.wjx_text import write_wjx_text

        with output_file(out, error=FormError) as tmp:
            _, manual = write_wjx_text(form, tmp)
        note = out.with_name(out.stem + "_需手工设置.txt")
        with output_file(note, error=FormError) as tmp:
            tmp.write_text("\n".join(manual) + "\n", encoding="utf-8")
        print(f"已导出问卷星文本导入格式：{out}（在问卷星“导入问卷—文本导入”中粘贴）")
        print(f"以下设置文本格式无法携带，导入后请在问卷星中手工设置（也已写入 {note}）：")
        for line in manual:
            print(f"  - {line}")
    return 0


def _import(args) -> int:
    from toolkit.forms import FormError, check_form, dump_form
    from toolkit.forms.xlsform import read_xlsform
    from toolkit.outfolder import check_out_file, output_file

    out = check_out_file(args.output, error=FormError, suffix=".yaml")
    form = read_xlsform(args.file)
    problems = check_form(form)
    for p in problems:
        print(p)
    with output_file(out, error=FormError) as tmp:
        dump_form(form, tmp)
    errors = [p for p in problems if p.is_error]
    print(
        f"已把 {args.file} 转为问卷定义 {out}：{len(form.questions)} 道题"
        + (f"；{len(errors)} 处错误需修改后才能使用" if errors else "")
        + "。"
    )
    return 1 if errors else 0


def register(subparsers) -> None:
    from toolkit.cli import group

    form = group(subparsers, "form", help="问卷：检查、导出、导入")
    p = form.add_parser("check", help="检查问卷定义（YAML），列出每个问题的位置、规则和修改方法")
    p.add_argument("files", nargs="+", metavar="FILE", help="问卷 YAML 文件")
    p.set_defaults(func=_check)
    p = form.add_parser("export", help="导出问卷：XLSForm（Kobo/ODK）、纸质问卷（Word，A4）、问卷星文本导入格式")
    p.add_argument("file", metavar="FILE", help="问卷 YAML 文件")
    p.add_argument("--to", required=True, choices=["xlsform", "docx", "wjx"], help="导出格式")
    p.add_argument("-o", "--output", metavar="OUT", help="输出文件（默认 reports/<问卷编号>.<扩展名>）")
    p.set_defaults(func=_export)
    p = form.add_parser("import", help="把 XLSForm（.xlsx）读回为问卷定义（YAML）")
    p.add_argument("file", metavar="FORM.xlsx", help="XLSForm 文件")
    p.add_argument("-o", "--output", required=True, metavar="OUT.yaml", help="输出的问卷 YAML 文件")
    p.set_defaults(func=_import)
