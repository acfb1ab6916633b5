"""The only way t2s runs SQL: read-only, one statement, bounded in time, memory and size.

Model predictions are hostile input. Every guard below is enforced by SQLite itself, not by
inspecting the SQL text: a `mode=ro` connection, an authorizer that allows only reads, a progress
handler that interrupts at the deadline, and hard limits (string/blob length, heap, row count) for
the blow-ups that finish a single VM step too slowly for a deadline to catch.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import sqlite3
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from text2sql.data.sqlite import connect_readonly, guard_connection, tolerant_text

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_LENGTH = 64 * 1024 * 1024  # largest string/blob/row SQLite may build
DEFAULT_HEAP_LIMIT = 1024 * 1024 * 1024  # process-wide hard heap limit for SQLite

# Error kinds (the evaluator's taxonomy adds empty_result, wrong_result, order_mismatch).
PARSE_ERROR = "parse_error"
UNKNOWN_NAME = "unknown_table_column"
RUNTIME_ERROR = "runtime_error"
TIMEOUT = "timeout"
RESOURCE_LIMIT = "resource_limit"
FORBIDDEN = "forbidden"
EXEC_ERRORS = (PARSE_ERROR, UNKNOWN_NAME, RUNTIME_ERROR, TIMEOUT, RESOURCE_LIMIT, FORBIDDEN)

@dataclass
class ExecResult:
    """Outcome of one query: rows on success, else an error kind from `EXEC_ERRORS` and SQLite's message."""

    rows: list[tuple] | None
    columns: list[str] | None = None
    error: str | None = None
    message: str = ""
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.error is None


# SQLite's primary result codes (`sqlite3.Error.sqlite_errorcode & 0xFF`) that name the failure.
_CODE_KINDS = {
    sqlite3.SQLITE_AUTH: FORBIDDEN,  # the authorizer denied an action
    sqlite3.SQLITE_READONLY: FORBIDDEN,  # a write reached a read-only connection
    sqlite3.SQLITE_PERM: FORBIDDEN,
    sqlite3.SQLITE_TOOBIG: RESOURCE_LIMIT,  # string/blob/row above SQLITE_LIMIT_LENGTH
    sqlite3.SQLITE_NOMEM: RESOURCE_LIMIT,  # hard_heap_limit reached
    sqlite3.SQLITE_FULL: RESOURCE_LIMIT,  # temp storage full
}
# SQLITE_ERROR covers syntax errors, unknown names and compile-time limits alike. SQLite builds
# those messages from fixed templates whose variable part (the model's identifier or token)
# comes after the template's head, so only the head is compared, anchored at the start or end:
# `WHERE interrupted = 1` gives "no such column: interrupted", an unknown name, never a timeout.
_ERROR_HEADS = (
    ("no such table:", UNKNOWN_NAME),
    ("no such column:", UNKNOWN_NAME),
    ("ambiguous column name:", UNKNOWN_NAME),
    ("unrecognized token:", PARSE_ERROR),
    ("incomplete input", PARSE_ERROR),
    ("not authorized", FORBIDDEN),  # "not authorized to use function: load_extension"
    ("too many ", RESOURCE_LIMIT),  # "too many terms in compound SELECT", "too many columns …"
    ("expression tree is too large", RESOURCE_LIMIT),
    ("parser stack overflow", RESOURCE_LIMIT),
    ("at most ", RESOURCE_LIMIT),  # "at most 64 tables in a join"
)
_SYNTAX_TAIL = ": syntax error"  # 'near "<token>": syntax error'


def classify_error(exc: BaseException, *, timed_out: bool = False) -> str:
    """Map an exception to the taxonomy from SQLite's error code and our own flags, not the message text.

    `timed_out` is the executor's flag, set when its progress handler interrupted the query at the
    deadline: a SQLITE_INTERRUPT without it is not a timeout of ours.
    """
    if timed_out:
        return TIMEOUT
    if isinstance(exc, MemoryError | OverflowError):
        return RESOURCE_LIMIT
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # raised by Python's sqlite3 module itself, with its own fixed messages
        if isinstance(exc, sqlite3.ProgrammingError) and str(exc).startswith("You can only execute one"):
            return FORBIDDEN
        if isinstance(exc, sqlite3.ProgrammingError | ValueError) and str(exc).startswith(
            "the query contains a null"
        ):
            return PARSE_ERROR  # Python's message, no SQL text in it
        return RUNTIME_ERROR
    primary = code & 0xFF
    if primary in _CODE_KINDS:
        return _CODE_KINDS[primary]
    if primary == sqlite3.SQLITE_ERROR:
        msg = str(exc).lower()
        if msg.startswith('near "') and msg.endswith(_SYNTAX_TAIL):
            return PARSE_ERROR
        for head, kind in _ERROR_HEADS:
            if msg.startswith(head):
                return kind
    return RUNTIME_ERROR


def _is_decode_error(exc: sqlite3.OperationalError) -> bool:
    """Python's own text-conversion failure (its message embeds no SQL), not an error from SQLite."""
    return getattr(exc, "sqlite_errorcode", None) is None and str(exc).startswith("Could not decode")


