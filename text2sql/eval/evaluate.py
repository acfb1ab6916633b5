"""Execution-accuracy evaluation of predictions on a benchmark: parallel, cached, test-suite aware.

Gold results are cached on disk keyed by the database's content hash and the executed gold SQL,
so a re-evaluation only executes predictions. The cache never lives next to the databases.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from text2sql.data.schema import Example
from text2sql.errors import T2SError
from text2sql.eval.executor import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    ExecResult,
    connect_readonly,
    default_workers,
    execute_many,
    map_tasks,
)
from text2sql.eval.hardness import LEVELS, hardness
from text2sql.eval.metric import ERROR_KINDS, GOLD_ERROR, classify, normalize_sql, order_matters

HARDNESS_FILE = "hardness-v1.json"  # bump when text2sql.eval.hardness changes its answers


def default_cache_dir() -> Path:
    """`$T2S_CACHE_DIR/gold`, else `~/.cache/t2s/gold`."""
    root = os.environ.get("T2S_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "t2s") / "gold"


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


class GoldCache:
    """Successful gold results per database content hash: `<dir>/<sha256>.pkl` = {sql: (rows, columns)}."""

    def __init__(self, directory: str | Path | None):
        self.dir = Path(directory) if directory is not None else None
        self._hashes: dict[str, list] = {}
        self._tables: dict[str, dict] = {}
        self._dirty: set[str] = set()
        self._levels: dict[str, str] | None = None
        self.hits = self.misses = 0
        if self.dir is not None and (self.dir / "db_hashes.json").exists():
            try:
                self._hashes = json.loads((self.dir / "db_hashes.json").read_text())
            except (OSError, ValueError):
                self._hashes = {}

    def db_hash(self, db_path: str) -> str:
        """Content hash, recomputed only when the file's size or mtime changed."""
        st = os.stat(db_path)
        key = str(Path(db_path).resolve())
        known = self._hashes.get(key)
        if known and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2]
        h = hashlib.sha256()
        with open(db_path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        self._hashes[key] = [st.st_size, st.st_mtime_ns, h.hexdigest()]
        self._dirty.add("db_hashes.json")
        return h.hexdigest()

    def _table(self, digest: str) -> dict:
        if digest not in self._tables:
            table = {}
            path = self.dir / f"{digest}.pkl" if self.dir is not None else None
            if path is not None and path.exists():
                try:
                    table = pickle.loads(path.read_bytes())
                except (OSError, pickle.UnpicklingError, EOFError, ValueError):
                    table = {}
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
                    self._levels = json.loads(path.read_text())
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
            elif name == "db_hashes.json":
                _atomic_write(self.dir / name, json.dumps(self._hashes).encode())
            else:
                _atomic_write(self.dir / f"{name}.pkl", pickle.dumps(self._tables[name], protocol=5))
        self._dirty.clear()


@dataclass
class EvalReport:
    """Per-example results (the rows of results.jsonl) and the summary (summary.json)."""

    results: list[dict]
    summary: dict

    def write(self, output_dir: str | Path) -> Path:
        """OUTPUT/results.jsonl (one object per example) and OUTPUT/summary.json."""
        out = Path(output_dir)
        try:
            out.mkdir(parents=True, exist_ok=True)
            with open(out / "results.jsonl", "w", encoding="utf-8") as f:
                for r in self.results:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
            (out / "summary.json").write_text(json.dumps(self.summary, indent=2) + "\n", encoding="utf-8")
        except OSError as e:
            raise T2SError(f"cannot write results to {out}: {e.strerror or e}") from None
        return out


class _Judge:
    """Runs in a worker: execute one prediction and compare it with the gold on the same file."""

    def __init__(self, gold: dict[tuple[str, str], ExecResult]):
        self.gold = gold

    def __call__(self, ex, task: tuple[str, str, str]) -> tuple[bool, str | None, str, float]:
        db, pred, gold_sql = task
        gold = self.gold[(db, gold_sql)]
        res = ex.execute(db, pred)
        ok, kind = classify(gold, res, order_matters(gold_sql))
        msg = gold.message if kind == GOLD_ERROR else res.message
        return ok, kind, msg, res.seconds


def _hardness_task(ex, task: tuple[str, str]) -> str:
    return hardness(task[1])


def _check_readable(path: str) -> None:
    try:
        con = connect_readonly(path)
        try:
            con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        finally:
            con.close()
    except sqlite3.Error as e:
        raise T2SError(f"cannot read database {path}: {e}") from None


def evaluate(
    bench,
    examples: Sequence[Example],
    predictions: Sequence[str],
    *,
    timeout: float = DEFAULT_TIMEOUT,
    workers: int | None = None,
    keep_distinct: bool = False,
    cache_dir: str | Path | None = None,
    use_cache: bool = True,
    max_rows: int = DEFAULT_MAX_ROWS,
    progress_from: int = 500,
) -> EvalReport:
    """Execution accuracy of `predictions[i]` for `examples[i]` on every database file of its db.

    From `progress_from` queries on, execution reports progress on stderr (see `text2sql.progress`).
    """
    from text2sql.progress import Progress

    def bar(label: str, total: int) -> Progress | None:
        return Progress(label, total, unit="queries") if total >= progress_from else None

    if len(predictions) != len(examples):
        raise T2SError(f"{len(predictions)} predictions for {len(examples)} examples: give one per question")
    start = time.monotonic()
    workers = workers or default_workers()
    files = {db_id: [str(p) for p in bench.db_files(db_id)] for db_id in {ex.db_id for ex in examples}}
    for path in {p for fs in files.values() for p in fs}:
        _check_readable(path)
    cache = GoldCache((cache_dir or default_cache_dir()) if use_cache else None)
    settings = dict(timeout=timeout, max_rows=max_rows)

    golds = [normalize_sql(ex.query, keep_distinct) for ex in examples]
    preds = [normalize_sql(p or "", keep_distinct) for p in predictions]

    # Gold results: cache first, execute the rest once each.
    gold: dict[tuple[str, str], ExecResult] = {}
    missing = []
    for ex, g in zip(examples, golds, strict=True):
        for path in files[ex.db_id]:
            if (path, g) not in gold:
                hit = cache.get(path, g) if use_cache else None
                gold[(path, g)] = hit  # type: ignore[assignment]
                if hit is None:
                    missing.append((path, g))
    gold_bar = bar("gold queries", len(missing))
    done = execute_many(missing, workers=workers, on_done=gold_bar and gold_bar.advance, **settings)
    if gold_bar:
        gold_bar.close()
    for task, res in zip(missing, done, strict=True):
        gold[task] = res
        cache.put(*task, res)
    levels = cache.hardness([ex.query for ex in examples], workers)
    if use_cache:
        try:
            cache.save()
        except OSError as e:
            raise T2SError(f"cannot write the gold cache in {cache.dir}: {e}; pass --cache-dir") from None

    # Predictions: file k only for the examples that passed files 0..k-1 (test-suite semantics).
    # Workers compare against the gold themselves, so only verdicts cross the process boundary.
    judge = _Judge(gold)
    verdicts: list[tuple[bool, str | None, str]] = [(True, None, "")] * len(examples)
    seconds = [0.0] * len(examples)
    active = list(range(len(examples)))
    k = 0
    while active:
        todo = [i for i in active if k < len(files[examples[i].db_id])]
        # A prediction identical to the gold gets the gold's (cached) result without running again.
        same = {i for i in todo if preds[i] == golds[i] and gold[(files[examples[i].db_id][k], golds[i])].ok}
        todo = [i for i in todo if i not in same]
        tasks = [(files[examples[i].db_id][k], preds[i], golds[i]) for i in todo]
        active = sorted(same)
        pred_bar = bar("predictions" if k == 0 else f"predictions, database file {k + 1}", len(tasks))
        verdicts_k = map_tasks(
            judge, tasks, workers=workers, on_done=pred_bar and pred_bar.advance, **settings
        )
        if pred_bar:
            pred_bar.close()
        for i, (ok, kind, msg, secs) in zip(todo, verdicts_k, strict=True):
            seconds[i] += secs
            if ok:
                active.append(i)
            else:
                verdicts[i] = (False, kind, msg)
        k += 1

    results = []
    for i, ex in enumerate(examples):
        ok, kind, msg = verdicts[i]
        results.append(
            {
                "index": i,
                "id": ex.id,
                "db_id": ex.db_id,
                "question": ex.question,
                "gold": ex.query,
                "pred": predictions[i],
                "hardness": levels[i],
                "correct": ok,
                "error": kind,
                "message": msg,
                "seconds": round(seconds[i], 6),
            }
        )
    summary = summarize(results)
    summary["settings"] = {
        "timeout": timeout,
        "workers": workers,
        "keep_distinct": keep_distinct,
        "max_rows": max_rows,
        "test_suite": any(len(f) > 1 for f in files.values()),
        "gold_cache": str(cache.dir) if cache.dir is not None else None,
    }
    summary["gold_cache"] = {"hits": cache.hits, "misses": cache.misses}
    summary["seconds"] = round(time.monotonic() - start, 3)
    return EvalReport(results, summary)


def summarize(results: Sequence[dict]) -> dict:
    """EX overall, by hardness level and error counts (EX as a fraction in [0, 1])."""
    n = len(results)
    by_level = {}
    for level in LEVELS:
        rows = [r for r in results if r["hardness"] == level]
        by_level[level] = {
            "count": len(rows),
            "ex": sum(r["correct"] for r in rows) / len(rows) if rows else 0.0,
        }
    errors = Counter(r["error"] for r in results if r["error"])
    return {
        "ex": sum(r["correct"] for r in results) / n if n else 0.0,
        "count": n,
        "correct": sum(r["correct"] for r in results),
        "by_hardness": by_level,
        "errors": {kind: errors.get(kind, 0) for kind in ERROR_KINDS},
    }


def render(report: EvalReport, console=None) -> None:
    """Rich tables: EX by hardness, then the error breakdown."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    s = report.summary
    table = Table(title=f"Execution accuracy ({s['count']} examples)")
    table.add_column("level")
    table.add_column("count", justify="right")
    table.add_column("EX", justify="right")
    for level, row in s["by_hardness"].items():
        table.add_row(level, str(row["count"]), f"{100 * row['ex']:.1f}")
    table.add_row("all", str(s["count"]), f"{100 * s['ex']:.1f}", style="bold")
    console.print(table)
    errors = Table(title="Errors")
    errors.add_column("kind")
    errors.add_column("count", justify="right")
    errors.add_column("share", justify="right")
    for kind, count in s["errors"].items():
        if count:
            errors.add_row(kind, str(count), f"{100 * count / max(1, s['count']):.1f}%")
    if errors.row_count:
        console.print(errors)
