"""`t2s reward`'s library side: score raw completions with the RL rewards, to check a reward (and the
prompts it reads) before spending GPU hours on it. Errors name the settings (`rewards`, `weights`, ...);
the CLI shows them as its flags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from text2sql.core.errors import T2SError


@dataclass
class RewardMix:
    """Which rewards, weighted how: a completion's reward is the weighted sum of the named rewards."""

    rewards: list[str] = field(default_factory=lambda: ["execution"])
    weights: list[float] | None = None  # None: 1 each

    def validate(self) -> None:
        from text2sql.execution.rewards import REWARD_FUNCTIONS

        if not self.rewards:
            raise T2SError("`rewards` is empty: name at least one reward")
        for name in self.rewards:
            if name not in REWARD_FUNCTIONS:
                raise T2SError(f"unknown `rewards` {name!r}: use one of {', '.join(REWARD_FUNCTIONS)}")
        if self.weights is not None and len(self.weights) != len(self.rewards):
            raise T2SError(f"{len(self.weights)} `weights` values for {len(self.rewards)} `rewards` names")

    def weight_list(self) -> list[float]:
        return list(self.weights) if self.weights is not None else [1.0] * len(self.rewards)


def prompt_fields(path: Path | None) -> dict[str, dict]:
    """`response_prefix` and `answer_format` per id from `t2s build-prompts` records (the prompt's cue)."""
    if path is None:
        return {}
    from text2sql.core.records import PROMPTS

    out = {}
    for n, rec in enumerate(PROMPTS.read(path)):
        out[str(rec.get("id", n))] = {
            "response_prefix": rec.get("response_prefix") or None,
            "answer_format": (rec.get("config") or {}).get("answer_format") or "sql",
        }
    return out


@dataclass
class RewardCheck:
    """The outcome: one row per completion (id, reward, verdict, SQL) and the scorer's counters."""

    rows: list[dict]
    stats: object  # text2sql.execution.rewards.StepStats

    def summary_line(self) -> str:
        n, s = len(self.rows), self.stats
        return (
            f"{n} completions: mean reward {sum(r['reward'] for r in self.rows) / n:.4f}, "
            f"EX {100 * sum(r['correct'] for r in self.rows) / n:.2f}%, "
            f"executable {100 * sum(r['executed'] for r in self.rows) / n:.2f}%; timeouts {s.timeouts}, "
            f"resource limits {s.resource_limits}, forbidden {s.forbidden}, crashed {s.crashed}, "
            f"gold errors {s.gold_errors}; {s.seconds:.2f} s in the reward"
        )

    def write(self, path: Path) -> None:
        """Whole or not at all: a file cut at row 7 of 11 reads as a smaller, finished run."""
        from text2sql.core.jsonl import write_jsonl
        from text2sql.core.text import scrub_all

        try:
            write_jsonl(path, [scrub_all(r) for r in self.rows])
        except OSError as e:
            raise T2SError(f"cannot write {path}: {e.strerror or e}") from None


def check_rewards(
    bench,
    split: str,
    completions: Path,
    mix: RewardMix,
    settings,
    prompts: Path | None = None,
    select_cue: bool = False,
) -> RewardCheck:
    """Score every completion of `completions` (ids: an index or an id of `split`) under `mix`.

    The SELECT cue and answer format of each completion come from its prompt record when `prompts` is
    given, else `select_cue` says whether the prompts ended in "SELECT".
    """
    from text2sql.execution.rewards import RewardScorer, read_completions, reward_functions

    mix.validate()
    settings.validate()
    examples = bench.examples(split)
    by_key = {ex.id: ex for ex in examples} | {str(i): ex for i, ex in enumerate(examples)}
    rows = []
    for cid, text in read_completions(completions):
        ex = by_key.get(str(cid))
        if ex is None:
            raise T2SError(f"completion id {cid!r} is neither an index nor an id of split {split!r}")
        rows.append((cid, ex, text))
    from_prompts = prompt_fields(prompts)
    default_prefix = "SELECT" if select_cue else None
    prefix, fmt = [], []
    for cid, ex, _ in rows:
        rec = from_prompts.get(ex.id) or from_prompts.get(str(cid)) or {}
        prefix.append(rec.get("response_prefix", default_prefix))
        fmt.append(rec.get("answer_format", "sql"))
    columns = {
        "db_id": [ex.db_id for _, ex, _ in rows],
        "gold": [ex.query for _, ex, _ in rows],
        "response_prefix": prefix,
        "answer_format": fmt,
    }
    texts = [t for _, _, t in rows]
    names, weights = mix.rewards, mix.weight_list()
    with RewardScorer(bench, settings) as scorer:
        scorer.check_databases(columns["db_id"])
        per_reward = {
            name: fn(None, texts, **columns)
            for name, fn in zip(names, reward_functions(names, scorer), strict=True)
        }
        verdicts = scorer.score(texts, columns["db_id"], columns["gold"], prefix)
        stats = scorer.total
    out = []
    for i, (cid, _, _) in enumerate(rows):
        v = verdicts[i]
        row = {
            "id": cid,
            "reward": sum(w * per_reward[n][i] for n, w in zip(names, weights, strict=True)),
            "correct": v.correct,
            "executed": v.executed,
            "reads_table": v.reads_table,
            "error": v.error,
            "sql": v.sql,
        }
        if len(names) > 1:
            row["rewards"] = {n: per_reward[n][i] for n in names}
        out.append(row)
    return RewardCheck(out, stats)
