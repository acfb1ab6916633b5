"""Read text-to-SQL benchmarks (Spider, BIRD, or plain SQLite files) into `Schema` and `Example`.

Formats, detected from the folder's contents:
- Spider: `tables.json`, split files (`dev.json`, `train_spider.json` + `train_others.json`,
  `test.json`) and `database/<db_id>/<db_id>.sqlite`.
- BIRD: `<split>_tables.json`, `<split>.json` with `SQL` and `evidence`, `<split>_databases/`.
- SQLite: no tables file; every `*.sqlite` below the folder is a database whose schema is
  introspected with PRAGMAs, and `<split>.json` holds the questions.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.text import scrub_all
from text2sql.data.schema import Column, Example, ForeignKey, Schema, Table
from text2sql.data.sqlite import is_side_file

SQLITE_SUFFIXES = (".sqlite", ".db", ".sqlite3")
TEST_SUITE_MARK = ".sqlite"  # the official test-suite evaluator's variant filter: a substring of the name

INTROSPECT_SECONDS = 30.0  # the whole schema of one database, read with PRAGMAs

SPIDER_SPLITS = {
    "dev": ["dev.json"],
    "train": ["train_spider.json", "train_others.json"],
    "test": ["test.json"],
}


def sample_dir() -> Path:
    """The small Spider-format benchmark shipped inside the package (used by tests and quick start)."""
    return Path(str(resources.files("text2sql") / "sample_data"))


def _read_json(path: Path):
    """A JSON file; invalid UTF-8 and lone surrogates in it are data (U+FFFD), not a crash mid-run."""
    try:
        return scrub_all(json.loads(path.read_bytes().decode("utf-8", errors="replace")))
    except json.JSONDecodeError as e:
        raise T2SError(f"{path} is not valid JSON: {e}") from None
    except OSError as e:
        raise T2SError(f"cannot read {path}: {e.strerror}") from None


def _difficulty(value) -> str | None:
    """BIRD's `difficulty` label, lower-cased; anything else (Spider has none) is ignored."""
    return value.strip().lower() if isinstance(value, str) and value.strip() else None


def _type_name(value) -> str:
    return "null" if value is None else type(value).__name__


def _check_example(item, path: Path, n: int) -> None:
    """The fields an example must have, with their types: `"question": 7` is not a question."""
    where = f"{path}: example {n}"
    if not isinstance(item, dict):
        raise T2SError(f"{where} is {_type_name(item)}, not an object with db_id and question")
    for key in ("db_id", "question"):
        if key not in item:
            raise T2SError(f"{where} has no {key!r}: every example needs db_id and question")
        if not isinstance(item[key], str) or not item[key].strip():
            raise T2SError(
                f"{where}: {key} is {_type_name(item[key])} {item[key]!r:.60}, expected a non-empty string"
            )
    for key in ("query", "SQL", "evidence"):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise T2SError(f"{where}: {key} is {_type_name(item[key])} {item[key]!r:.60}, expected a string")


def _read_tables(path: Path) -> list[dict]:
    """A tables file's entries, checked enough that a bad file gives a `T2SError`, not a traceback."""
    entries = _read_json(path)
    if not isinstance(entries, list) or not all(isinstance(e, dict) and "db_id" in e for e in entries):
        raise T2SError(f"{path} must hold a JSON list of schema entries, each with a db_id")
    return entries


def schema_from_tables_entry(entry: dict) -> Schema:
    """Build a `Schema` from one entry of a Spider/BIRD `tables.json`."""
    try:
        tables = [
            Table(name=orig, nl_name=nl)
            for orig, nl in zip(entry["table_names_original"], entry["table_names"], strict=True)
        ]
        cols_orig = entry["column_names_original"]
        cols_nl = entry["column_names"]
        types = entry["column_types"]
        flat: list[tuple[int, str]] = []  # column index -> (table index, column name)
        for i, ((tid, name), (_, nl)) in enumerate(zip(cols_orig, cols_nl, strict=True)):
            flat.append((tid, name))
            if tid < 0:  # the "*" pseudo-column
                continue
            tables[tid].columns.append(Column(name=name, type=types[i], nl_name=nl))
        for pk in entry.get("primary_keys", []):
            for ci in pk if isinstance(pk, list) else [pk]:
                tid, name = flat[ci]
                tables[tid].primary_key.append(name)
        fks = []
        for a, b in entry.get("foreign_keys", []):
            (ta, ca), (tb, cb) = flat[a], flat[b]
            fks.append(ForeignKey(tables[ta].name, ca, tables[tb].name, cb))
    except (KeyError, IndexError, TypeError, ValueError) as e:
        raise T2SError(f"malformed tables.json entry for {entry.get('db_id', '?')}: {e!r}") from None
    return Schema(db_id=entry["db_id"], tables=tables, foreign_keys=fks)


