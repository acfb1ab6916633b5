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

Modules, one job each: `judging` (settings, Verdict, the judging in a worker), `pool` (the worker
processes), `scorer` (RewardScorer and its statistics), `functions` (the TRL reward functions) and
`completions` (the offline reader). The names below are the public API.

Predicted SQL runs only through the executor (read-only, per-query deadline, resource limits), in the
worker processes of `pool`; nothing a completion does raises into the caller.
"""

from text2sql.execution.rewards.completions import read_completions
from text2sql.execution.rewards.functions import (
    REWARD_FUNCTIONS,
    REWARD_NAMES,
    execution,
    format_,
    format_ok,
    result_overlap,
    reward_functions,
)
from text2sql.execution.rewards.judging import CRASHED, RewardSettings, Verdict, reads_schema_table
from text2sql.execution.rewards.pool import RewardPool
from text2sql.execution.rewards.scorer import RewardScorer, StepStats, completion_text

__all__ = [
    "CRASHED",
    "REWARD_FUNCTIONS",
    "REWARD_NAMES",
    "RewardPool",
    "RewardScorer",
    "RewardSettings",
    "StepStats",
    "Verdict",
    "completion_text",
    "execution",
    "format_",
    "format_ok",
    "read_completions",
    "reads_schema_table",
    "result_overlap",
    "reward_functions",
]
