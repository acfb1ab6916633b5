"""Completions to score offline (`t2s reward`): a JSONL file of `{"id": ..., "completion": "raw model text"}`."""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError


def read_completions(path: str | Path) -> list[tuple[object, str]]:
    """`(id, completion)` pairs from a JSONL file of `{"id": ..., "completion": "raw model text"}`."""
    import json

    path = Path(path)
    if not path.is_file():
        raise T2SError(f"completions file {path} does not exist")
    from text2sql.core.text import scrub_all

    out = []
    try:  # invalid UTF-8 and lone surrogates are part of what a model wrote: U+FFFD, scored as text
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError as e:
        raise T2SError(f"cannot read completions file {path}: {e.strerror or e}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = scrub_all(json.loads(line))
        except json.JSONDecodeError as e:
            raise T2SError(f"{path}:{n} is not valid JSON: {e}") from None
        if not isinstance(obj, dict) or obj.get("id") is None or not isinstance(obj.get("completion"), str):
            raise T2SError(f"{path}:{n}: expected an object with `id` and a string `completion`")
        if isinstance(obj["id"], bool) or not isinstance(obj["id"], str | int):
            raise T2SError(f"{path}:{n}: id is {json.dumps(obj['id'])[:40]}, expected an index or an id string")
        out.append((obj["id"], obj["completion"]))
    if not out:
        raise T2SError(f"completions file {path} is empty")
    return out
