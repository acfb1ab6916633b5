"""Execution-accuracy evaluation of predictions on a benchmark: parallel, cached, test-suite aware.

Gold results are cached on disk keyed by the database's content hash and the executed gold SQL,
so a re-evaluation only executes predictions. The cache never lives next to the databases.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
import sqlite3
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from text2sql.core.cache import cache_root
from text2sql.core.errors import T2SError
from text2sql.core.files import atomic_write_bytes, atomic_write_text
from text2sql.data.schema import Example
from text2sql.data.sqlite import connect_readonly
from text2sql.eval.hardness import LEVELS, hardness
from text2sql.execution.executor import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    ExecResult,
    default_workers,
    execute_many,
    map_tasks,
)
from text2sql.execution.metric import (
    ERROR_KINDS,
    GOLD_ERROR,
    SPIDER,
    check_metric,
    default_metric,
    normalize_sql,
)
from text2sql.execution.verdict import Judge

DIFFICULTIES = ("simple", "moderate", "challenging")  # BIRD's labels, in its report order

HARDNESS_FILE = "hardness-v1.json"
HASHES_FILE = "db_hashes-v2.json"  # v1 was keyed by size and mtime only
RACY_SECONDS = 2.0  # bump when text2sql.eval.hardness changes its answers


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
            atomic_write_text(
                out / "results.jsonl", "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in self.results)
            )
            atomic_write_text(out / "summary.json", json.dumps(self.summary, indent=2) + "\n")
        except OSError as e:
            raise T2SError(f"cannot write results to {out}: {e.strerror or e}") from None
        return out


class _Verdicts:
    """Runs in a worker: the verdict engine on one example's database files, with the gold results the
    parent computed (or read from the cache), so only verdicts cross the process boundary."""

    def __init__(self, gold: dict[tuple[str, str], ExecResult], metric: str, keep_distinct: bool):
        self.gold, self.metric, self.keep_distinct = gold, metric, keep_distinct
        self._judge: tuple[object, Judge] | None = None

    def __call__(self, ex, task: tuple[str, list[str], str, str]) -> tuple[bool, str | None, str, float]:
        _, files, gold_sql, pred_sql = task
        if self._judge is None or self._judge[0] is not ex:
            judge = Judge(
                ex.execute,
                lambda db, sql: self.gold[(db, sql)],
                metric=self.metric,
                keep_distinct=self.keep_distinct,
                cache_size=0,
            )
            self._judge = (ex, judge)
        j = self._judge[1](files, gold_sql, pred_sql)
        return j.correct, j.error, j.message, j.seconds


# -- BIRD's R-VES (evaluation_ves.py) ---------------------------------------------------------------
VES_RUNS = 100  # BIRD's iterate_num


def ves_reward(time_ratio: float) -> float:
    """BIRD's reward buckets for the mean gold/prediction time ratio (0 for a wrong prediction)."""
    if time_ratio == 0:
        return 0.0
    if time_ratio >= 2:
        return 1.25
    if time_ratio >= 1:
        return 1.0
    if time_ratio >= 0.5:
        return 0.75
    if time_ratio >= 0.25:
        return 0.5
    return 0.25


def clean_abnormal(ratios: Sequence[float]) -> list[float]:
    """BIRD's outlier filter: keep ratios strictly within mean ± 3 std (population std).

    When every ratio is identical the official filter keeps none and divides by zero (reward 0);
    here all are kept instead.
    """
    n = len(ratios)
    mean = sum(ratios) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in ratios) / n)
    kept = [x for x in ratios if mean - 3 * std < x < mean + 3 * std]
    return kept or list(ratios)


def _ves_task(ex, task: tuple[str, str, str, int]) -> tuple[float, float]:
    """(time ratio, reward) of one correct prediction: `runs` interleaved timed runs, as BIRD does."""
    db, pred, gold, runs = task
    ratios = []
    for _ in range(runs):
        p, g = ex.execute(db, pred), ex.execute(db, gold)
        if not (p.ok and g.ok):  # the official's exception path: no reward
            return 0.0, 0.0
        ratios.append(max(g.seconds, 1e-9) / max(p.seconds, 1e-9))
    kept = clean_abnormal(ratios)
    ratio = sum(kept) / len(kept)
    return ratio, ves_reward(ratio)


