"""What a reward judges: the settings, a completion's Verdict, and the judging itself (it runs in a worker).

The verdict is `t2s eval`'s, through the one engine (`text2sql.execution.verdict.Judge`), plus the dense
row overlap and whether the SQL reads a table of the target schema.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from text2sql.core.errors import T2SError
from text2sql.execution.executor import DEFAULT_MAX_ROWS, DEFAULT_TIMEOUT, ExecResult, Executor
from text2sql.execution.metric import check_metric, row_f1
from text2sql.execution.verdict import Judge

CRASHED = "worker_crashed"  # the worker process died or stopped answering on this completion


@dataclass
class RewardSettings:
    """The reward values and the execution bounds (`t2s eval` defaults, except a 5 s deadline in RL)."""

    correct: float = 1.0
    executes: float = 0.1
    fails: float = 0.0
    timeout: float = 5.0  # seconds per predicted query
    gold_timeout: float = DEFAULT_TIMEOUT  # `t2s eval`'s: a slow gold query is not the model's fault
    metric: str | None = None  # None: the benchmark's own, as `t2s eval` picks it (BIRD data -> bird)
    keep_distinct: bool = False
    max_rows: int = DEFAULT_MAX_ROWS
    workers: int | None = None  # None: one per core (at most 8); 0: in this process (no crash isolation)
    overlap: bool = True  # compute result_overlap's row F1 (skipped when only `execution` is used)

    def validate(self) -> None:
        if self.timeout <= 0 or self.gold_timeout <= 0:
            raise T2SError("reward timeouts must be positive")
        if self.workers is not None and self.workers < 0:
            raise T2SError("reward workers must be >= 0")
        if not (self.fails <= self.executes <= self.correct):
            raise T2SError("reward values must satisfy fails <= executes <= correct")
        if self.metric is not None:
            check_metric(self.metric)


@dataclass
class Verdict:
    """One completion's outcome: the verdict `t2s eval` would give its extracted SQL, plus the overlap."""

    sql: str
    correct: bool
    error: str | None
    executed: bool  # it ran on every file it was checked on (a wrong result still counts)
    overlap: float  # F1 of result rows against the gold on the first file (1.0 when correct)
    seconds: float = 0.0
    message: str = ""  # for `worker_crashed` from an exception: what was raised
    reads_table: bool = True  # it reads a table of the target schema (else no partial reward)


def worker_judge(settings: RewardSettings) -> tuple[Judge, Executor]:
    """A worker's verdict engine and its executor: predictions under the reward deadline, gold under
    `t2s eval`'s (a slow gold query is not the model's fault), gold results cached."""
    # one worker serves many databases: keep their connections (Spider train has 140 databases)
    ex = Executor(timeout=settings.timeout, max_rows=settings.max_rows, max_connections=256)

    def gold(db: str, sql: str) -> ExecResult:
        ex.timeout = settings.gold_timeout
        try:
            return ex.execute(db, sql)
        finally:
            ex.timeout = settings.timeout

    judge = Judge(ex.execute, gold, metric=settings.metric, keep_distinct=settings.keep_distinct)
    return judge, ex


def judge_completion(judge: Judge, job: tuple, overlap: bool = True) -> Verdict:
    """`(index, db_paths, gold, sql)` -> the Verdict; a bug costs one completion its reward, never the run."""
    _, db_paths, gold_sql, pred_sql = job
    start = time.monotonic()
    try:
        j = judge(db_paths, gold_sql, pred_sql)
    except Exception as e:
        return Verdict(pred_sql, False, CRASHED, False, 0.0, 0.0, f"{type(e).__name__}: {e}")
    score = 1.0 if j.correct else 0.0
    if overlap and not j.correct and j.executed and j.gold is not None and j.pred is not None:
        if j.gold.ok and j.pred.ok:
            score = row_f1(j.gold.rows, j.pred.rows)
    return Verdict(pred_sql, j.correct, j.error, j.executed, score, time.monotonic() - start)


def reads_schema_table(sql: str, tables: frozenset[str] | set[str]) -> bool:
    """Whether `sql` reads a table of the target schema (sqlglot; CTE names and sqlite_master do not
    count): `SELECT 1` must not earn the "executes" reward, or a policy learns to write it."""
    import sqlglot
    from sqlglot import exp

    try:
        trees = [t for t in sqlglot.parse(sql, read="sqlite") if t is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError, RecursionError):
        return False
    for tree in trees:
        ctes = {c.alias_or_name.lower() for c in tree.find_all(exp.CTE)}
        for table in tree.find_all(exp.Table):
            name = table.name.lower()
            if name and name not in ctes and name in tables:
                return True
    return False
