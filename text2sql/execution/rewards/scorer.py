"""The scorer: extracted SQL of raw completions judged against a benchmark's gold, with per-step statistics.
The engine behind every reward function."""

from __future__ import annotations

import dataclasses
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from text2sql.core.errors import T2SError
from text2sql.execution.executor import FORBIDDEN, RESOURCE_LIMIT, TIMEOUT, default_workers
from text2sql.execution.extraction import extract_sql
from text2sql.execution.metric import GOLD_ERROR, default_metric
from text2sql.execution.rewards.judging import (
    CRASHED,
    RewardSettings,
    Verdict,
    judge_completion,
    reads_schema_table,
    worker_judge,
)
from text2sql.execution.rewards.pool import RewardPool


@dataclass
class StepStats:
    """What one scoring call did (also logged per training step)."""

    completions: int = 0
    correct: int = 0
    executed: int = 0
    timeouts: int = 0
    resource_limits: int = 0
    forbidden: int = 0
    crashed: int = 0
    gold_errors: int = 0
    seconds: float = 0.0
    errors: Counter = field(default_factory=Counter)

    def metrics(self) -> dict[str, float]:
        n = max(1, self.completions)
        return {
            "reward/ex": self.correct / n,
            "reward/executable": self.executed / n,
            "reward/timeouts": float(self.timeouts),
            "reward/resource_limits": float(self.resource_limits),
            "reward/forbidden": float(self.forbidden),
            "reward/crashed": float(self.crashed),
            "reward/gold_errors": float(self.gold_errors),
            "reward/seconds": self.seconds,
        }


class RewardScorer:
    """Scores completions against a benchmark's gold: the engine behind every reward function here.

    `bench` is a `Benchmark` (or its folder); test-suite databases come from `bench.db_files(db_id)`,
    exactly as `t2s eval` takes them.
    """

    def __init__(self, bench, settings: RewardSettings | None = None):
        from text2sql.data.benchmark import Benchmark, load_benchmark

        self.bench = bench if isinstance(bench, Benchmark) else load_benchmark(bench)
        self.settings = dataclasses.replace(settings) if settings else RewardSettings()  # a private copy
        self.settings.validate()
        if self.settings.metric is None:
            self.settings.metric = default_metric(self.bench)
        n = self.settings.workers if self.settings.workers is not None else default_workers()
        self._pool = RewardPool(self.settings, n) if n > 0 else None
        # workers=0: judged in this process (the engine and its executor)
        self._local, self._executor = worker_judge(self.settings) if n == 0 else (None, None)
        self._files: dict[str, list[str]] = {}
        self._tables: dict[str, frozenset[str]] = {}
        self._gold_warned = False
        self._last: tuple | None = None
        self._warned = False
        self.last_stats = StepStats()
        self.total = StepStats()

    def db_files(self, db_id: str) -> list[str]:
        if db_id not in self._files:
            self._files[db_id] = [str(p) for p in self.bench.db_files(db_id)]
        return self._files[db_id]

    def table_names(self, db_id: str) -> frozenset[str]:
        """Lower-cased table names of a database's schema (tables.json, else introspected)."""
        if db_id not in self._tables:
            try:
                names = {t.name.lower() for t in self.bench.schema(db_id).tables}
            except T2SError:
                names = set()
            self._tables[db_id] = frozenset(names)
        return self._tables[db_id]

    def check_databases(self, db_ids: Sequence[str]) -> None:
        """Fail early, with one line, when a database of the data is missing (not mid-training)."""
        for db_id in sorted(set(db_ids)):
            if not self.db_files(db_id):
                raise T2SError(f"no database file for db_id {db_id!r} in {self.bench.root}")

    def judge(self, db_ids: Sequence[str], golds: Sequence[str], sqls: Sequence[str]) -> list[Verdict]:
        """The verdict for each extracted SQL: identical (db, gold, sql) triples are executed once."""
        start = time.monotonic()
        keys = list(zip(db_ids, golds, sqls, strict=True))
        unique = list(dict.fromkeys(keys))
        jobs = [(i, self.db_files(db), gold, sql) for i, (db, gold, sql) in enumerate(unique)]
        if self._pool is not None:
            done = self._pool.run(jobs)
        else:
            assert self._local is not None
            done = {job[0]: judge_completion(self._local, job, self.settings.overlap) for job in jobs}
        for i, (db, _, sql) in enumerate(unique):
            v = done[i]
            if v.executed and not v.correct:
                v.reads_table = reads_schema_table(sql, self.table_names(db))
        index = {key: done[i] for i, key in enumerate(unique)}
        verdicts = [index[k] for k in keys]
        self._record(verdicts, time.monotonic() - start)
        return verdicts

    def score(
        self,
        completions: Sequence,
        db_id: Sequence[str],
        gold: Sequence[str],
        response_prefix: Sequence[str | None] | None = None,
    ) -> list[Verdict]:
        """Verdicts for raw completions (strings or chat messages); a batch scored just before is reused,
        so `execution` and `result_overlap` in one training step execute the SQL once."""
        texts = [completion_text(c) for c in completions]
        prefixes = list(response_prefix) if response_prefix is not None else [None] * len(texts)
        key = (tuple(texts), tuple(db_id), tuple(gold), tuple(prefixes))
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        sqls = [extract_sql(t, p or None) for t, p in zip(texts, prefixes, strict=True)]
        verdicts = self.judge(db_id, gold, sqls)
        self._last = (key, verdicts)
        return verdicts

    def _record(self, verdicts: list[Verdict], seconds: float) -> None:
        s = StepStats(completions=len(verdicts), seconds=seconds)
        for v in verdicts:
            s.correct += v.correct
            s.executed += v.executed
            s.timeouts += v.error == TIMEOUT
            s.resource_limits += v.error == RESOURCE_LIMIT
            s.forbidden += v.error == FORBIDDEN
            s.crashed += v.error == CRASHED
            s.gold_errors += v.error == GOLD_ERROR
            if v.error:
                s.errors[v.error] += 1
        self.last_stats = s
        raised = next((v.message for v in verdicts if v.error == CRASHED and v.message), None)
        if raised and not self._warned:  # every completion scoring 0 would otherwise look like a bad policy
            self._warned = True
            print(
                f"warning: the reward raised while judging a completion (scored as crashed): {raised}",
                file=sys.stderr,
            )
        gold_bad = [v for v in verdicts if v.error == GOLD_ERROR]
        if gold_bad and not self._gold_warned:  # a reward of 0 the policy cannot change: say so
            self._gold_warned = True
            print(
                f"warning: {len(gold_bad)} of {len(verdicts)} completions were scored against gold SQL that "
                "fails to run (gold_error): they get no reward whatever the model writes; fix the gold "
                "queries or the databases (see `t2s eval --backend gold`)",
                file=sys.stderr,
            )
        t = self.total
        for name in (
            "completions",
            "correct",
            "executed",
            "timeouts",
            "resource_limits",
            "forbidden",
            "crashed",
            "gold_errors",
        ):
            setattr(t, name, getattr(t, name) + getattr(s, name))
        t.seconds += seconds
        t.errors.update(s.errors)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
        if self._executor is not None:
            self._executor.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def completion_text(completion) -> str:
    """A TRL completion: a string, or (conversational) a list of messages whose contents are joined."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        return "".join(str(m.get("content") or "") for m in completion if isinstance(m, dict))
    if isinstance(completion, dict):
        return str(completion.get("content") or "")
    return str(completion)