def _hardness_task(ex, task: tuple[str, str]) -> str:
    return hardness(task[1])


SQLITE_MAGIC = b"SQLite format 3\x00"


def _check_readable(path: str) -> None:
    """Refuse a database SQLite would quietly treat as empty (0 bytes) or that is not SQLite at all."""
    try:
        with open(path, "rb") as f:
            head = f.read(len(SQLITE_MAGIC))
    except OSError as e:
        raise T2SError(f"cannot read database {path}: {e.strerror or e}") from None
    if not head:
        raise T2SError(f"cannot read database {path}: it is empty (0 bytes); restore it from the benchmark's archive")
    if head != SQLITE_MAGIC:
        raise T2SError(f"cannot read database {path}: not a SQLite file (bad header); restore it from the benchmark's archive")
    try:
        con = connect_readonly(path)
        try:
            tables = con.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error as e:
        raise T2SError(f"cannot read database {path}: {e}") from None
    if not tables:
        raise T2SError(f"cannot read database {path}: it has no tables")


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
    metric: str | None = None,
    ves: bool = False,
    ves_runs: int = VES_RUNS,
    progress_from: int = 500,
) -> EvalReport:
    """Execution accuracy of `predictions[i]` for `examples[i]` on every database file of its db.

    `metric` is `spider` or `bird`; None picks `default_metric(bench)`. `ves` adds BIRD's R-VES
    (timed runs of each correct prediction and its gold, `ves_runs` pairs each). From `progress_from`
    queries on, execution reports progress on stderr (see `text2sql.core.progress`).
    """
    from text2sql.core.progress import Progress

    metric = check_metric(metric or default_metric(bench))
    if ves_runs < 1:
        raise T2SError("--ves-runs must be at least 1")

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

    golds = [normalize_sql(ex.query, keep_distinct, metric) for ex in examples]
    preds = [normalize_sql(p or "", keep_distinct, metric) for p in predictions]

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

    # Predictions: each example on every file of its database (test-suite semantics), in the workers.
    tasks = [
        (files[ex.db_id][0] if files[ex.db_id] else "", files[ex.db_id], ex.query, p or "")
        for ex, p in zip(examples, predictions, strict=True)
    ]
    pred_bar = bar("predictions", len(tasks))
    judged = map_tasks(
        _Verdicts(gold, metric, keep_distinct),
        tasks,
        workers=workers,
        on_done=pred_bar and pred_bar.advance,
        **settings,
    )
    if pred_bar:
        pred_bar.close()
    verdicts = [(ok, kind, msg) for ok, kind, msg, _ in judged]
    seconds = [secs for *_, secs in judged]

    rewards: list[tuple[float, float] | None] = [None] * len(examples)
    if ves:  # on the first database file, as BIRD (one file per database) does
        correct = [i for i in range(len(examples)) if verdicts[i][0]]
        tasks = [(files[examples[i].db_id][0], preds[i], golds[i], ves_runs) for i in correct]
        for i, reward in zip(correct, map_tasks(_ves_task, tasks, workers=workers, **settings), strict=True):
            rewards[i] = reward

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
                **({"difficulty": ex.difficulty} if ex.difficulty else {}),
                "metric": metric,
                "correct": ok,
                "error": kind,
                "message": msg,
                "seconds": round(seconds[i], 6),
            }
        )
        if ves:
            ratio, reward = rewards[i] or (0.0, 0.0)
            results[-1].update(ves_time_ratio=round(ratio, 6), ves_reward=reward)
    summary = summarize(results)
    summary["settings"] = {
        "timeout": timeout,
        "workers": workers,
        "metric": metric,
        "keep_distinct": keep_distinct if metric == SPIDER else None,
        "max_rows": max_rows,
        "ves_runs": ves_runs if ves else None,
        "test_suite": any(len(f) > 1 for f in files.values()),
        "gold_cache": str(cache.dir) if cache.dir is not None else None,
    }
    summary["gold_cache"] = {"hits": cache.hits, "misses": cache.misses}
    summary["seconds"] = round(time.monotonic() - start, 3)
    return EvalReport(results, summary)


