"""Execution-verified DPO pairs: the gold SQL against wrong SQL that provably returns something else.

Rejected answers come from AST corruptions of the gold (`text2sql.trainsets.corruptions`) and from sampled
model outputs (`--candidates`). Each one is executed on every database file of its example by `t2s eval`'s
verdict engine (`text2sql.execution.verdict`), and kept only when it is judged wrong; non-executable SQL is
kept only with `allow_errors`. Among the survivors the model's own answers win, then the corruptions
closest to the gold (hard negatives).
"""

from __future__ import annotations

import difflib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow
from text2sql.core.records import CANDIDATES, row_id, sql_of
from text2sql.prompts.builder import PromptConfig, assistant_answer, build_prompts
from text2sql.prompts.selection import sql_skeleton
from text2sql.trainsets.corruptions import corruptions

CANDIDATE = "candidate"


@dataclass
class DPOStats:
    generated: Counter = field(default_factory=Counter)
    kept: Counter = field(default_factory=Counter)  # verified wrong (before the per-example cap)
    written: Counter = field(default_factory=Counter)
    examples: int = 0
    examples_without_pair: int = 0
    gold_errors: int = 0
    missing_databases: int = 0

    def to_dict(self) -> dict:
        return {
            "examples": self.examples,
            "generated": sum(self.generated.values()),
            "verified_wrong": sum(self.kept.values()),
            "pairs": sum(self.written.values()),
            "examples_without_pair": self.examples_without_pair,
            "gold_errors": self.gold_errors,
            "missing_databases": self.missing_databases,
            "by_kind": {
                k: {"generated": self.generated[k], "verified_wrong": self.kept[k], "pairs": self.written[k]}
                for k in sorted(self.generated)
            },
        }


def _candidate_sqls(obj: dict) -> list:
    """A row's SQL: its `candidates` (or `samples`) list, else its one SQL (any of `SQL_KEYS`)."""
    sqls = obj.get("candidates") or obj.get("samples")
    if sqls is None:
        return [sql_of(obj)]
    if not isinstance(sqls, list):
        raise BadRow("`candidates` must be a list of SQL strings")
    return sqls


def read_candidates(path: str | Path) -> dict[str, list[str]]:
    """JSONL of sampled outputs: `{"id", "sql"}` per line (repeat ids) or `{"id", "candidates": [...]}`."""

    def check(obj: dict) -> None:
        row_id(obj)
        _candidate_sqls(obj)

    out: dict[str, list[str]] = {}
    for obj in CANDIDATES.read(path, check=check, empty_ok=True):
        out.setdefault(str(obj["id"]), []).extend(
            s for s in _candidate_sqls(obj) if isinstance(s, str) and s.strip()
        )
    return out


def closeness(gold: str, wrong: str) -> float:
    """Token-level similarity to the gold: higher means a harder negative."""
    return difflib.SequenceMatcher(None, gold.lower().split(), wrong.lower().split()).ratio()


def _pick(kept: list[tuple[str, str, float]], n: int, written: Counter | None = None) -> list[tuple[str, str, float]]:
    """The model's own wrong answers first (closest first), then the closest corruptions, at most one per
    kind until every kind has had its turn.

    Sampled answers go first because DPO learns from the mistakes the policy actually makes: a corruption
    the model would never write says little about them (on the bundled sample, DPO on corruptions alone
    fell from SFT's 7/60 to 3/60). Equally close corruptions (one changed token is common to most kinds) go
    to the kind written least so far, so that the data set is not all of the kind the corruptor happens to
    generate first.
    """
    written = written or Counter()
    own = sorted((x for x in kept if x[0] == CANDIDATE), key=lambda x: -x[2])
    ranked = sorted((x for x in kept if x[0] != CANDIDATE), key=lambda x: (-round(x[2], 2), written[x[0]]))
    chosen, kinds = [], set()
    for item in ranked:
        if item[0] not in kinds:
            chosen.append(item)
            kinds.add(item[0])
    for item in ranked:
        if item not in chosen:
            chosen.append(item)
    return (own + chosen)[:n]


def build_dpo(
    bench,
    split: str,
    config: PromptConfig,
    *,
    pairs_per_example: int = 2,
    candidates: dict[str, list[str]] | None = None,
    allow_errors: bool = False,
    limit: int | None = None,
    pre_predictions=None,
    tokenizer=None,
    executor=None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[dict], DPOStats]:
    """TRL conversational preference rows `{prompt, chosen, rejected}` + `db_id`, `rejected_kind`, ..."""
    from text2sql.execution.executor import EXEC_ERRORS, Executor
    from text2sql.execution.metric import GOLD_ERROR
    from text2sql.execution.verdict import Judge

    if pairs_per_example < 1:
        raise T2SError("`pairs_per_example` must be at least 1")
    records = build_prompts(
        bench, split, config, limit=limit, pre_predictions=pre_predictions, tokenizer=tokenizer
    )
    executor = executor or Executor(timeout=10.0)
    candidates = candidates or {}
    stats = DPOStats()
    rows: list[dict] = []
    memo: dict[tuple[str, str], object] = {}

    def run(db: str, sql: str):
        key = (db, sql)
        if key not in memo:
            memo[key] = executor.execute(db, sql)
        return memo[key]

    judge = Judge(run, cache_size=0)  # `run` memoises gold and candidates alike, one example at a time

    for rec in records:
        stats.examples += 1
        gold = rec["gold"]
        try:
            dbs = [str(p) for p in bench.db_files(rec["db_id"])]
        except T2SError:  # database missing on disk (Spider's baseball_1, soccer_1): nothing to verify with
            stats.missing_databases += 1
            stats.examples_without_pair += 1
            if progress:
                progress(1)
            continue
        gold_ans = assistant_answer(rec, gold)
        ok, kind = judge(dbs, gold, gold).verdict
        if not ok or gold_ans is None:
            stats.gold_errors += 0 if ok else 1
            stats.examples_without_pair += 1
            memo.clear()
            if progress:
                progress(1)
            continue
        pool = corruptions(gold, bench.schema(rec["db_id"]))
        pool += [(CANDIDATE, s.strip()) for s in dict.fromkeys(candidates.get(rec["id"], []))]
        gold_skel = " ".join(gold.split()).lower()
        kept = []
        for rkind, sql in pool:
            stats.generated[rkind] += 1
            if " ".join(sql.split()).lower() == gold_skel:
                continue
            correct, err = judge(dbs, gold, sql).verdict
            if correct or err == GOLD_ERROR:
                continue
            if err in EXEC_ERRORS and not allow_errors:
                continue
            if assistant_answer(rec, sql) is None:
                continue
            stats.kept[rkind] += 1
            kept.append((rkind, sql, closeness(gold, sql)))
        chosen = _pick(kept, pairs_per_example, stats.written)
        if not chosen:
            stats.examples_without_pair += 1
        prompt = rec["messages"]
        for rkind, sql, close in chosen:
            stats.written[rkind] += 1
            rows.append(
                {
                    "prompt": prompt,
                    "chosen": [{"role": "assistant", "content": gold_ans}],
                    "rejected": [{"role": "assistant", "content": assistant_answer(rec, sql)}],
                    "db_id": rec["db_id"],
                    "rejected_kind": rkind,
                    "rejected_sql": sql,
                    "closeness": round(close, 4),
                    "skeleton_changed": sql_skeleton(sql) != sql_skeleton(gold),
                    "id": rec["id"],
                    "config_hash": rec["config_hash"],
                }
            )
        memo.clear()
        if progress:
            progress(1)
    return rows, stats
