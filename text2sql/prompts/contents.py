"""What a prompt reads from the database file itself: its DDL, sample rows and distinct values.

Content queries run through the same guarded executor as predictions (a view in the schema can be as
hostile as a prediction); a slow table is skipped, reported once, and the prompt shows its schema only.
"""

from __future__ import annotations

import sys
from functools import lru_cache
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.prompts.ddl import quote_name

CONTENT_TIMEOUT = 5.0  # seconds per content query (sample rows, distinct values) of a prompt
_content_executor = None
content_skipped: set[tuple[str, str, str]] = set()  # (database, table, column or "*") given up on
_slow_tables: set[tuple[str, str]] = set()


def _executor():
    """The executor content queries run through: read-only, authorizer, deadline, limits, like
    predictions, since a view in the schema can be as hostile as a prediction."""
    global _content_executor
    if _content_executor is None:
        from text2sql.execution.executor import Executor

        _content_executor = Executor(timeout=CONTENT_TIMEOUT, max_rows=10_000, max_connections=16)
    return _content_executor


def _content(db_path: str, table: str, column: str, sql: str):
    """Rows of a content query, or None when it failed; a timeout skips the table's other columns
    too (a slow view is slow for every column) and is counted and reported once per table."""
    from text2sql.execution.executor import RESOURCE_LIMIT, TIMEOUT

    if (db_path, table) in _slow_tables:
        content_skipped.add((db_path, table, column))
        return None
    res = _executor().execute(db_path, sql)
    if res.ok:
        return res
    if res.error in (TIMEOUT, RESOURCE_LIMIT):
        _slow_tables.add((db_path, table))
        content_skipped.add((db_path, table, column))
        print(
            f"warning: skipping the contents of {table!r} in {db_path}: {res.error} after "
            f"{res.seconds:.1f} s ({res.message}); the prompt shows its schema only",
            file=sys.stderr,
        )
    return None


@lru_cache(maxsize=256)
def original_ddl(db_path: str) -> tuple[str, ...]:
    """The database's own CREATE TABLE statements, as DAIL's `get_sql_for_database` reads them."""
    res = _executor().execute(db_path, "SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL")
    if not res.ok:
        raise T2SError(f"cannot read DDL of {db_path}: {res.message}")
    return tuple(r[0].strip() for r in res.rows)


@lru_cache(maxsize=512)
def sample_rows(db_path: str, table: str, n: int) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    res = _content(db_path, table, "*", f"SELECT * FROM {quote_name(table)} LIMIT {int(n)}")
    if res is None:
        return (), ()
    return tuple(res.columns or ()), tuple(res.rows)


@lru_cache(maxsize=256)
def distinct_values(db_path: str, table: str, column: str, limit: int) -> tuple[str, ...]:
    """Distinct non-empty text values of a column (also what schema linking matches against)."""
    res = _content(
        db_path,
        table,
        column,
        f"SELECT DISTINCT {quote_name(column)} FROM {quote_name(table)} WHERE typeof({quote_name(column)}) = 'text' "
        f"AND {quote_name(column)} != '' LIMIT {int(limit)}",
    )
    return () if res is None else tuple(str(r[0]) for r in res.rows)


def db_path_or_none(bench, db_id: str) -> Path | None:
    """A pool database may be missing on disk (Spider's baseball_1, soccer_1): schema text still works."""
    try:
        return bench.db_path(db_id)
    except T2SError:
        return None
