"""The only way t2s runs SQL. (Starter: read-only connection; the foundation issue extends it.)"""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (mode=ro URI), tolerant of invalid UTF-8 in text columns."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.text_factory = lambda b: b.decode("utf-8", errors="replace")
    return con
