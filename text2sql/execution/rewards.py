"""Rewards for RL from execution feedback, with exactly `t2s eval`'s verdict.

Three reward functions with TRL's reward-function signature (`prompts`, `completions`, `completion_ids`,
dataset columns as keyword lists), usable outside training:

- `execution`: Arctic-Text2SQL-R1's scheme: `correct` (1.0) when the extracted SQL is right under the
  semantics of `t2s eval` (same extraction, normalisation, test-suite files, gold), `executes` (0.1) when
  it runs but is wrong, `fails` (0.0) otherwise;
- `result_overlap`: a dense reward for small models: the F1 between the predicted and gold rows on the
  first database file (rows compared as bags, cells within a row in any column order), 1.0 when correct;
- `format`: 1.0 when the answer holds exactly one SQL answer (one ```sql block, or bare SQL), preceded by
  one `<think>` block in the reasoning format; 0.0 otherwise.

Predicted SQL runs only through the executor (read-only, per-query deadline, resource limits), in a
persistent pool of worker processes started with spawn (never a fork of a process that holds torch/CUDA).
Each prompt (database, gold) is routed to one worker, so its gold result is computed once and cached there,
while one database's prompts spread over all workers.
Nothing a completion does raises into the caller: a crashed or stuck worker scores the completion `fails`,
counts it as `crashed`, and is replaced.
"""

from __future__ import annotations

import dataclasses
import functools
import multiprocessing as mp
import re
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import wait
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.execution.executor import (
    DEFAULT_MAX_ROWS,
    DEFAULT_TIMEOUT,
    FORBIDDEN,
    RESOURCE_LIMIT,
    TIMEOUT,
    ExecResult,
    Executor,
    default_workers,
)
from text2sql.execution.extraction import extract_sql
from text2sql.execution.metric import GOLD_ERROR, default_metric, row_f1
from text2sql.execution.verdict import Judge

CRASHED = "worker_crashed"  # the worker process died or stopped answering on this completion
REWARD_NAMES = ("execution", "result_overlap", "format")
ANSWER_FORMATS = ("sql", "think")


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


# -- the verdict (runs in a worker) ----------------------------------------------------------------------
def worker_judge(settings: dict) -> tuple[Judge, Executor]:
    """A worker's verdict engine and its executor: predictions under the reward deadline, gold under
    `t2s eval`'s (a slow gold query is not the model's fault), gold results cached."""
    # one worker serves many databases: keep their connections (Spider train has 140 databases)
    ex = Executor(timeout=settings["timeout"], max_rows=settings["max_rows"], max_connections=256)

    def gold(db: str, sql: str) -> ExecResult:
        ex.timeout = settings["gold_timeout"]
        try:
            return ex.execute(db, sql)
        finally:
            ex.timeout = settings["timeout"]

    judge = Judge(ex.execute, gold, metric=settings["metric"], keep_distinct=settings["keep_distinct"])
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


def _worker_main(conn, settings: dict) -> None:
    """Worker loop: receive a list of jobs, answer each with `(index, Verdict)` as soon as it is done."""
    judge, _ = worker_judge(settings)
    conn.send("ready")
    while True:
        try:
            jobs = conn.recv()
        except (EOFError, OSError):
            return
        if jobs is None:
            return
        for job in jobs:
            conn.send((job[0], judge_completion(judge, job, settings["overlap"])))