@dataclass
class Executor:
    """Runs single read-only statements with a real deadline; caches a few connections per database."""

    timeout: float = DEFAULT_TIMEOUT
    max_rows: int = DEFAULT_MAX_ROWS
    max_length: int = DEFAULT_MAX_LENGTH
    heap_limit: int = DEFAULT_HEAP_LIMIT
    max_connections: int = 32
    _cons: OrderedDict = field(default_factory=OrderedDict, repr=False)
    _deadline: float = field(default=0.0, repr=False)
    _timed_out: bool = field(default=False, repr=False)  # set by the progress handler when it interrupts

    def _connect(self, db_path: str | Path) -> sqlite3.Connection:
        key = str(db_path)
        con = self._cons.get(key)
        if con is not None:
            self._cons.move_to_end(key)
            return con
        if not Path(db_path).is_file():
            raise sqlite3.OperationalError(f"unable to open database file {db_path}")
        con = connect_readonly(db_path)
        guard_connection(
            con, self._check_deadline, heap_limit=self.heap_limit, max_length=self.max_length
        )
        con.text_factory = str  # fast path; `execute` falls back to `tolerant_text` on bad UTF-8
        self._cons[key] = con
        while len(self._cons) > self.max_connections:
            self._cons.popitem(last=False)[1].close()
        return con

    def _check_deadline(self) -> int:
        if time.monotonic() > self._deadline:
            self._timed_out = True
            return 1
        return 0

    def execute(self, db_path: str | Path, sql: str) -> ExecResult:
        """Run one statement; never raises for bad SQL, returns the error kind instead."""
        start = time.monotonic()
        self._deadline = start + self.timeout
        self._timed_out = False
        cur = None
        try:
            if not sql.strip():
                return ExecResult(None, error=PARSE_ERROR, message="empty query")
            con = self._connect(db_path)
            try:
                cur = con.execute(sql)
                rows = cur.fetchmany(self.max_rows + 1) if cur.description is not None else []
            except sqlite3.OperationalError as e:
                if not _is_decode_error(e):
                    raise
                # Rare invalid UTF-8: run again, and from now on, with the tolerant decoder on this database.
                con.text_factory = tolerant_text
                cur = con.execute(sql)
                rows = cur.fetchmany(self.max_rows + 1) if cur.description is not None else []
            if cur.description is None:  # comment-only input or a non-query statement such as REINDEX
                return ExecResult(None, error=PARSE_ERROR, message="not a query: it returns no columns")
            if len(rows) > self.max_rows:
                return ExecResult(
                    None,
                    error=RESOURCE_LIMIT,
                    message=f"more than {self.max_rows} rows",
                    seconds=time.monotonic() - start,
                )
            columns = [d[0] for d in cur.description] if cur.description else []
            return ExecResult(rows, columns, seconds=time.monotonic() - start)
        except (sqlite3.Error, MemoryError, OverflowError, ValueError) as e:
            kind = classify_error(e, timed_out=self._timed_out)
            return ExecResult(None, error=kind, message=str(e), seconds=time.monotonic() - start)
        finally:
            if cur is not None:
                cur.close()

    def close(self) -> None:
        for con in self._cons.values():
            con.close()
        self._cons.clear()


# -- parallel execution ---------------------------------------------------------------------
_worker: Executor | None = None
_task_fn: Callable | None = None


def _init_worker(settings: dict, fn: Callable) -> None:
    global _worker, _task_fn
    _worker, _task_fn = Executor(**settings), fn


def _run_chunk(chunk: list[tuple[int, tuple]]) -> list[tuple[int, object]]:
    assert _worker is not None and _task_fn is not None
    return [(i, _task_fn(_worker, task)) for i, task in chunk]


def _execute_task(ex: Executor, task: tuple) -> ExecResult:
    return ex.execute(task[0], task[1])


def map_tasks(
    fn: Callable[[Executor, tuple], object],
    tasks: Sequence[tuple],
    *,
    workers: int = 1,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    on_done: Callable[[int], None] | None = None,
    **settings,
) -> list:
    """`[fn(executor, task) for task in tasks]` on a pool whose workers keep an `Executor` and its connections.

    `task[0]` must be the database path: tasks are grouped by database so a worker runs a batch of
    queries on one connection. `fn` runs in the worker, so it can reduce rows to a small verdict
    before anything crosses the process boundary; with the fork start method it also sees, for
    free, whatever the parent held when the pool started (e.g. gold results).
    """
    settings = dict(timeout=timeout, max_rows=max_rows, **settings)
    indexed = sorted(enumerate(tasks), key=lambda it: str(it[1][0]))
    results: list = [None] * len(tasks)
    if workers <= 1 or len(tasks) < 16:
        ex = Executor(**settings)
        try:
            for i, task in indexed:
                results[i] = fn(ex, task)
                if on_done is not None:
                    on_done(1)
        finally:
            ex.close()
        return results
    size = max(1, min(64, len(indexed) // (workers * 8) or 1))
    chunks = [indexed[k : k + size] for k in range(0, len(indexed), size)]
    # fork is fastest and shares the parent's gold results, but forking a process whose thread pools
    # are running (torch, once a model has generated the predictions) can deadlock: spawn then.
    safe_fork = "fork" in mp.get_all_start_methods() and "torch" not in sys.modules
    ctx = mp.get_context("fork" if safe_fork else "spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(settings, fn)) as pool:
        for part in pool.imap_unordered(_run_chunk, chunks):
            for i, res in part:
                results[i] = res
            if on_done is not None:
                on_done(len(part))
    return results


def execute_many(
    tasks: Sequence[tuple[str | Path, str]], *, workers: int = 1, **settings
) -> list[ExecResult]:
    """Execute `(db_path, sql)` tasks in parallel; results come back in input order."""
    return map_tasks(_execute_task, [(str(db), sql) for db, sql in tasks], workers=workers, **settings)


def default_workers() -> int:
    return max(
        1, min(8, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    )
