"""Small SQLite databases and a one-database benchmark made on the fly (shared, so test modules never import
each other): `nums`, one table `t(a INTEGER)`, in the Spider layout `load_benchmark` reads."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

NUMS_TABLE = {
    "db_id": "nums",
    "table_names_original": ["t"],
    "table_names": ["t"],
    "column_names_original": [[-1, "*"], [0, "a"]],
    "column_names": [[-1, "*"], [0, "a"]],
    "column_types": ["text", "number"],
    "primary_keys": [],
    "foreign_keys": [],
}


def write_ints(path: Path, values: list[int]) -> Path:
    """A SQLite file holding `t(a INTEGER)` with these values, in this order."""
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE t (a INTEGER)")
    con.executemany("INSERT INTO t VALUES (?)", [(v,) for v in values])
    con.commit()
    con.close()
    return path


def nums_benchmark(root: Path, files: dict[str, list[int]], gold: str, copies: int = 1) -> Path:
    """`root` as a benchmark of the one database `nums`: a file under database/nums/ for each entry of `files`
    (several make a test suite), tables.json, and dev.json with `copies` questions whose gold is `gold`.
    Returns the database folder."""
    folder = root / "database" / "nums"
    folder.mkdir(parents=True, exist_ok=True)
    for name, values in files.items():
        write_ints(folder / name, values)
    (root / "tables.json").write_text(json.dumps([NUMS_TABLE]))
    (root / "dev.json").write_text(json.dumps([{"db_id": "nums", "question": "q", "query": gold}] * copies))
    return folder
