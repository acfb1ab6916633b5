"""Read model predictions in the three formats t2s accepts, and align them with benchmark examples.

- text (the official format): one SQL per line; anything after a tab is dropped, as the official
  evaluator does (`line.split('\\t')[0]`); blank lines are kept as empty predictions so that line
  N stays question N (the official reader takes a blank line as the end of a multi-turn session);
- JSONL: one object per line with `sql` and an optional `id`;
- JSON: a list of strings, or of objects with `sql` and an optional `id`;
- BIRD's `predict_dev.json`: an object `{"0": "SQL\t----- bird -----\tdb_id", ...}` keyed by
  question index; the SQL is what comes before the separator, as BIRD's `package_sqls` reads it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow
from text2sql.core.records import PREDICTIONS, SQL_KEYS, row_id, sql_of
from text2sql.core.text import scrub
from text2sql.data.schema import Example

Prediction = str | tuple[object, str]
BIRD_SEPARATOR = "\t----- bird -----\t"


def _from_bird(items: dict, path: Path) -> list[tuple[object, str]]:
    """BIRD's predict_dev.json: keys are question indexes, values `SQL<sep>db_id`."""
    preds: list[tuple[object, str]] = []
    for key, value in items.items():
        if not isinstance(value, str):  # the official scores such an entry as a failing query
            value = ""
        preds.append((str(key), scrub(value.split(BIRD_SEPARATOR)[0].strip())))
    if not all(k.isdigit() for k, _ in preds):
        raise T2SError(f'{path}: a BIRD predictions object must be keyed by question index ("0", "1", ...)')
    return preds


def _parse_item(item) -> Prediction:
    """A SQL string, or `(id, sql)` from an object with its SQL under any of `SQL_KEYS`."""
    if isinstance(item, str):
        return scrub(item)
    if not isinstance(item, dict):
        raise BadRow("expected a SQL string or an object with a string `sql` field")
    sql = scrub(sql_of(item))  # JSON may spell a lone surrogate: "\ud800"
    return (row_id(item), sql) if item.get("id") is not None else sql


def _from_item(item, where: str) -> Prediction:
    try:
        return _parse_item(item)
    except BadRow as e:
        raise T2SError(f"{where}: {e}") from None


def _homogeneous(preds: list[Prediction], path: Path) -> list[str] | list[tuple[object, str]]:
    with_id = sum(isinstance(p, tuple) for p in preds)
    if with_id not in (0, len(preds)):
        raise T2SError(f"{path}: give an `id` for every prediction or for none")
    return preds  # type: ignore[return-value]


def read_predictions(path: str | Path) -> list[str] | list[tuple[object, str]]:
    """SQL strings in file order, or `(id, sql)` pairs when the file gives ids."""
    path = Path(path)
    if not path.is_file():
        raise T2SError(f"predictions file {path} does not exist")
    try:  # invalid UTF-8 in a prediction is what the model wrote: U+FFFD, scored as (wrong) SQL
        text = path.read_bytes().decode("utf-8", errors="replace")
    except OSError as e:
        raise T2SError(f"cannot read predictions file {path}: {e.strerror or e}") from None
    head = text.lstrip()[:1]
    if head == "{":  # one JSON object for the whole file: BIRD's predict_dev.json
        try:
            items = json.loads(text)
        except json.JSONDecodeError:
            items = None  # JSONL, one object per line
        if isinstance(items, dict) and not any(isinstance(items.get(k), str) for k in SQL_KEYS):
            return _from_bird(items, path)  # not one prediction record: BIRD's index -> SQL object
    if path.suffix.lower() == ".jsonl" or head == "{":
        rows = PREDICTIONS.read(path, check=_parse_item, objects=False, empty_ok=True)
        return _homogeneous([_parse_item(item) for item in rows], path)
    if path.suffix.lower() == ".json" or head == "[":
        try:
            items = json.loads(text)
        except json.JSONDecodeError as e:
            raise T2SError(f"{path} is not valid JSON: {e}") from None
        if not isinstance(items, list):
            raise T2SError(f"{path} must hold a JSON list of predictions")
        return _homogeneous([_from_item(it, f"{path}[{i}]") for i, it in enumerate(items)], path)
    lines = text.splitlines()
    while lines and not lines[-1].strip():  # a trailing newline is not an extra prediction
        lines.pop()
    return [line.split("\t")[0].strip() for line in lines]


def align_predictions(preds: Sequence[Prediction], examples: Sequence[Example]) -> list[str]:
    """One SQL per example, in example order: by id when ids are given, else by position."""
    if preds and isinstance(preds[0], tuple):
        by_id = {str(i): sql for i, sql in preds}  # type: ignore[misc]
        out = []
        for n, ex in enumerate(examples):
            sql = by_id.get(str(ex.id), by_id.get(str(n)))
            if sql is None:
                raise T2SError(
                    f"no prediction for example {ex.id!r} (index {n}); ids must match or be indexes"
                )
            out.append(sql)
        return out
    if len(preds) != len(examples):
        raise T2SError(
            f"{len(preds)} predictions for {len(examples)} examples: give exactly one prediction per question"
        )
    return [str(p) for p in preds]
