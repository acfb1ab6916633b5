"""The one way t2s opens a SQLite file: read-only and immutable, so nothing is ever written beside it.

`mode=ro` alone still creates `-wal`/`-shm` files next to a database in WAL journal mode (and their
names contain `.sqlite`, so they would count as test-suite variants). `immutable=1` tells SQLite the
file cannot change: no locks, no journal, no side files. A database whose `-wal` file still holds
transactions would then be read without them, so it is refused in one line instead.
"""

from __future__ import annotations

import sqlite3
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
