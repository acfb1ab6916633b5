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


def _about(what: str, made_by: str | None) -> str:
    """What the file should be and how to make one, for the end of an error line."""
    return f"a file of {what}" + (f": {made_by}" if made_by else "")


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
    damaged: bool = False,
) -> list:
    """The rows of a JSONL file, blank lines skipped.

    `what` names the content ("predictions") and `made_by` how to make it ("write them with `t2s predict`").
    `check(row)` raises `BadRow(reason)` for a row of the wrong shape; `objects=False` also accepts rows
    that are not JSON objects (a predictions file may be a list of SQL strings). `damaged=True` is for a
    file t2s wrote itself (a run being resumed): a bad line is damage, and `made_by` says how to recover.
    """
    path = Path(path)
    if path.is_dir():
        raise T2SError(f"{path} is a folder: give the JSONL file inside it ({_about(what, made_by)})")
    if not path.is_file():
        raise T2SError(f"{path} does not exist ({_about(what, made_by)})")
    try:
        data = path.read_bytes()
    except OSError as e:
        raise T2SError(f"cannot read {path}: {e.strerror or e} ({_about(what, made_by)})") from None

    def bad(n: int, why: str, detail: str) -> T2SError:
        if damaged:
            return T2SError(f"{path}:{n} is damaged ({detail}): {made_by}")
        return T2SError(f"{path}:{n}{why} ({_about(what, made_by)})")

    rows = []
    for n, raw in enumerate(_lines(data), 1):
        line = raw.decode("utf-8", errors="replace")
        if not line.strip():
            continue
        try:
            row = scrub_all(json.loads(line))
        except json.JSONDecodeError as e:
            raise bad(
                n, f" is not valid JSON ({e}); expected one JSON object per line", f"not JSON: {e}"
            ) from None
        if objects and not isinstance(row, dict):
            kind = type(row).__name__
            raise bad(n, f" is a JSON {kind}, not an object", f"a JSON {kind}, not an object")
        if check is not None:
            try:
                check(row)
            except BadRow as e:
                raise bad(n, f": {e}", str(e)) from None
        rows.append(row)
    if not rows and not empty_ok:
        raise T2SError(f"{path} is empty ({_about(what, made_by)})")
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
