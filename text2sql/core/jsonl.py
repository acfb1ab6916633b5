"""The one reader and writers of t2s's JSONL files (prompts, training rows, predictions, results).

Every error is one line naming the file, the line, what the file should hold and the command that makes
it, so a user handed a wrong or damaged file knows which command to rerun. Bytes that are not UTF-8 and
lone surrogates are data (U+FFFD), as a model may write them. Lines end at "\\n" only: JSON strings may
hold U+2028 and friends raw, which `str.splitlines` would cut.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.files import atomic_write_text
from text2sql.core.text import scrub_all


class BadRow(ValueError):
    """Raised by a row check: read_jsonl turns it into one line with the file, line and maker."""


def _expected(what: str, made_by: str | None) -> str:
    return f"expected {what}" + (f" ({made_by})" if made_by else "")


def dumps(row) -> str:
    """One JSONL line's text, as t2s has always written it (UTF-8 kept, no escapes)."""
    return json.dumps(row, ensure_ascii=False)


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()  # the newline that ends the last line
    return lines


def read_jsonl(
    path: str | Path,
    what: str,
    made_by: str | None = None,
    *,
    check: Callable[[object], None] | None = None,
    objects: bool = True,
    empty_ok: bool = False,
) -> list:
    """The rows of a JSONL file, blank lines skipped.

    `what` names the content ("predictions") and `made_by` how to make it ("write it with `t2s predict`").
    `check(row)` raises `BadRow(reason)` for a row of the wrong shape; `objects=False` also accepts rows
    that are not JSON objects (a predictions file may be a list of SQL strings).
    """
    path = Path(path)
    if path.is_dir():
        raise T2SError(f"{path} is a folder: give the JSONL file inside it, {_expected(what, made_by)}")
    if not path.is_file():
        raise T2SError(f"{path} does not exist: {_expected(what, made_by)}")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise T2SError(f"cannot read {path}: {e.strerror or e}; {_expected(what, made_by)}") from None
    rows = []
    for n, raw in enumerate(_lines(data), 1):
        line = raw.decode("utf-8", errors="replace")
        if not line.strip():
            continue
        try:
            row = scrub_all(json.loads(line))
        except json.JSONDecodeError as e:
            raise T2SError(
                f"{path}:{n} is not valid JSON ({e}): {_expected(what + ', one JSON object per line', made_by)}"
            ) from None
        if objects and not isinstance(row, dict):
            raise T2SError(
                f"{path}:{n} is a JSON {type(row).__name__}, not an object: {_expected(what, made_by)}"
            )
        if check is not None:
            try:
                check(row)
            except BadRow as e:
                raise T2SError(f"{path}:{n}: {e}: {_expected(what, made_by)}") from None
        rows.append(row)
    if not rows and not empty_ok:
        raise T2SError(f"{path} is empty: {_expected(what, made_by)}")
    return rows


def write_jsonl(path: str | Path, rows: Iterable) -> None:
    """All of `rows`, one per line, atomically: a reader never sees half a file."""
    atomic_write_text(path, "".join(dumps(r) + "\n" for r in rows))


def repair_torn_tail(path: str | Path) -> bool:
    """Cut the last line off `path` when a crash tore it (no newline, not JSON, or a NUL-filled tail a
    crashed file system leaves), saying so once on stderr; True when something was cut."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return False
    body = raw.rstrip(b"\x00")
    keep = body[: body.rfind(b"\n") + 1]  # without the partial line after the last newline
    text = keep.rstrip()  # trailing blank lines are no row
    start = text.rfind(b"\n") + 1
    if text[start:]:
        try:
            json.loads(text[start:].decode("utf-8", errors="replace"))
        except json.JSONDecodeError:  # a whole line, but garbage: torn before its bytes were synced
            keep = keep[:start]
    if len(keep) == len(raw):
        return False
    with open(path, "r+b") as f:
        f.truncate(len(keep))
        f.flush()
        os.fsync(f.fileno())
    print(
        f"note: {path} ended in a line torn by an interrupted write; cut it ({len(raw) - len(keep)} bytes), "
        "the rows before it are kept",
        file=sys.stderr,
    )
    return True


class JsonlAppender:
    """Rows appended one at a time, each flushed and fsynced: a crash loses at most the row being written.

    Opening repairs a torn last line first, so the file stays valid JSONL after a kill mid-write."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        repair_torn_tail(self.path)
        self._f = open(self.path, "a", encoding="utf-8")

    def write(self, row) -> None:
        self._f.write(dumps(row) + "\n")
        self._f.flush()
        os.fsync(self._f.fileno())

    def close(self) -> None:
        self._f.close()

    def __enter__(self) -> JsonlAppender:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def append_jsonl(path: str | Path, row) -> None:
    """One row at the end of `path` (repairing a torn last line first)."""
    with JsonlAppender(path) as f:
        f.write(row)
