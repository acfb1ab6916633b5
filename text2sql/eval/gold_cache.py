"""The gold result cache: successful gold results on disk, keyed by the database's content hash and the
executed gold SQL, so a re-evaluation only executes predictions. It never lives next to the databases.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from text2sql.core.cache import cache_root
from text2sql.core.files import atomic_write_bytes
from text2sql.eval.hardness import LEVELS, hardness
from text2sql.execution.executor import ExecResult, map_tasks

HARDNESS_FILE = "hardness-v1.json"  # bump when text2sql.eval.hardness changes its answers
HASHES_FILE = "db_hashes-v2.json"  # v1 was keyed by size and mtime only
RACY_SECONDS = 2.0  # an identity this fresh when hashed is not trusted on a later run


def default_cache_dir() -> Path:
    """`$T2S_CACHE_DIR/gold`, else `~/.cache/t2s/gold`."""
    return cache_root() / "gold"


_atomic_write = atomic_write_bytes
RESULTS_SUFFIX = ".results-v1.json"  # JSON, never pickle: a planted cache file is data, not code
_BLOB = "$blob"  # a cell holding bytes is stored as {"$blob": base64}


def _encode_cell(v):
    return {_BLOB: base64.b64encode(v).decode("ascii")} if isinstance(v, bytes | bytearray | memoryview) else v


def _decode_cell(v):
    if isinstance(v, dict):
        if set(v) != {_BLOB} or not isinstance(v[_BLOB], str):
            raise ValueError("unknown cell object")
        return base64.b64decode(v[_BLOB], validate=True)
    if v is None or isinstance(v, str | int | float):
        return v
    raise ValueError(f"bad cell of type {type(v).__name__}")


def encode_results(table: dict) -> bytes:
    """{sql: (rows, columns)} as JSON; SQLite values are None, int, float, str or bytes."""
    return json.dumps(
        {sql: {"rows": [[_encode_cell(c) for c in row] for row in rows], "columns": cols}
         for sql, (rows, cols) in table.items()}
    ).encode()


def decode_results(data: bytes) -> dict:
    """The inverse of `encode_results`, validated: anything else raises ValueError."""
    raw = json.loads(data)
    if not isinstance(raw, dict):
        raise ValueError("not an object")
    out = {}
    for sql, entry in raw.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("rows"), list):
            raise ValueError(f"bad entry for {sql[:40]!r}")
        cols = entry.get("columns")
        if not isinstance(cols, list) or not all(isinstance(c, str) for c in cols):
            raise ValueError(f"bad columns for {sql[:40]!r}")
        rows = []
        for row in entry["rows"]:
            if not isinstance(row, list):
                raise ValueError(f"bad row for {sql[:40]!r}")
            rows.append(tuple(_decode_cell(c) for c in row))
        out[sql] = (rows, cols)
    return out


class GoldCache:
    """Successful gold results per database content hash: `<dir>/<sha256>.results-v1.json`.

    Entries are validated on read; a damaged one is dropped with a warning and recomputed.
    """

    def __init__(self, directory: str | Path | None):
        self.dir = Path(directory) if directory is not None else None
        self._hashes: dict[str, list] = {}  # path -> [dev, ino, size, mtime_ns, ctime_ns, sha256], saved
        self._memo: dict[str, list] = {}  # the same for this run, racy entries included
        self._tables: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._levels: dict[str, str] | None = None
        self.hits = self.misses = 0
        if self.dir is not None and (self.dir / HASHES_FILE).exists():
            try:
                loaded = json.loads((self.dir / HASHES_FILE).read_text())
                self._hashes = {
                    k: v
                    for k, v in (loaded.items() if isinstance(loaded, dict) else ())
                    if isinstance(v, list) and len(v) == 6 and isinstance(v[-1], str)
                }
            except (OSError, ValueError):
                self._hashes = {}

    def db_hash(self, db_path: str) -> str:
        """SHA-256 of the file's content, recomputed unless its stat identity is unchanged and settled.

        The identity is (device, inode, size, mtime, ctime): replacing the file (a new inode) or
        writing into it (ctime moves, and no tool can set ctime back) forces a rehash even when
        size and mtime were kept. Like git's racy-index rule, an identity whose ctime is within
        `RACY_SECONDS` of the moment it was hashed is not trusted on a later run: a second write
        in the same timestamp tick would leave it unchanged.
        """
        st = os.stat(db_path)
        key = str(Path(db_path).resolve())
        ident = [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]
        known = self._memo.get(key) or self._hashes.get(key)
        if isinstance(known, list) and known[:-1] == ident:
            return known[-1]
        hashed_at = time.time_ns()
        h = hashlib.sha256()
        with open(db_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        entry = [*ident, h.hexdigest()]
        self._memo[key] = entry  # this run trusts it; the file on disk only when settled
        if hashed_at - st.st_ctime_ns > RACY_SECONDS * 1_000_000_000:
            self._hashes[key] = entry
        else:
            self._hashes.pop(key, None)
        self._dirty.add(HASHES_FILE)
        return h.hexdigest()

    def _table(self, digest: str) -> dict:
        if digest not in self._tables:
            table = {}
            path = self.dir / f"{digest}{RESULTS_SUFFIX}" if self.dir is not None else None
            if path is not None and path.exists():
                try:
                    table = decode_results(path.read_bytes())
                except (OSError, ValueError, RecursionError) as e:  # JSONDecodeError is a ValueError
                    print(f"warning: ignoring damaged gold cache file {path} ({e}); recomputing", file=sys.stderr)
                    table = {}
                    self._dirty.add(digest)
            self._tables[digest] = table
        return self._tables[digest]

    def get(self, db_path: str, sql: str) -> ExecResult | None:
        hit = self._table(self.db_hash(db_path)).get(sql)
        if hit is None:
            self.misses += 1
            return None
        self.hits += 1
        return ExecResult(rows=hit[0], columns=hit[1])

    def put(self, db_path: str, sql: str, result: ExecResult) -> None:
        """Only successes are cached: a timeout depends on the machine, not on the query."""
        if result.ok:
            digest = self.db_hash(db_path)
            self._table(digest)[sql] = (result.rows, result.columns)
            self._dirty.add(digest)

    def hardness(self, sqls: Sequence[str], workers: int) -> list[str]:
        """Hardness per gold query; sqlglot parsing is the slow part of a warm run, so it is cached too."""
        if self._levels is None:
            self._levels = {}
            path = self.dir / HARDNESS_FILE if self.dir is not None else None
            if path is not None and path.exists():
                try:
                    loaded = json.loads(path.read_text())
                    if isinstance(loaded, dict):
                        self._levels = {k: v for k, v in loaded.items() if v in LEVELS}
                except (OSError, ValueError):
                    pass
        todo = sorted({s for s in sqls if s not in self._levels})
        if todo:
            levels = map_tasks(_hardness_task, [("", s) for s in todo], workers=workers)
            self._levels.update(zip(todo, levels, strict=True))
            self._dirty.add(HARDNESS_FILE)
        return [self._levels[s] for s in sqls]

    def save(self) -> None:
        if self.dir is None:
            return
        for name in self._dirty:
            if name == HARDNESS_FILE:
                _atomic_write(self.dir / name, json.dumps(self._levels).encode())
            elif name == HASHES_FILE:
                _atomic_write(self.dir / name, json.dumps(self._hashes).encode())
            else:
                _atomic_write(self.dir / f"{name}{RESULTS_SUFFIX}", encode_results(self._tables[name]))
        self._dirty.clear()


def _hardness_task(ex, task: tuple[str, str]) -> str:
    return hardness(task[1])
