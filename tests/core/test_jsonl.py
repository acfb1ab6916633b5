"""core/jsonl: the one JSONL reader and writers (issue 18, item 2)."""

from __future__ import annotations

import json

import pytest

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow, JsonlAppender, append_jsonl, read_jsonl, repair_torn_tail, write_jsonl

MAKER = "build them with `t2s build-prompts`"


def _one_line(err: pytest.ExceptionInfo) -> str:
    text = str(err.value)
    assert "\n" not in text
    return text


def test_round_trip_keeps_bytes_and_unicode(tmp_path):
    rows = [{"id": "a", "sql": "SELECT 'é'"}, {"id": "b", "q": "line\u2028separator \u0085 ok"}, [1, 2]]
    path = tmp_path / "sub" / "rows.jsonl"
    write_jsonl(path, rows)
    assert path.read_bytes() == "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    # U+2028 and U+0085 are no line ends in JSONL: str.splitlines would have cut row b in three
    assert read_jsonl(path, "rows", objects=False) == rows
    assert [p.name for p in path.parent.iterdir()] == ["rows.jsonl"]  # no temporary file left


def test_write_replaces_the_whole_file(tmp_path):
    path = tmp_path / "r.jsonl"
    write_jsonl(path, [{"id": i} for i in range(5)])
    write_jsonl(path, [{"id": "only"}])
    assert read_jsonl(path, "rows") == [{"id": "only"}]


def test_missing_file_and_folder_are_one_line_naming_contents_and_maker(tmp_path):
    with pytest.raises(T2SError) as e:
        read_jsonl(tmp_path / "absent.jsonl", "prompts", MAKER)
    assert _one_line(e) == f"{tmp_path / 'absent.jsonl'} does not exist (a file of prompts: {MAKER})"
    with pytest.raises(T2SError) as e:
        read_jsonl(tmp_path, "prompts", MAKER)
    assert "is a folder" in _one_line(e) and MAKER in str(e.value)


def test_bad_json_names_file_line_contents_and_maker(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a"}\n\n{"id": "b", "sq\n{"id": "c"}\n')
    with pytest.raises(T2SError) as e:
        read_jsonl(path, "prompts", MAKER)
    text = _one_line(e)
    assert text.startswith(f"{path}:3 is not valid JSON (")  # blank line 2 still counts
    assert text.endswith(f"; expected one JSON object per line (a file of prompts: {MAKER})")


def test_rows_that_are_not_objects_or_fail_the_check(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a"}\n[1, 2]\n')
    with pytest.raises(T2SError, match=r"p.jsonl:2 is a JSON list, not an object \(a file of prompts: build"):
        read_jsonl(path, "prompts", MAKER)
    assert read_jsonl(path, "rows", objects=False) == [{"id": "a"}, [1, 2]]

    def check(row):
        if "sql" not in row:
            raise BadRow("needs sql")

    path.write_text('{"id": "a", "sql": "x"}\n{"id": "b"}\n')
    with pytest.raises(T2SError) as e:
        read_jsonl(path, "predictions", "write them with `t2s predict`", check=check)
    assert _one_line(e) == f"{path}:2: needs sql (a file of predictions: write them with `t2s predict`)"


def test_damaged_wording_is_for_files_t2s_wrote(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"id": "a"}\n{"id": "b", "sq\n{"id": "c"}\n')
    with pytest.raises(T2SError) as e:
        read_jsonl(path, "predictions", "pass --overwrite", damaged=True)
    assert _one_line(e).startswith(f"{path}:2 is damaged (not JSON: ") and str(e.value).endswith(
        "pass --overwrite"
    )


def test_empty_file(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text("\n  \n")
    with pytest.raises(T2SError, match=r"is empty \(a file of prompts"):
        read_jsonl(path, "prompts", MAKER)
    assert read_jsonl(path, "prompts", empty_ok=True) == []


def test_invalid_utf8_and_lone_surrogates_are_data(tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_bytes(b'{"sql": "SELECT \'\xff\'"}\n{"sql": "SELECT \'\\ud800\'"}\r\n')
    rows = read_jsonl(path, "predictions")
    assert rows == [{"sql": "SELECT '\ufffd'"}, {"sql": "SELECT '\ufffd'"}]
    write_jsonl(tmp_path / "again.jsonl", rows)  # writable as UTF-8


@pytest.mark.parametrize(
    "tail",
    [
        b'{"id": "c", "sq',  # killed mid-write: no newline
        b'{"id": "c", "sq\n',  # a whole line of garbage: its bytes never reached the disk
        b"\x00" * 4096,  # NUL blocks a crashed file system leaves past the last write
        b'{"id": "c", "sq\n\n',
    ],
)
def test_a_torn_last_line_is_cut_once_and_said_once(tmp_path, capsys, tail):
    good = b'{"id": "a"}\n{"id": "b"}\n'
    path = tmp_path / "p.jsonl"
    path.write_bytes(good + tail)
    assert repair_torn_tail(path) is True
    assert path.read_bytes() == good
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(path) in err and "torn" in err
    assert repair_torn_tail(path) is False and capsys.readouterr().err == ""


def test_clean_files_and_damage_before_the_last_line_are_left_alone(tmp_path, capsys):
    path = tmp_path / "p.jsonl"
    for content in (
        b'{"id": "a"}\n',
        b'{"id": "a"}\n[1]\n',
        b"",
        b'{"id": "a"}\n{"id": "b", "sq\n{"id": "c"}\n',
    ):
        path.write_bytes(content)
        assert repair_torn_tail(path) is False and path.read_bytes() == content
    assert capsys.readouterr().err == ""
    assert repair_torn_tail(tmp_path / "absent.jsonl") is False


def test_append_repairs_then_appends_durably(tmp_path, capsys):
    path = tmp_path / "runs" / "p.jsonl"
    append_jsonl(path, {"id": "a", "sql": "SELECT 1"})
    with open(path, "a") as f:
        f.write('{"id": "b", "sq')  # a kill mid-write
    with JsonlAppender(path) as out:
        out.write({"id": "b", "sql": "SELECT 'ü'"})
        out.write({"id": "c", "sql": "SELECT 3"})
    assert "torn" in capsys.readouterr().err
    assert [r["id"] for r in read_jsonl(path, "predictions")] == ["a", "b", "c"]
    assert path.read_text(encoding="utf-8").endswith('"SELECT \'ü\'"}\n{"id": "c", "sql": "SELECT 3"}\n')
