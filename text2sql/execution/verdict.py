"""The one verdict engine: `t2s eval`, DPO verification, the RL rewards and the benchmarks all judge
SQL through `Judge`, so they cannot disagree.

A `Judge` executes the gold once per (database file, executed gold text) and keeps it in a bounded
cache, then classifies a prediction on every test-suite file of its database (the official semantics
of `text2sql.execution.metric`): it passes only if it matches on every file, and the first failing
file decides. Where queries run is the caller's choice (`execute` and `gold`: an `Executor.execute`,
a memo, a lookup of precomputed results), so one engine serves a worker pool and a single process.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from text2sql.execution.executor import EXEC_ERRORS, ExecResult
from text2sql.execution.metric import (
    GOLD_ERROR,
    SPIDER,
    check_metric,
    classify,
    normalize_sql,
    order_matters,
    statement_count,
)

Run = Callable[[str, str], ExecResult]  # (database path, SQL) -> result


@dataclass
class Judgement:
    """One prediction's outcome over the database files it was checked on."""

    correct: bool
    error: str | None  # an error kind of `metric.ERROR_KINDS`, None when correct
    message: str = ""  # SQLite's message (the gold's for `gold_error`)
    seconds: float = 0.0  # the prediction's execution time, summed over the files it ran on
    gold: ExecResult | None = None  # the results on the first file (None when nothing ran)
    pred: ExecResult | None = None

    @property
    def verdict(self) -> tuple[bool, str | None]:
        return self.correct, self.error

    @property
    def executed(self) -> bool:
        """It ran on every file it was checked on (a wrong result still counts; a failed gold does not)."""
        return self.correct or (self.error is not None and self.error not in EXEC_ERRORS and self.error != GOLD_ERROR)


class Judge:
    """Classifies predictions against gold SQL over test-suite database files, gold results cached.

    `execute(db, sql)` runs a prediction; `gold(db, sql)` runs a gold query (default: `execute`), e.g.
    with a longer deadline or from precomputed results. `cache_size` bounds the gold cache (0: none).
    """

    def __init__(
        self,
        execute: Run,
        gold: Run | None = None,
        *,
        metric: str = SPIDER,
        keep_distinct: bool = False,
        cache_size: int = 8192,
    ):
        self.execute = execute
        self.run_gold = gold or execute
        self.metric = check_metric(metric)
        self.keep_distinct = keep_distinct
        self.cache_size = cache_size
        self.cache: OrderedDict[tuple[str, str], ExecResult] = OrderedDict()

    def normalize(self, sql: str) -> str:
        """The exact text the metric executes (see `metric.normalize_sql`)."""
        return normalize_sql(sql, self.keep_distinct, self.metric)

    def gold(self, db: str, sql: str) -> ExecResult:
        """The (normalised) gold's result on one file, executed once while it stays in the cache."""
        key = (db, sql)
        hit = self.cache.get(key)
        if hit is not None:
            self.cache.move_to_end(key)
            return hit
        res = self.run_gold(db, sql)
        if self.cache_size > 0:
            self.cache[key] = res
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return res

    def __call__(self, db_paths: Sequence[str], gold_sql: str, pred_sql: str) -> Judgement:
        n = statement_count(gold_sql)
        if n > 1:  # refused, never silently cut to its first statement
            return Judgement(False, GOLD_ERROR, f"gold holds {n} statements; t2s runs one")
        gold_sql, pred_sql = self.normalize(gold_sql), self.normalize(pred_sql)
        om = order_matters(gold_sql, self.metric)
        out = Judgement(True, None)
        for k, db in enumerate(db_paths):
            gold = self.gold(db, gold_sql)
            same = pred_sql == gold_sql and gold.ok  # the gold itself: its result, without running again
            pred = gold if same else self.execute(db, pred_sql)
            if not same:
                out.seconds += pred.seconds
            if k == 0:
                out.gold, out.pred = gold, pred
            ok, kind = classify(gold, pred, om, self.metric)
            if not ok:
                out.correct, out.error = False, kind
                out.message = gold.message if kind == GOLD_ERROR else pred.message
                return out
        return out


def classify_on_databases(
    db_paths: Sequence[str],
    gold_sql: str,
    pred_sql: str,
    run: Run,
    *,
    keep_distinct: bool = False,
    metric: str = SPIDER,
) -> tuple[bool, str | None]:
    """(correct, error kind) of one prediction: `Judge` for a single call, `run` executing both queries."""
    return Judge(run, metric=metric, keep_distinct=keep_distinct, cache_size=0)(db_paths, gold_sql, pred_sql).verdict