def _spider_type(declared: str) -> str:
    t = declared.lower()
    if any(k in t for k in ("int", "real", "num", "float", "double", "dec")):
        return "number"
    if any(k in t for k in ("date", "time", "year")):
        return "time"
    if "bool" in t:
        return "boolean"
    return "text"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def introspect_schema(db_path: Path, db_id: str | None = None) -> Schema:
    """Read tables, columns, primary and foreign keys straight from a SQLite file."""
    from text2sql.data.sqlite import connect_guarded

    db_id = db_id or db_path.stem
    try:
        con = connect_guarded(db_path, INTROSPECT_SECONDS)
    except sqlite3.Error as e:
        raise T2SError(f"cannot open database {db_path}: {e}") from None
    try:
        names = [
            r[0]
            for r in con.execute(
                "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' ORDER BY rowid"
            )
        ]
        tables, fks = [], []
        for name in names:
            info = con.execute(f"PRAGMA table_info({_quote(name)})").fetchall()
            cols = [Column(name=r[1], type=_spider_type(r[2] or "")) for r in info]
            pk = [r[1] for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
            tables.append(Table(name=name, columns=cols, primary_key=pk))
            for r in con.execute(f"PRAGMA foreign_key_list({_quote(name)})"):
                ref_table, col, ref_col = r[2], r[3], r[4]
                if ref_col is None:  # FK to the referenced table's primary key
                    ref_info = con.execute(f"PRAGMA table_info({_quote(ref_table)})").fetchall()
                    ref_col = next((x[1] for x in ref_info if x[5]), ref_info[0][1] if ref_info else "")
                fks.append(ForeignKey(name, col, ref_table, ref_col))
    except sqlite3.Error as e:
        raise T2SError(f"cannot read schema of {db_path}: {e}") from None
    finally:
        con.close()
    return Schema(db_id=db_id, tables=tables, foreign_keys=fks)


@dataclass
class Benchmark:
    """A benchmark on disk: schemas by db_id, where each database lives, and its split files."""

    root: Path
    format: str  # "spider" | "bird" | "sqlite"
    schemas: dict[str, Schema] = field(default_factory=dict)
    db_root: Path | None = None
    _db_dirs: dict[str, Path] = field(default_factory=dict, repr=False)

    # -- databases -------------------------------------------------------------------------
    def _folders(self) -> dict[str, Path]:
        """Lower-cased db_id -> its folder (a file in SQLite mode): db folders match case-insensitively."""
        if not self._db_dirs and self.db_root and self.db_root.is_dir():
            self._db_dirs = {p.name.lower(): p for p in self.db_root.iterdir() if p.is_dir()}
        return self._db_dirs

    def _db_folder(self, db_id: str) -> Path:
        folder = self._folders().get(db_id.lower())
        if folder is None:
            raise T2SError(f"no database folder for db_id {db_id!r} under {self.db_root}")
        return folder

    def db_files(self, db_id: str) -> list[Path]:
        """Every SQLite file of a database; more than one means test-suite evaluation.

        The variants are chosen as the official test-suite evaluator chooses them (`exec_eval.py`:
        `[b for b in os.listdir(db_dir) if '.sqlite' in b]`): every file whose name contains
        `.sqlite`, case-sensitively, so `x.sqlite3` counts and `x.db` does not; SQLite's own side
        files (`-wal`, `-shm`, `-journal`) never count. A folder with no
        such file falls back to one database in another SQLite suffix (`.db`, `.SQLITE`, ...),
        never to several. The file named after the database comes first: it is the one prompts
        and schemas use.
        """
        folder = self._db_folder(db_id)
        if folder.is_file():  # SQLite mode: the database is the file itself
            return [folder]
        entries = sorted(p for p in folder.iterdir() if p.is_file() and not is_side_file(p.name))
        files = [p for p in entries if TEST_SUITE_MARK in p.name]
        if not files:
            files = [p for p in entries if p.suffix.lower() in SQLITE_SUFFIXES]
            files.sort(key=lambda p: p.stem.lower() != folder.name.lower())
            files = files[:1]
        if not files:
            raise T2SError(f"database folder {folder} holds no .sqlite file")
        files.sort(key=lambda p: p.stem.lower() != folder.name.lower())
        return files

    def db_path(self, db_id: str) -> Path:
        return self.db_files(db_id)[0]

    def schema(self, db_id: str) -> Schema:
        if db_id not in self.schemas:
            same = next((s for k, s in self.schemas.items() if k.lower() == db_id.lower()), None)
            if same is not None:  # db_ids match case-insensitively, like their folders
                return same
            if self.format == "sqlite" or db_id.lower() in self._folders():
                self.schemas[db_id] = introspect_schema(self.db_path(db_id), db_id)
            else:
                raise T2SError(f"unknown db_id {db_id!r}: not in the benchmark's tables file")
        return self.schemas[db_id]

    # -- questions -------------------------------------------------------------------------
    def split_files(self, split: str) -> list[Path]:
        if self.format == "spider":
            names = SPIDER_SPLITS.get(split, [f"{split}.json"])
            files = [self.root / n for n in names if (self.root / n).exists()]
            if files:
                return files
            raise T2SError(f"split {split!r} not found in {self.root} (looked for {', '.join(names)})")
        path = self.root / f"{split}.json"
        if not path.exists():
            raise T2SError(f"split {split!r} not found: {path} does not exist")
        return [path]

    def examples(self, split: str) -> list[Example]:
        out: list[Example] = []
        for path in self.split_files(split):
            items = _read_json(path)
            if not isinstance(items, list):
                raise T2SError(f"{path} must hold a JSON list of examples")
            for n, item in enumerate(items):
                _check_example(item, path, n)
                query = item.get("query", item.get("SQL"))
                ex = Example(
                    db_id=item["db_id"],
                    question=item["question"],
                    query=query if query is not None else "",
                    evidence=item.get("evidence") or None,
                    difficulty=_difficulty(item.get("difficulty")),
                    id=f"{split}-{len(out)}",
                )
                out.append(ex)
        return out

    def check_databases(self, examples: list[Example]) -> None:
        """Every example's db_id belongs to the benchmark: one outside it fails before any generation.

        A db_id the tables file describes but whose folder is missing (this Spider copy lacks soccer_1,
        which 14 train questions use) stays a per-question execution error.
        """
        for db_id in dict.fromkeys(e.db_id for e in examples):
            try:
                self.schema(db_id)
            except T2SError as err:
                first = next(e.id for e in examples if e.db_id == db_id)
                raise T2SError(f"question {first}: {err}") from None

    def db_ids(self) -> list[str]:
        if self.format == "sqlite":
            return sorted(self._folders())
        return list(self.schemas)


def load_benchmark(path: str | Path | None = None) -> Benchmark:
    """Open a benchmark folder (or a single SQLite file); `None` means the bundled sample."""
    root = Path(path) if path is not None else sample_dir()
    if not root.exists():
        raise T2SError(f"data path {root} does not exist")
    if root.is_file():
        if root.suffix.lower() not in SQLITE_SUFFIXES:
            raise T2SError(f"{root} is neither a benchmark folder nor a SQLite file")
        bench = Benchmark(root=root.parent, format="sqlite", db_root=root.parent)
        bench._db_dirs = {root.stem.lower(): root}
        return bench

    if (root / "tables.json").exists():
        bench = Benchmark(root=root, format="spider", db_root=root / "database")
        tables_file = root / "tables.json"
    else:
        bird_tables = sorted(root.glob("*_tables.json"))
        if bird_tables:
            split = bird_tables[0].name[: -len("_tables.json")]
            bench = Benchmark(root=root, format="bird", db_root=root / f"{split}_databases")
            tables_file = None
            for t in bird_tables:
                for entry in _read_tables(t):
                    bench.schemas[entry["db_id"]] = schema_from_tables_entry(entry)
        else:
            return _sqlite_folder(root)
    if tables_file is not None:
        entries = _read_tables(tables_file)
        bench.schemas = {e["db_id"]: schema_from_tables_entry(e) for e in entries}
    return bench


def _sqlite_folder(root: Path) -> Benchmark:
    bench = Benchmark(root=root, format="sqlite", db_root=root)
    for p in sorted(root.rglob("*")):
        if p.is_file() and p.suffix.lower() in SQLITE_SUFFIXES and not is_side_file(p.name):
            bench._db_dirs.setdefault(p.stem.lower(), p)
    if not bench._db_dirs:
        raise T2SError(f"{root} has no tables.json, no *_tables.json and no SQLite files")
    return bench
