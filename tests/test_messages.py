"""One way to turn input into messages (issue 12, item 3): ``toolkit.messages``.

The same bad table gives the same Chinese message from ``topics``, ``topics --stream`` and ``rank``; the
streaming reader decodes GBK and UTF-16 and joins "a,b" text columns as the whole-file reader does, and
its chunks put together are the whole.
"""

from __future__ import annotations

import subprocess

import pandas as pd
import pytest
from conftest import ROOT

from toolkit.cli import main
from toolkit.messages import HEAD_BYTES, Columns, from_file, in_chunks, read
from toolkit.topics.errors import TopicsError

CLI = str(ROOT / ".venv" / "bin" / "weidiaoyan")
TIMEOUT = 300  # hang protection only: a small fit takes seconds


def table(n: int = 60, seed: int = 7) -> pd.DataFrame:
    """Staff-style columns: 编号, 标题, 详情, 时间, 留言用户."""
    from toolkit.sample import generate_concerns

    data = generate_concerns(n, seed=seed)
    return pd.DataFrame(
        {
            "编号": [f"L{i:04d}" for i in range(n)],
            "标题": data["text"].str[:6],
            "详情": data["text"],
            "时间": data["submitted_at"].astype(str),
            "留言用户": data["respondent"],
        }
    )


def write_csv(frame: pd.DataFrame, path, encoding="utf-8", title: str | None = None):
    text = frame.to_csv(index=False)
    if title:  # a title row above the header, as exports often have
        text = title + "," * (frame.shape[1] - 1) + "\n" + text
    path.write_bytes(text.encode(encoding))
    return path


def commands(path, text="标题,详情", id_="编号", time="时间"):
    """The three ways a table becomes messages on the command line, asked for the same columns."""
    cols = ["--text-col", text, "--id-col", id_, "--time-col", time, "--quiet"]
    return {
        "topics": ["topics", str(path), *cols, "--out", str(path.parent / "o_t")],
        "topics --stream": ["topics", str(path), *cols, "--stream", "--out", str(path.parent / "o_s")],
        "rank": ["rank", str(path), *cols, "--out", str(path.parent / "o_r")],
    }


def error_in_process(args, capsys) -> str:
    assert main(args) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err and err.startswith("错误："), err
    return err.strip()


def error_in_subprocess(args) -> str:
    proc = subprocess.run([CLI, *args], capture_output=True, text=True, timeout=TIMEOUT)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.startswith("错误："), proc.stderr
    return proc.stderr.strip()


# ---- the same bad input, the same message ---------------------------------------------------------------


def _missing_text_column(frame):
    return frame, {"text": "标题,详情X"}


def _missing_id_column(frame):
    return frame, {"id_": "留言编号"}


def _empty_id(frame):
    frame.loc[4, "编号"] = ""
    return frame, {}


def _repeated_id(frame):
    frame.loc[6, "编号"] = frame.loc[2, "编号"]
    return frame, {}


def _id_of_spaces(frame):
    frame.loc[3, "编号"] = "  "
    return frame, {}


def _time_without_dates(frame):
    return frame, {"time": "留言用户"}


BAD = {
    "missing text column in a,b": (
        _missing_text_column,
        "找不到列“详情X”（--text-col；现有列：编号、标题、详情、时间、留言用户）",
    ),
    "missing id column": (_missing_id_column, "找不到列“留言编号”（--id-col；"),
    "empty id": (_empty_id, "第 6 行：编号列“编号”（--id-col）为空"),
    "id of spaces": (_id_of_spaces, "第 5 行：编号列“编号”（--id-col）为空"),
    "repeated id": (_repeated_id, "第 8 行：编号列“编号”（--id-col）的值必须唯一（“L0002”与第 4 行重复）"),
    "time without dates": (_time_without_dates, "时间列“留言用户”（--time-col）"),
}


def test_an_input_file_is_named_one_way_whatever_is_wrong_with_it(tmp_path, capsys):
    # a missing file and a bad column of a present one: both messages open with the bare path
    missing = tmp_path / "nosuch.csv"
    path = write_csv(table(), tmp_path / "留言.csv")
    for file, options in ((missing, {}), (path, {"text": "没有这列"})):
        message = error_in_process(commands(file, **options)["topics"], capsys)
        assert message.startswith(f"错误：{file}：") and "输入文件" not in message, message


@pytest.mark.parametrize("case", BAD)
def test_the_same_bad_table_gives_the_same_message_from_topics_stream_and_rank(case, tmp_path, capsys):
    spoil, expected = BAD[case]
    frame, options = spoil(table())
    path = write_csv(frame, tmp_path / "留言.csv")
    errors = {name: error_in_process(args, capsys) for name, args in commands(path, **options).items()}
    assert len(set(errors.values())) == 1, errors
    message = errors["topics"]
    assert message.startswith(f"错误：{path}") and expected in message, message
    assert not (tmp_path / "o_t").exists() and not (tmp_path / "o_s").exists() and not (tmp_path / "o_r").exists()