def _bucket(rows: Sequence[dict]) -> dict:
    out = {"count": len(rows), "ex": sum(r["correct"] for r in rows) / len(rows) if rows else 0.0}
    if rows and "ves_reward" in rows[0]:
        out["ves"] = _r_ves(rows)
    return out


def _r_ves(rows: Sequence[dict]) -> float:
    """BIRD's R-VES in percent: mean over all examples of 100 * sqrt(reward), 0 for wrong ones."""
    return sum(100 * math.sqrt(r.get("ves_reward", 0.0)) for r in rows) / len(rows) if rows else 0.0


def summarize(results: Sequence[dict]) -> dict:
    """EX overall, by hardness level (and BIRD difficulty when labelled) and error counts.

    EX is a fraction in [0, 1]; R-VES, when computed, is BIRD's percentage.
    """
    n = len(results)
    by_level = {}
    for level in LEVELS:
        rows = [r for r in results if r["hardness"] == level]
        by_level[level] = {
            "count": len(rows),
            "ex": sum(r["correct"] for r in rows) / len(rows) if rows else 0.0,
        }
    errors = Counter(r["error"] for r in results if r["error"])
    gold_bad = [r for r in results if r["error"] == GOLD_ERROR]
    summary = {
        "ex": sum(r["correct"] for r in results) / n if n else 0.0,
        "count": n,
        "correct": sum(r["correct"] for r in results),
        "metric": results[0].get("metric", SPIDER) if results else SPIDER,
        "by_hardness": by_level,
        "errors": {kind: errors.get(kind, 0) for kind in ERROR_KINDS},
        # gold that did not run: those examples are scored wrong whatever the prediction
        "gold_errors": {"count": len(gold_bad), "ids": [r["id"] for r in gold_bad]},
    }
    labels = [r.get("difficulty") for r in results]
    if any(labels):
        order = [d for d in DIFFICULTIES if d in labels] + sorted(
            {d for d in labels if d} - set(DIFFICULTIES)
        )
        summary["by_difficulty"] = {
            d: _bucket([r for r in results if r.get("difficulty") == d]) for d in order
        }
    if results and "ves_reward" in results[0]:
        summary["ves"] = _r_ves(results)
    return summary


def render(report: EvalReport, console=None) -> None:
    """Rich tables: EX by hardness, then the error breakdown."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    s = report.summary
    metric = s.get("metric", SPIDER)
    # BIRD's own labels when the data has them; Spider's hardness otherwise.
    buckets, label = (
        (s["by_difficulty"], "difficulty") if s.get("by_difficulty") else (s["by_hardness"], "level")
    )
    with_ves = "ves" in s
    bad = s.get("gold_errors") or {}
    if bad.get("count"):
        ids = escape(", ".join(map(str, bad["ids"][:10]))) + (", ..." if bad["count"] > 10 else "")
        console.print(
            f"[bold red]warning: {bad['count']} gold queries failed to run ({ids}); those examples score "
            "0 whatever the prediction: fix the gold or the database (--strict makes this an error)[/]",
            markup=True,
            highlight=False,
        )
    table = Table(title=f"Execution accuracy, {metric} metric ({s['count']} examples)")
    table.add_column(label)
    table.add_column("count", justify="right")
    table.add_column("EX", justify="right")
    if with_ves:
        table.add_column("R-VES", justify="right")
    for level, row in buckets.items():
        extra = [f"{row.get('ves', 0.0):.2f}"] if with_ves else []
        table.add_row(level, str(row["count"]), f"{100 * row['ex']:.1f}", *extra)
    extra = [f"{s['ves']:.2f}"] if with_ves else []
    table.add_row("all", str(s["count"]), f"{100 * s['ex']:.1f}", *extra, style="bold")
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
