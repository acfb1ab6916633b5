"""Completions to score offline (`t2s reward`): a JSONL file of `{"id": ..., "completion": "raw model text"}`."""

from __future__ import annotations

from pathlib import Path

from text2sql.core.jsonl import BadRow
from text2sql.core.records import COMPLETIONS, row_id


def _check(obj: dict) -> None:
    if obj.get("id") is None or not isinstance(obj.get("completion"), str):
        raise BadRow("expected an object with `id` and a string `completion`")
    row_id(obj)


def read_completions(path: str | Path) -> list[tuple[object, str]]:
    """`(id, completion)` pairs; invalid UTF-8 and lone surrogates are part of what a model wrote:
    U+FFFD, scored as text."""
    return [(obj["id"], obj["completion"]) for obj in COMPLETIONS.read(path, check=_check)]
