"""Execution-accuracy evaluation of predictions on a benchmark: parallel, cached, test-suite aware.

The orchestration: gold results from the cache (`text2sql.eval.gold_cache`) or executed once each, every
prediction judged by the verdict engine in the workers, BIRD's R-VES (`text2sql.eval.ves`) when asked, and
the summary (`text2sql.eval.summary`). `text2sql.eval.console` prints it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import write_jsonl
from text2sql.core.records import write_run
from text2sql.data.schema import Example
from text2sql.data.sqlite import connect_readonly
from text2sql.eval.gold_cache import GoldCache, default_cache_dir
from text2sql.eval.summary import summarize
from text2sql.eval.ves import VES_RUNS, ves_task
from text2sql.execution.executor import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    ExecResult,
    default_workers,
    execute_many,
    map_tasks,
)
from text2sql.execution.metric import SPIDER, check_metric, default_metric, normalize_sql
from text2sql.execution.verdict import Judge


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
            write_jsonl(out / "results.jsonl", self.results)
            write_run(out, self.summary)
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
    if len(predictions) != len(examples):
        raise T2SError(f"{len(predictions)} predictions for {len(examples)} examples: give one per question")

    def bar(label: str, total: int) -> Progress | None:
        return Progress(label, total, unit="queries") if total >= progress_from else None

    start = time.monotonic()
    workers = workers or default_workers()
    files = {db_id: [str(p) for p in bench.db_files(db_id)] for db_id in {ex.db_id for ex in examples}}
    for path in {p for fs in files.values() for p in fs}:
        _check_readable(path)
    cache = GoldCache((cache_dir or default_cache_dir()) if use_cache else None)
    run = _Run(workers, dict(timeout=timeout, max_rows=max_rows), bar)
    golds = [normalize_sql(ex.query, keep_distinct, metric) for ex in examples]
    gold = _gold_results(cache, [files[ex.db_id] for ex in examples], golds, run)
    levels = cache.hardness([ex.query for ex in examples], workers)
    if use_cache:
        try:
            cache.save()
        except OSError as e:
            raise T2SError(f"cannot write the gold cache in {cache.dir}: {e}; pass --cache-dir") from None
    judged = _judge_predictions(gold, examples, predictions, files, run, metric, keep_distinct)
    rewards: list[tuple[float, float] | None] = [None] * len(examples)
    if ves:  # on the first database file, as BIRD (one file per database) does
        preds = [normalize_sql(p or "", keep_distinct, metric) for p in predictions]
        correct = [i for i in range(len(examples)) if judged[i][0]]
        tasks = [(files[examples[i].db_id][0], preds[i], golds[i], ves_runs) for i in correct]
        for i, reward in zip(correct, map_tasks(ves_task, tasks, workers=workers, **run.settings), strict=True):
            rewards[i] = reward
    results = [
        _result_row(i, ex, predictions[i], levels[i], metric, judged[i], (rewards[i] or (0.0, 0.0)) if ves else None)
        for i, ex in enumerate(examples)
    ]
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
    summary["seconds"] = summary["scoring_seconds"] = round(time.monotonic() - start, 3)  # `t2s eval`: whole run
    return EvalReport(results, summary)


@dataclass
class _Run:
    """How this evaluation executes: worker count, executor settings, a progress bar factory."""

    workers: int
    settings: dict
    bar: Callable


def _gold_results(
    cache: GoldCache, files: list[list[str]], golds: list[str], run: _Run
) -> dict[tuple[str, str], ExecResult]:
    """Every (file, executed gold) result: from the cache, the rest executed once each and cached."""
    gold: dict[tuple[str, str], ExecResult] = {}
    missing = []
    for paths, g in zip(files, golds, strict=True):
        for path in paths:
            if (path, g) not in gold:
                hit = cache.get(path, g) if cache.dir is not None else None
                gold[(path, g)] = hit  # type: ignore[assignment]
                if hit is None:
                    missing.append((path, g))
    gold_bar = run.bar("gold queries", len(missing))
    done = execute_many(missing, workers=run.workers, on_done=gold_bar and gold_bar.advance, **run.settings)
    if gold_bar:
        gold_bar.close()
    for task, res in zip(missing, done, strict=True):
        gold[task] = res
        cache.put(*task, res)
    return gold


def _judge_predictions(
    gold: dict,
    examples: Sequence[Example],
    predictions: Sequence[str],
    files: dict,
    run: _Run,
    metric: str,
    keep_distinct: bool,
) -> list[tuple[bool, str | None, str, float]]:
    """(correct, error, message, seconds) per example: each on every file of its database, in the workers."""
    tasks = [
        (files[ex.db_id][0] if files[ex.db_id] else "", files[ex.db_id], ex.query, p or "")
        for ex, p in zip(examples, predictions, strict=True)
    ]
    pred_bar = run.bar("predictions", len(tasks))
    judged = map_tasks(
        _Verdicts(gold, metric, keep_distinct),
        tasks,
        workers=run.workers,
        on_done=pred_bar and pred_bar.advance,
        **run.settings,
    )
    if pred_bar:
        pred_bar.close()
    return judged


def _result_row(
    i: int, ex: Example, pred: str, level: str, metric: str, judged: tuple, ves: tuple[float, float] | None
) -> dict:
    """One line of results.jsonl; `ves` is (time ratio, reward) when R-VES was computed."""
    ok, kind, msg, seconds = judged
    row = {
        "index": i,
        "id": ex.id,
        "db_id": ex.db_id,
        "question": ex.question,
        "gold": ex.query,
        "pred": pred,
        "hardness": level,
        **({"difficulty": ex.difficulty} if ex.difficulty else {}),
        "metric": metric,
        "correct": ok,
        "error": kind,
        "message": msg,
        "seconds": round(seconds, 6),
    }
    if ves is not None:
        row.update(ves_time_ratio=round(ves[0], 6), ves_reward=ves[1])
    return row
