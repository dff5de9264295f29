"""Hostile-input catalogue for issue 11 (加固): each case run through the real CLI, classified.

    .venv/bin/python benchmarks/hardening.py [--code DIR] [--timeout 60] [--only NAME ...]

``--code DIR`` runs another checkout of the package (e.g. ``git worktree add /tmp/before <rev>``) with this
venv, to print the table before and after a change. Every case runs ``weidiaoyan`` in a subprocess under a
3 GB address-space limit and a timeout, and is classified:

  clean      refused (or accepted when the input is legitimate) with a Chinese message and no traceback
  traceback  a Python traceback reached the user
  crash      killed by a signal or aborted (rc >= 128 or < 0)
  hang       still running at the timeout
  formula    a written xlsx/csv holds a live formula (cell type f / a text starting with = + - @ tab CR)
  leak       a planted phone, ID, plate or bank card number appears in a written file or the console
  flood      the console got more than 20,000 characters (a message quoting a hostile file whole)

Prints one row per case and the totals per class. The inputs are synthetic; nothing is downloaded.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import subprocess
import tempfile
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PY = ROOT / ".venv" / "bin" / "python"
MEMORY = 3 << 30

PAYLOADS = [
    "=1+1",
    '=HYPERLINK("http://x.invalid","点此")',
    "+cmd|'/C notepad'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+2",
    "\r=3+4",
    "＝1+1",
    " =5+5",
]
# planted personal data: (kind, as written, the digits/letters a leak would show)
PLANTED = [
    ("mobile", "13812345678", "13812345678"),
    ("mobile", "139.1234.5607", "13912345607"),
    ("mobile", "139 - 1234 - 5610", "13912345610"),
    ("mobile", "１３８１２３４５６７９", "13812345679"),
    ("landline", "0755 8765 4324", "075587654324"),
    ("landline", "020-8765-4326", "02087654326"),
    ("landline", "0731—84561238", "073184561238"),
    ("id_number", "110101199003074514", "110101199003074514"),
    ("id_number", "110101 19900307 4514", "110101199003074514"),
    ("plate", "粤b12348", "粤B12348"),
    ("plate", "粤B 12349", "粤B12349"),
    ("plate", "湘ａ12352", "湘A12352"),
    ("bank_card", "6222 0202 0002 0000 009", "6222020200020000009"),
]
MATTERS = [
    "丽景小区门口的路灯坏了很久，晚上看不清路",
    "幸福路菜市场占道经营，早上堵得走不动",
    "东湖街道的垃圾站太臭了，夏天没法开窗",
    "河口镇中心小学放学时门口车太多",
    "新港镇的公交车太少，等一小时",
]


def letters_csv(path: Path) -> None:
    """Letters about five matters, opened by formula payloads and carrying planted personal data."""
    import csv

    rows = []
    for i in range(120):
        text = MATTERS[i % len(MATTERS)]
        if i < len(PAYLOADS) * 2:
            text = PAYLOADS[i % len(PAYLOADS)] + text
        if i % 3 == 0:
            text += f"，联系电话{PLANTED[i % len(PLANTED)][1]}"
        rows.append([f"{100000 + i}", f"2026-0{1 + i % 9}-1{i % 9}", text, f"user{i % 40}", i % 7])
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["编号", "时间", "内容", "用户", "点赞"])
        w.writerows(rows)


def xlsx_with_sheet(path: Path, sheet_xml: bytes, *, level: int = 6) -> None:
    """A minimal xlsx around one sheet's XML."""
    ct = (
        b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
        b'"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
        b'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxml'
        b'formats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
    )
    rels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    )
    wb = (
        b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
        b'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    wbrels = (
        b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        b'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr("_rels/.rels", rels)
        z.writestr("xl/workbook.xml", wb)
        z.writestr("xl/_rels/workbook.xml.rels", wbrels)
        z.writestr("xl/worksheets/sheet1.xml", sheet_xml)


SHEET_HEAD = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
    b'spreadsheetml/2006/main"><sheetData>'
)
SHEET_TAIL = b"</sheetData></worksheet>"