@pytest.mark.slow
def test_a_gbk_table_with_a_repeated_id_gets_one_message_from_all_three_commands(tmp_path):
    """Real CLI in a subprocess: before, ``topics --stream`` died here with a bare UnicodeDecodeError."""
    frame, _ = _repeated_id(table())
    path = write_csv(frame, tmp_path / "留言.csv", encoding="gbk")
    errors = {name: error_in_subprocess(args) for name, args in commands(path).items()}
    assert len(set(errors.values())) == 1, errors
    assert "第 8 行：编号列“编号”（--id-col）的值必须唯一（“L0002”与第 4 行重复）" in errors["topics --stream"]


@pytest.mark.slow
def test_a_missing_second_text_column_is_named_alike_in_the_stream_cli(tmp_path):
    """Real CLI: before, "a,b" with --stream was a pandas ValueError about usecols."""
    path = write_csv(table(), tmp_path / "留言.csv")
    stream = error_in_subprocess(commands(path, text="标题,详情X")["topics --stream"])
    whole = error_in_subprocess(commands(path, text="标题,详情X")["topics"])
    assert stream == whole and "找不到列“详情X”（--text-col；" in stream


# ---- the streaming path reads what the whole-file path reads ---------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["gbk", "utf-16"])
def test_the_stream_cli_reads_a_gbk_or_utf16_csv_and_joins_two_text_columns(encoding, tmp_path):
    data = table(120)
    path = write_csv(data, tmp_path / "留言.csv", encoding=encoding)
    proc = subprocess.run(
        [
            CLI,
            "topics",
            str(path),
            "--text-col",
            "标题,详情",
            "--id-col",
            "编号",
            "--time-col",
            "时间",
            "--stream",
            "--sample-size",
            "80",
            "--out",
            str(tmp_path / "o"),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )
    assert proc.returncode == 0 and "Traceback" not in proc.stderr, proc.stderr
    assigned = pd.read_csv(tmp_path / "o" / "assignments.csv", encoding="utf-8-sig")
    assert assigned["id"].tolist() == data["编号"].tolist()


COLUMNS = Columns(text="标题,详情", id="编号", time="时间", respondent="留言用户")


@pytest.mark.parametrize(
    "encoding, title", [("utf-8", None), ("gbk", None), ("utf-16", None), ("gbk", "2025年群众留言汇总表")]
)
def test_chunks_put_together_equal_the_whole(encoding, title, tmp_path):
    path = write_csv(table(95), tmp_path / "留言.csv", encoding=encoding, title=title)
    whole = read(path, COLUMNS, error=TopicsError)
    chunks = list(in_chunks(path, COLUMNS, error=TopicsError, chunksize=20))
    assert len(chunks) > 3 and all(len(c) <= 20 for c in chunks)
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), whole)
    assert whole["text"].iloc[0] == f"{table(95)['标题'].iloc[0]}。{table(95)['详情'].iloc[0]}"
    assert whole["time"].notna().all() and list(whole.columns) == ["id", "text", "time", "respondent"]


def test_a_repeat_across_chunks_is_found_and_named_as_in_the_whole(tmp_path):
    frame = table(60)
    frame.loc[47, "编号"] = frame.loc[3, "编号"]  # rows 49 and 5 in Excel, chunks of 20 apart
    path = write_csv(frame, tmp_path / "留言.csv")
    with pytest.raises(TopicsError) as whole:
        from_file(path, COLUMNS, error=TopicsError)
    with pytest.raises(TopicsError) as streamed:
        list(in_chunks(path, COLUMNS, error=TopicsError, chunksize=20))
    assert str(whole.value) == str(streamed.value)
    assert streamed.value.code == "id.repeated" and (
        streamed.value.context["row"],
        streamed.value.context["first"],
    ) == (49, 5)
    assert "第 49 行：编号列“编号”（--id-col）的值必须唯一（“L0003”与第 5 行重复）" in str(streamed.value)


def test_a_ragged_row_is_refused_alike_whole_and_in_chunks(tmp_path):
    path = tmp_path / "留言.csv"
    path.write_text("编号,标题,时间\n1,路灯,2025-01-01\n2,电梯,2025-01-02,多出一格\n", encoding="utf-8")
    errors = []
    for reading in (
        lambda: read(path, COLUMNS_1, error=TopicsError),
        lambda: list(in_chunks(path, COLUMNS_1, error=TopicsError)),
    ):
        with pytest.raises(TopicsError) as err:
            reading()
        errors.append(err.value)
    assert [e.code for e in errors] == ["file.unreadable"] * 2 and str(errors[0]) == str(errors[1])
    assert "Expected 3 fields in line 3, saw 4" in errors[0].context["reason"]


COLUMNS_1 = Columns(text="标题", id="编号", time="时间")


