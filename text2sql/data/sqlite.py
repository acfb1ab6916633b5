"""The one way t2s opens a SQLite file: read-only, so nothing a query does can change a benchmark."""

from __future__ import annotations

import sqlite3
from pathlib import Path


def connect_readonly(path: str | Path) -> sqlite3.Connection:
    """Open a SQLite file read-only (mode=ro URI), tolerant of invalid UTF-8 in text columns."""
    uri = Path(path).resolve().as_uri() + "?mode=ro"
    con = sqlite3.connect(uri, uri=True, check_same_thread=False)
    con.text_factory = tolerant_text
    return con


def tolerant_text(b: bytes) -> str:
    """Decode a text value, replacing invalid UTF-8 (Spider's wta_1 has such a row) instead of failing."""
    return b.decode("utf-8", errors="replace")