def far_cell_xlsx(path: Path) -> None:
    row = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c><c r="B1" t="inlineStr"><is><t>text</t>'
        b'</is></c></row><row r="30000"><c r="XFD30000" t="inlineStr"><is><t>x</t></is></c></row>'
    )
    xlsx_with_sheet(path, SHEET_HEAD + row + SHEET_TAIL)


def bomb_xlsx(path: Path, megabytes: int = 300) -> None:
    """A sheet whose XML inflates to ``megabytes`` of padding (written streaming: the bench stays small)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        xlsx_with_sheet(path.with_suffix(".tmp.xlsx"), SHEET_HEAD + SHEET_TAIL)
        with zipfile.ZipFile(path.with_suffix(".tmp.xlsx")) as src:
            for item in src.infolist():
                if item.filename != "xl/worksheets/sheet1.xml":
                    z.writestr(item.filename, src.read(item.filename))
        path.with_suffix(".tmp.xlsx").unlink()
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>')
            block = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(block)
            fh.write(b"</t></is></c></row>" + SHEET_TAIL)


def wide_csv(path: Path, columns: int = 1_000_000) -> None:
    with path.open("w") as fh:
        fh.write(",".join(f"c{i}" for i in range(columns)) + "\n")
        fh.write(",".join("1" for _ in range(columns)) + "\n")


FORM = """id: f
title: t
questions:
  - id: code
    kind: text
    label: 代码
    constraint: {constraint}
  - id: note
    kind: text
    label: 说明
