"""The one way t2s opens a SQLite file: read-only and immutable, so nothing is ever written beside it.

`mode=ro` alone still creates `-wal`/`-shm` files next to a database in WAL journal mode (and their
names contain `.sqlite`, so they would count as test-suite variants). `immutable=1` tells SQLite the
file cannot change: no locks, no journal, no side files. A database whose `-wal` file still holds
transactions would then be read without them, so it is refused in one line instead.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

SIDE_SUFFIXES = ("-wal", "-shm", "-journal")  # files SQLite itself keeps beside a database


class UncheckpointedWal(sqlite3.OperationalError):
    """The database's `-wal` file holds data an immutable open would not see."""


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (`mode=ro&immutable=1`), tolerant of invalid UTF-8 in text columns."""
    p = Path(path).resolve()
    wal = p.with_name(p.name + "-wal")
    if wal.is_file() and wal.stat().st_size > 0:
        raise UncheckpointedWal(
            f"{p} has uncommitted WAL content in {wal.name}; checkpoint it first "
            f"(sqlite3 {p.name} 'PRAGMA wal_checkpoint(TRUNCATE)') or copy the database"
        )
    uri = p.as_uri() + "?mode=ro&immutable=1"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.text_factory = tolerant_text
    return con


def is_side_file(name: str) -> bool:
    """A journal/WAL/shared-memory file SQLite keeps beside a database: never a database itself."""
    return name.endswith(SIDE_SUFFIXES)


def tolerant_text(b: bytes) -> str:
    """Decode a text value, replacing invalid UTF-8 (Spider's wta_1 has such a row) instead of failing."""
    return b.decode("utf-8", errors="replace")


# -- the guards every connection that runs SQL gets (the executor's, and schema introspection's) ------
_ALLOWED_ACTIONS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_RECURSIVE}
_DENIED_FUNCTIONS = {"load_extension", "readfile", "writefile", "edit", "fts3_tokenizer"}
_READONLY_PRAGMAS = {"table_info", "table_xinfo", "index_list", "index_info", "foreign_key_list"}


def _authorizer(action: int, arg1, arg2, db_name, trigger) -> int:
    """Allow reads only: every write, ATTACH (hence VACUUM INTO), transaction and PRAGMA change is denied."""
    if action in _ALLOWED_ACTIONS:
        return sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_FUNCTION:
        return sqlite3.SQLITE_DENY if (arg2 or "").lower() in _DENIED_FUNCTIONS else sqlite3.SQLITE_OK
    if action == sqlite3.SQLITE_PRAGMA and (arg1 or "").lower() in _READONLY_PRAGMAS:
        return sqlite3.SQLITE_OK
    return sqlite3.SQLITE_DENY


def guard_connection(
    con: sqlite3.Connection,
    check: Callable[[], int],
    *,
    heap_limit: int = 1024 * 1024 * 1024,
    max_length: int = 64 * 1024 * 1024,
) -> sqlite3.Connection:
    """Bound a connection: heap and size limits, a reads-only authorizer, and `check` (a progress
    handler returning non-zero to interrupt) every 2000 VM steps for the deadline."""
    # Setup PRAGMAs run before the authorizer exists; afterwards nothing can change them.
    con.execute(f"PRAGMA hard_heap_limit={int(heap_limit)}")
    con.execute("PRAGMA temp_store=MEMORY")  # sorts and temp b-trees never touch the disk
    con.execute("PRAGMA query_only=1")
    con.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, max_length)
    con.setlimit(sqlite3.SQLITE_LIMIT_SQL_LENGTH, 1_000_000)
    con.setlimit(sqlite3.SQLITE_LIMIT_ATTACHED, 0)
    con.setlimit(sqlite3.SQLITE_LIMIT_EXPR_DEPTH, 1000)
    con.setlimit(sqlite3.SQLITE_LIMIT_COMPOUND_SELECT, 500)
    con.set_authorizer(_authorizer)
    con.set_progress_handler(check, 2000)
    return con


def connect_guarded(path: str | Path, seconds: float) -> sqlite3.Connection:
    """A read-only connection whose every statement together must finish within `seconds`
    (schema introspection: a handful of PRAGMAs, never the user's SQL)."""
    deadline = time.monotonic() + seconds
    return guard_connection(connect_readonly(path), lambda: int(time.monotonic() > deadline))