@pytest.mark.slow
def test_a_big_gbk_file_cut_mid_character_at_the_sniffed_head_reads_whole(tmp_path):
    """The encoding is picked from the first 4 MB; a character split by that cut is no error."""
    line = "L{:06d},路灯不亮,小区北门路灯坏了三个月，晚上出行很不方便,2025-03-01 08:00:00,u{:06d}\n"
    rows = ["编号,标题,详情,时间,留言用户\n"] + [line.format(i, i) for i in range(HEAD_BYTES // 60)]
    blob = "".join(rows).encode("gbk")
    if blob[:HEAD_BYTES].decode("gbk", "ignore").encode("gbk") == blob[:HEAD_BYTES]:  # cut between characters
        blob = b"\n" + blob  # shift it by one byte
    assert len(blob) > HEAD_BYTES
    with pytest.raises(UnicodeDecodeError):
        blob[:HEAD_BYTES].decode("gbk")  # the head really ends inside a character
    path = tmp_path / "大.csv"
    path.write_bytes(blob)
    whole = read(path, COLUMNS, error=TopicsError)
    chunks = pd.concat(in_chunks(path, COLUMNS, error=TopicsError, chunksize=20_000), ignore_index=True)
    pd.testing.assert_frame_equal(chunks, whole)
    assert whole["text"].iloc[-1] == "路灯不亮。小区北门路灯坏了三个月，晚上出行很不方便"


def test_a_file_whose_encoding_changes_after_the_head_is_refused_in_chinese(tmp_path):
    line = "L{:07d},路灯不亮,2025-03-01\n"
    head = "编号,标题,时间\n" + "".join(line.format(i) for i in range(HEAD_BYTES // 20 + 10))
    path = tmp_path / "混合.csv"
    path.write_bytes(head.encode("utf-8") + "L9999999,电梯坏了,2025-03-02\n".encode("gbk"))
    with pytest.raises(TopicsError) as err:
        list(in_chunks(path, Columns(text="标题", id="编号"), error=TopicsError))
    bad = head.count("\n") + 1  # the line written in GBK
    assert err.value.code == "file.encoding_partial" and err.value.context == {
        "path": path,
        "encoding": "UTF-8",
        "line": bad,
    }
    assert str(err.value).startswith(f"{path} 第 {bad} 行：这一行有无法按 UTF-8 编码解码的字节")


def test_a_gbk_csv_with_one_bad_byte_names_the_encoding_and_the_line(tmp_path):
    rows = "".join(f"L{i:04d},小区路灯不亮第{i}天,2025-03-01\n" for i in range(300))
    path = tmp_path / "问卷星.csv"
    path.write_bytes(("编号,标题,时间\n" + rows).encode("gbk") + b"L9999,\x81 cut,2025-03-02\n")
    with pytest.raises(TopicsError) as err:
        read(path, COLUMNS_1, error=TopicsError)
    assert err.value.code == "file.encoding_partial"
    assert err.value.context == {"path": path, "encoding": "GBK/GB18030", "line": 302}
    # the streaming reader says the same
    with pytest.raises(TopicsError) as again:
        list(in_chunks(path, COLUMNS_1, error=TopicsError))
    assert again.value.code == "file.encoding_partial" and again.value.context["line"] == 302


def test_rank_guesses_the_respondent_column_and_keeps_optional_ones(tmp_path):
    from toolkit.agenda import messages_from
    from toolkit.tables import read_table

    path = write_csv(table(30), tmp_path / "留言.csv")
    msgs = messages_from(
        read_table(path, error=TopicsError),
        text_col="标题,详情",
        id_col="编号",
        time_col="时间",
        district_col="留言用户",
        path=path,
    )
    assert list(msgs.columns) == ["id", "text", "time", "respondent", "district"]
    assert msgs.attrs["columns"]["respondent"] == "留言用户" and msgs.attrs["columns"]["text"] == ["标题", "详情"]


def test_a_store_is_read_in_pages_that_add_up_to_the_whole(db_url, tmp_path):
    """``in_chunks`` on a store pages by response id (bounded memory); the pages concatenated equal ``read``."""
    from pathlib import Path

    import pandas as pd

    from toolkit.forms import load_form
    from toolkit.ingest import ingest
    from toolkit.messages import Columns, in_chunks, read
    from toolkit.sample import generate_responses, write_export
    from toolkit.store import open_store
    from toolkit.topics.errors import TopicsError

    form_path = Path(__file__).resolve().parents[1] / "surveys" / "annual_topics.yaml"
    form = load_form(form_path)
    export = write_export(form, generate_responses(form, 250, seed=5), tmp_path / "x.csv", "wjx", by="code")
    ingest(export, str(form_path), db_url)
    store = open_store(db_url)
    try:
        pages = list(store.iter_responses("annual_topics", chunksize=100))
        assert [len(p) for p in pages] == [100, 100, 50]
        whole = store.responses("annual_topics")
        assert pd.concat(pages, ignore_index=True)["response_id"].tolist() == whole["response_id"].tolist()
    finally:
        store.close()
    columns = Columns(text="concern", id="response_id", time="submitted_at")
    chunks = list(in_chunks(db_url, columns, error=TopicsError, chunksize=100))
    assert len(chunks) == 3
    joined = pd.concat(chunks, ignore_index=True)
    assert joined[["id", "text"]].equals(read(db_url, columns, error=TopicsError)[["id", "text"]])