"""


def forms(tmp: Path) -> dict[str, Path]:
    out = {}
    deep = "(" * 150 + "1" + ")" * 150
    for name, constraint in [
        ("redos", "regex(., '^(a+)+$')"),
        ("redos_alt", "regex(., '^(a|aa)+$')"),
        ("regex_unclosed", "regex(., '(unclosed')"),
        ("nested_150", f". = {deep}"),
        ("literal_100k", ". < " + "9" * 100_000),
    ]:
        out[name] = tmp / f"{name}.yaml"
        out[name].write_text(FORM.format(constraint=f'"{constraint}"'), encoding="utf-8")
    laughs = ["id: f", "title: t", 'a0: &a0 ["哈哈哈哈哈哈哈哈哈哈"]']
    for i in range(1, 10):
        laughs.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    laughs += ["questions:", "  - id: q", "    kind: text", "    label: *a9"]
    out["billion_laughs"] = tmp / "laughs.yaml"
    out["billion_laughs"].write_text("\n".join(laughs) + "\n", encoding="utf-8")
    out["duplicate_keys"] = tmp / "dupkeys.yaml"
    out["duplicate_keys"].write_text(
        "id: f\ntitle: t\ntitle: u\nquestions:\n  - id: q\n    kind: text\n    label: x\n    label: y\n",
        encoding="utf-8",
    )
    return out


def run(argv, code: Path | None, cwd: Path, timeout: float):
    env = dict(os.environ, PYTHONPATH=str(code) if code else "", COLUMNS="120")
    cmd = [str(PY), "-c", "import sys; from toolkit.cli import main; sys.exit(main(sys.argv[1:]))", *argv]
    start = time.perf_counter()
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY)),
        )
    except subprocess.TimeoutExpired:
        return None, "", time.perf_counter() - start
    return done.returncode, done.stdout + done.stderr, time.perf_counter() - start


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?([eE][+-]?\d+)?$")


def formulas_in(folder: Path) -> int:
    """Live formulas in the xlsx and csv files under ``folder``."""
    import csv

    n = 0
    for path in folder.rglob("*"):
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(path) as z:
                n += sum(len(re.findall(rb"<f[ >]", z.read(m))) for m in z.namelist() if m.startswith("xl/worksheets/"))
        elif path.suffix == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for row in csv.reader(fh):
                    n += sum(1 for c in row if c.lstrip(" ").startswith(_FORMULA_START) and not _NUMBER.match(c))
    return n


def leaks_in(folder: Path | None, console: str) -> list[str]:
    """Planted numbers found in the written files (their text, separators dropped) or the console."""
    import unicodedata

    texts = [console]
    for path in folder.rglob("*") if folder else []:
        if path.suffix in (".csv", ".json", ".txt", ".md"):
            texts.append(path.read_text(encoding="utf-8-sig", errors="replace"))
        elif path.suffix in (".xlsx", ".docx", ".pptx"):
            with zipfile.ZipFile(path) as z:
                texts += [z.read(m).decode("utf-8", "replace") for m in z.namelist() if m.endswith(".xml")]
    flat = re.sub(r"[\s\-.—·<>/=\"a-z:]+", "", unicodedata.normalize("NFKC", "".join(texts)))
    return sorted({kind for kind, _, digits in PLANTED if digits in flat})


def classify(rc, out: str, *, expect_ok: bool) -> str:
    if rc is None:
        return "hang"
    if "Traceback" in out:
        return "traceback"
    if rc < 0 or rc >= 128:
        return "crash"
    if rc == 0 and not expect_ok:
        return "accepted"
    if rc != 0 and not re.search(r"[\u4e00-\u9fff]", out):
        return "no message"
    if len(out) > 20_000:
        return "flood"  # a message nobody can read (it quotes a hostile file whole)
    return "clean"


def topics_argv(path, text_col: str, id_col: str, out) -> list[str]:
    return ["topics", str(path), "--text-col", text_col, "--id-col", id_col, "--quiet", "--out", str(out)]


def cases(tmp: Path):
    """(name, argv, expect_ok, output folder to scan or None)."""
    letters = tmp / "letters.csv"
    letters_csv(letters)
    rank_args = [
        "--text-col",
        "内容",
        "--id-col",
        "编号",
        "--time-col",
        "时间",
        "--respondent-col",
        "用户",
        "--likes-col",
        "点赞",
        "--quiet",
    ]
    yield (
        "rank: payload + PII letters",
        ["rank", str(letters), *rank_args, "--out", str(tmp / "rank")],
        True,
        tmp / "rank",
    )
    yield (
        "topics: payload + PII letters",
        topics_argv(str(letters), "内容", "编号", str(tmp / "topics")),
        True,
        tmp / "topics",
    )
    hostile = {"xfd30000.xlsx": far_cell_xlsx, "bomb300.xlsx": bomb_xlsx, "wide1M.csv": wide_csv}
    for name, make in hostile.items():
        make(tmp / name)
    (tmp / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(tmp / "fifo.csv")
    for name in [*hostile, "zero.csv", "fifo.csv"]:
        path = str(tmp / name)
        yield (
            f"topics: {name}",
            topics_argv(path, "text", "id", str(tmp / "o")),
            False,
            None,
        )
        yield (
            f"rank: {name}",
            [
                "rank",
                path,
                "--text-col",
                "text",
                "--id-col",
                "id",
                "--time-col",
                "t",
                "--quiet",
                "--out",
                str(tmp / "o"),
            ],
            False,
            None,
        )
        yield (
            f"ingest: {name}",
            ["ingest", path, "--form", str(ROOT / "surveys" / "annual_topics.yaml"), "--db", str(tmp / "h.db")],
            False,
            None,
        )
    answers = tmp / "answers.csv"
    answers.write_text("代码,说明\naaaa,好\n" + "a" * 40 + "!,坏\n", encoding="utf-8")
    for name, form in forms(tmp).items():
        yield f"form check: {name}", ["form", "check", str(form)], False, None
        if name.startswith(("redos", "regex")):
            yield (
                f"ingest: {name}",
                ["ingest", str(answers), "--form", str(form), "--db", str(tmp / f"{name}.db"), "--json"],
                False,
                None,
            )
    a_file = tmp / "a_file.txt"
    a_file.write_text("x")
    for where, out in [("is a file", a_file), ("inside a file", a_file / "sub")]:
        yield (
            f"topics: --out {where}",
            topics_argv(str(letters), "内容", "编号", str(out)),
            False,
            None,
        )
        yield f"rank: --out {where}", ["rank", str(letters), *rank_args, "--out", str(out)], False, None
    doctype = (
        SHEET_HEAD.replace(b"?>", b'?><!DOCTYPE worksheet [<!ENTITY a "x">]>', 1)
        + b'<row r="1"><c r="A1" t="inlineStr"><is><t>text&a;</t></is></c></row>'
        + SHEET_TAIL
    )
    xlsx_with_sheet(tmp / "doctype.xlsx", doctype)
    yield (
        "topics: DOCTYPE in a sheet",
        topics_argv(str(tmp / "doctype.xlsx"), "text", "id", str(tmp / "o")),
        False,
        None,
    )
    (tmp / "long_header.csv").write_text("编号,内容," + "长" * 200_000 + "\n1,路灯,x\n", encoding="utf-8")
    yield (
        "topics: 200,000-character header",
        topics_argv(str(tmp / "long_header.csv"), "意见", "编号", str(tmp / "o")),
        False,
        None,
    )
    (tmp / "header_pii.csv").write_text(f"编号,内容,张三{PLANTED[0][1]}\n1,路灯坏了,x\n", encoding="utf-8")
    yield (
        "topics: phone in a header (message)",
        topics_argv(str(tmp / "header_pii.csv"), "意见", "编号", str(tmp / "o")),
        False,
        None,
    )
    endless = "\n".join(f"{i},小区{i % 3}号楼门口的路灯坏了很久" for i in range(1, 30))
    (tmp / "endless.csv").write_text(
        "编号,内容\n" + endless + "\n30," + "路灯坏了" * 5_000_000 + "\n", encoding="utf-8"
    )
    yield (
        "topics: one 20M-character letter",
        topics_argv(str(tmp / "endless.csv"), "内容", "编号", str(tmp / "endless")),
        True,
        None,
    )
    pii = tmp / "pii_answers.csv"
    pii.write_text("代码,说明\n" + "\n".join(f"{p[1]},{p[1]}" for p in PLANTED) + "\n", encoding="utf-8")
    form = tmp / "plain.yaml"
    form.write_text(FORM.format(constraint='"string-length(.) < 5"'), encoding="utf-8")
    yield (
        "ingest --json: PII in rejected values",
        [
            "ingest",
            str(pii),
            "--form",
            str(form),
            "--db",
            str(tmp / "pii.db"),
            "--json",
            "--report",
            str(tmp / "pii_report"),
        ],
        True,
        tmp / "pii_report",
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, help="another checkout of the package to run instead")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--only", nargs="*", help="run only cases whose name contains one of these")
    args = parser.parse_args()
    totals: dict[str, int] = {}
    print(f"code: {args.code or ROOT}")
    with tempfile.TemporaryDirectory() as tmp:
        for name, argv, expect_ok, folder in cases(Path(tmp)):
            if args.only and not any(o in name for o in args.only):
                continue
            rc, out, took = run(argv, args.code, Path(tmp), args.timeout)
            verdict = classify(rc, out, expect_ok=expect_ok)
            extra = []
            if folder is not None and folder.exists() and (n := formulas_in(folder)):
                extra.append(f"formula×{n}")
            leaked = leaks_in(folder if folder is not None and folder.exists() else None, out)
            if leaked:
                extra.append("leak:" + ",".join(leaked))
            for tag in [verdict, *(e.split("×")[0].split(":")[0] for e in extra)]:
                totals[tag] = totals.get(tag, 0) + 1
            first = next((ln for ln in out.splitlines() if re.search(r"[\u4e00-\u9fff]|Error", ln)), "")[:70]
            print(f"{name:42s} rc={rc!s:>4} {took:5.1f}s  {verdict:10s} {' '.join(extra):24s} {first}")
    print("\ntotals: " + "  ".join(f"{k} {v}" for k, v in sorted(totals.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
