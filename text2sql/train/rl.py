"""GRPO / RLOO from execution feedback: `t2s build-prompts` records -> TRL's online RL trainers, t2s rewards
(the reward keys and the prompt dataset; the trainer is built in text2sql/train/methods/grpo.py).

The policy samples answers to exactly the prompts `t2s eval --model` shows it (the records' chat messages);
the rewards (text2sql/execution/rewards/) score them with `t2s eval`'s verdict, on a spawn worker pool.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from text2sql.core.errors import T2SError
from text2sql.execution.rewards.judging import RewardSettings

# the reward_<name> config keys: RewardSettings' fields of the same name, with its defaults (declared there once)
SETTINGS_KEYS = ("correct", "executes", "fails", "timeout", "metric", "keep_distinct", "workers")


@dataclass
class RewardArguments:
    """The reward keys of a grpo/rloo config (`reward_weights` is TRL's own key)."""

    reward_funcs: list = field(  # of str; a bare `list` so the config type check accepts it
        default_factory=lambda: ["execution"],
        metadata={"help": "execution | result_overlap | format, summed with reward_weights"},
    )
    reward_data: str | None = field(
        default=None,
        metadata={
            "help": "Benchmark folder the prompts were built from (its databases; default the sample)."
        },
    )
    reward_correct: float = field(
        default=RewardSettings.correct, metadata={"help": "execution reward when correct"}
    )
    reward_executes: float = field(
        default=RewardSettings.executes, metadata={"help": "execution reward when it runs but is wrong"}
    )
    reward_fails: float = field(default=RewardSettings.fails, metadata={"help": "execution reward otherwise"})
    reward_timeout: float = field(
        default=RewardSettings.timeout, metadata={"help": "seconds per predicted query"}
    )
    reward_metric: str | None = field(
        default=RewardSettings.metric,
        metadata={"help": "spider | bird (default: the benchmark's, as `t2s eval` picks it)"},
    )
    reward_keep_distinct: bool = RewardSettings.keep_distinct
    reward_workers: int | None = field(
        default=RewardSettings.workers,
        metadata={"help": "reward worker processes (default: one per core, at most 8)"},
    )

    def settings(self) -> RewardSettings:
        return RewardSettings(
            **{key: getattr(self, f"reward_{key}") for key in SETTINGS_KEYS},
            overlap="result_overlap" in self.reward_funcs,
        )


def reward_arguments(raw: dict, args) -> RewardArguments:
    """Validated reward keys (names, one weight per reward, values in order) from a config's raw dict."""
    from text2sql.execution.rewards import REWARD_NAMES

    raw = dict(raw)
    funcs = raw.get("reward_funcs", ["execution"])
    if isinstance(funcs, str):
        funcs = [f.strip() for f in funcs.split(",") if f.strip()]
    if not isinstance(funcs, list) or not funcs or not all(isinstance(f, str) for f in funcs):
        raise T2SError("reward_funcs must be a non-empty list of reward names")
    for name in funcs:
        if name not in REWARD_NAMES:
            raise T2SError(f"unknown reward {name!r} in reward_funcs: use one of {', '.join(REWARD_NAMES)}")
    raw["reward_funcs"] = funcs
    if args.reward_weights is not None and len(args.reward_weights) != len(funcs):
        raise T2SError(f"{len(args.reward_weights)} reward_weights for {len(funcs)} reward_funcs")
    out = RewardArguments(**raw)
    out.settings().validate()
    return out


def build_rl_dataset(rows: list[dict], tokenizer, max_prompt_length: int | None):
    """TRL's conversational prompt rows plus the columns the rewards read (db_id, gold, cue, answer format)."""
    from datasets import Dataset

    from text2sql.train.data import FitReport, token_ids

    report, keep = FitReport(0, max_prompt_length), []
    for n, row in enumerate(rows, 1):
        msgs = row.get("messages")
        if not isinstance(msgs, list) or not msgs or not all(isinstance(m, dict) for m in msgs):
            raise T2SError(f"row {n}: an RL row needs 'messages' (prompt records from `t2s build-prompts`)")
        if msgs[-1].get("role") == "assistant":
            raise T2SError(
                f"row {n} ends with an assistant answer (SFT data?): RL trains on prompt records from "
                "`t2s build-prompts --split train`"
            )
        if not isinstance(row.get("db_id"), str) or not isinstance(row.get("gold"), str):
            raise T2SError(
                f"row {n}: an RL row needs 'db_id' and 'gold' (prompt records from `t2s build-prompts`)"
            )
        if not row["gold"].strip():
            report.no_gold += 1  # no gold SQL: nothing to reward against
            continue
        if max_prompt_length is not None and len(token_ids(tokenizer, msgs, True)) > max_prompt_length:
            report.prompt_too_long += 1
            continue
        report.kept += 1
        keep.append(
            {
                "prompt": [{"role": m["role"], "content": m["content"]} for m in msgs],
                "db_id": row["db_id"],
                "gold": row["gold"],
                "response_prefix": row.get("response_prefix") or "",
                "answer_format": (row.get("config") or {}).get("answer_format") or "sql",
            }
        )
    if not keep:
        raise T2SError("no prompt with a gold SQL fits max_prompt_length; raise it")
    return Dataset.from_list(keep), report