# -- the pool ---------------------------------------------------------------------------------------
class _Worker:
    def __init__(self, ctx, settings: dict):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.pending: deque = deque()
        self.last = time.monotonic()

    def ready(self, timeout: float = 120.0) -> None:
        """Wait for the worker's imports, so a step never pays for a start (nor mistakes it for a hang)."""
        try:
            if self.conn.poll(timeout):
                self.conn.recv()
        except (EOFError, OSError):
            pass  # died while starting: the wait loop sees it and replaces it

    def send(self, jobs: list) -> None:
        if jobs:
            self.pending.extend(jobs)
            self.conn.send(jobs)
            self.last = time.monotonic()

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class RewardPool:
    """Persistent spawn workers; jobs for one prompt (database and gold) always go to the same worker."""

    def __init__(self, settings: RewardSettings, workers: int):
        self.settings = _worker_settings(settings)
        self.ctx = mp.get_context("spawn")
        self.workers = [_Worker(self.ctx, self.settings) for _ in range(workers)]
        for w in self.workers:
            w.ready()
        self.restarts = 0
        self.route: dict[tuple[str, str], int] = {}  # (database, gold) -> worker, sticky (its gold result)
        self.load = [0] * workers
        # a job checks at most one gold and one prediction per file; past that the worker is stuck
        self.per_file = settings.timeout + settings.gold_timeout + 5.0

    def _budget(self, job: tuple) -> float:
        return self.per_file * max(1, len(job[1])) + 5.0

    def run(self, jobs: list[tuple]) -> dict[int, Verdict]:
        out: dict[int, Verdict] = {}
        parts: list[list] = [[] for _ in self.workers]
        for job in jobs:
            # routed by (database, gold): a prompt's gold runs once on its worker, while the prompts of
            # one database (and their slow completions) spread over all workers
            key = (job[1][0] if job[1] else "", job[2])
            if key not in self.route:  # a new prompt goes to the worker with the least work so far
                self.route[key] = min(range(len(self.workers)), key=self.load.__getitem__)
            self.load[self.route[key]] += 1
            parts[self.route[key]].append(job)
        for w, part in zip(self.workers, parts, strict=True):
            self._send(w, part, out)
        while any(w.pending for w in self.workers):
            busy = [w for w in self.workers if w.pending]
            now = time.monotonic()
            wait_s = min(max(0.0, w.last + self._budget(w.pending[0]) - now) for w in busy)
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_s))
            for k, w in enumerate(self.workers):
                if not w.pending:
                    continue
                if w.conn in ready:
                    try:
                        while w.pending and w.conn.poll():
                            idx, verdict = w.conn.recv()
                            w.pending.popleft()
                            out[idx] = verdict
                            w.last = time.monotonic()
                        continue
                    except (EOFError, OSError):
                        pass  # died mid-answer: handled as a crash below
                if (
                    w.conn in ready
                    or w.proc.sentinel in ready
                    or time.monotonic() - w.last > self._budget(w.pending[0])
                ):
                    self._replace(k, out)
        return out

    def _send(self, w: _Worker, jobs: list, out: dict) -> None:
        try:
            w.send(jobs)
        except (OSError, ValueError):
            pass  # a dead pipe: the wait loop sees the dead process and replaces the worker

    def _replace(self, k: int, out: dict) -> None:
        """The worker died or hangs on its current job: that job scores as crashed, the rest go to a new one."""
        old = self.workers[k]
        rest = list(old.pending)
        culprit = rest.pop(0)
        out[culprit[0]] = Verdict(culprit[3], False, CRASHED, False, 0.0, 0.0)
        old.kill()
        self.restarts += 1
        self.workers[k] = _Worker(self.ctx, self.settings)
        self.workers[k].ready()
        self._send(self.workers[k], rest, out)

    def close(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in self.workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()
            w.conn.close()
        self.workers = []


def _worker_settings(s: RewardSettings) -> dict:
    return dict(
        timeout=s.timeout,
        gold_timeout=s.gold_timeout,
        metric=s.metric,
        keep_distinct=s.keep_distinct,
        max_rows=s.max_rows,
        overlap=s.overlap,
    )


# -- the scorer -------------------------------------------------------------------------------------
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
        self._local, self._executor = worker_judge(_worker_settings(self.settings)) if n == 0 else (None, None)
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


# -- the reward functions (TRL's signature) ----------------------------------------------------------------
def _require(kwargs: dict, name: str):
    if kwargs.get(name) is None:
        raise T2SError(f"reward needs the dataset column {name!r} (prompt records from `t2s build-prompts`)")
    return kwargs[name]


def _log(scorer: RewardScorer, log_metric: Callable | None) -> None:
    if log_metric is not None:
        for name, value in scorer.last_stats.metrics().items():
            log_metric(name, value)


def execution(prompts, completions, completion_ids=None, *, scorer: RewardScorer, log_metric=None, **kwargs):
    """`correct` when right under `t2s eval`'s semantics, `executes` when it runs but is wrong, else `fails`."""
    s = scorer.settings
    verdicts = scorer.score(
        completions, _require(kwargs, "db_id"), _require(kwargs, "gold"), kwargs.get("response_prefix")
    )
    _log(scorer, log_metric)
    return [
        s.correct if v.correct else s.executes if v.executed and v.reads_table else s.fails for v in verdicts
    ]


def result_overlap(
    prompts, completions, completion_ids=None, *, scorer: RewardScorer, log_metric=None, **kwargs
):
    """Dense: F1 of predicted vs gold result rows on the first database file; 1.0 when correct, 0.0 on error."""
    if not scorer.settings.overlap:
        raise T2SError("result_overlap needs a scorer built with RewardSettings(overlap=True)")
    verdicts = scorer.score(
        completions, _require(kwargs, "db_id"), _require(kwargs, "gold"), kwargs.get("response_prefix")
    )
    _log(scorer, log_metric)
    return [v.overlap for v in verdicts]


_THINK = re.compile(r"\A\s*<think>(.*?)</think>\s*", re.DOTALL)
_SQL_FENCE = re.compile(r"```[ \t]*(?:sql|sqlite)[ \t]*\n(.*?)```", re.DOTALL | re.IGNORECASE)
_ANY_FENCE = re.compile(r"```")
_SPECIAL = re.compile(r"<\|[^|>]*\|>")


def format_ok(text: str, answer_format: str = "sql", response_prefix: str | None = None) -> bool:
    """One SQL answer: a single ```sql block (or bare SQL in the plain format) after the optional `<think>`."""
    text = _SPECIAL.split(text, maxsplit=1)[0]
    if answer_format == "think":
        m = _THINK.match(text)
        if not m or "<think>" in m.group(1) or "<think>" in text[m.end() :]:
            return False
        text = text[m.end() :]
    elif "<think>" in text:
        return False
    blocks = _SQL_FENCE.findall(text)
    if blocks:
        rest = _SQL_FENCE.sub("", text).strip()
        return len(blocks) == 1 and not rest and not _ANY_FENCE.search(rest) and _one_statement(blocks[0])
    if answer_format == "think" or _ANY_FENCE.search(text):
        return False
    body = text.strip()
    if response_prefix and not body.upper().startswith(response_prefix.strip().upper()):
        body = f"{response_prefix.strip()} {body}"
    return _one_statement(body)


def _one_statement(sql: str) -> bool:
    """Exactly one SQL statement that sqlglot (SQLite dialect) parses as a query."""
    import sqlglot
    from sqlglot import exp

    sql = sql.strip().rstrip(";").strip()
    if not sql:
        return False
    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except (sqlglot.errors.ParseError, sqlglot.errors.TokenError, ValueError, RecursionError):
        return False
    return len(statements) == 1 and isinstance(statements[0], exp.Query)


def format_(prompts, completions, completion_ids=None, *, scorer: RewardScorer | None = None, **kwargs):
    """1.0 when the answer is well formed for its prompt's `answer_format` (sql | think), else 0.0."""
    texts = [completion_text(c) for c in completions]
    fmts = kwargs.get("answer_format") or ["sql"] * len(texts)
    prefixes = kwargs.get("response_prefix") or [None] * len(texts)
    return [float(format_ok(t, f or "sql", p)) for t, f, p in zip(texts, fmts, prefixes, strict=True)]


format_.__name__ = format_.__qualname__ = "format"
REWARD_FUNCTIONS: dict[str, Callable] = {
    "execution": execution,
    "result_overlap": result_overlap,
    "format": format_,
}


def reward_functions(names: Sequence[str], scorer: RewardScorer) -> list[Callable]:
    """The named rewards bound to `scorer`, ready for GRPOTrainer/RLOOTrainer (`reward_funcs=`)."""
    out = []
    for name in names:
        if name not in REWARD_FUNCTIONS:
            raise T2SError(f"unknown reward {name!r}: use one of {', '.join(REWARD_NAMES)}")
        out.append(functools.partial(REWARD_FUNCTIONS[name], scorer=scorer))
    return out


def read_completions(path: str | Path) -> list[tuple[object, str]]:
    """`(id, completion)` pairs from a JSONL file of `{"id": ..., "completion": "raw model text"}`."""
    import json

    path = Path(path)
    if not path.is_file():
        raise T2SError(f"completions file {path} does not exist")
    from text2sql.core.text import scrub_all

    out = []
    try:  # invalid UTF-8 and lone surrogates are part of what a model wrote: U+FFFD, scored as text
        lines = path.read_bytes().decode("utf-8", errors="replace").splitlines()
    except OSError as e:
        raise T2SError(f"cannot read completions file {path}: {e.strerror or e}") from None
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = scrub_all(json.loads(line))
        except json.JSONDecodeError as e:
            raise T2SError(f"{path}:{n} is not valid JSON: {e}") from None
        if not isinstance(obj, dict) or obj.get("id") is None or not isinstance(obj.get("completion"), str):
            raise T2SError(f"{path}:{n}: expected an object with `id` and a string `completion`")
        if isinstance(obj["id"], bool) or not isinstance(obj["id"], str | int):
            raise T2SError(f"{path}:{n}: id is {json.dumps(obj['id'])[:40]}, expected an index or an id string")
        out.append((obj["id"], obj["completion"]))
    if not out:
        raise T2SError(f"completions file {path} is empty")
    return out
