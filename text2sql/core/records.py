"""The records in t2s's files, declared once: their fields, what makes them, and the SQL field's spellings.

Records stay plain dicts (TypedDicts), so the files t2s writes keep their field names and order byte for
byte; the declarations here type them, name them in error lines (`Kind.what`, `Kind.made_by`) and
generate docs/formats.md (`formats_markdown`), so the documentation cannot drift from the code.
"""

import json
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Required, TypedDict, Union, get_args, get_origin, get_type_hints

from text2sql.core.files import atomic_write_text
from text2sql.core.jsonl import BadRow, read_jsonl

# The spellings of a row's SQL that t2s reads, in order of preference; it writes `sql` (results: `pred`).
SQL_KEYS = ("sql", "prediction", "pred", "predicted_sql")
_NO_DEFAULT = object()


def sql_of(row: dict, default: Any = _NO_DEFAULT) -> str:
    """The SQL of a row under whichever of `SQL_KEYS` it uses; `BadRow` when it has none (and no
    `default` is given) or when it is not a string."""
    for key in SQL_KEYS:
        if key in row:
            value = row[key]
            if not isinstance(value, str):
                raise BadRow(f"`{key}` is {json.dumps(value)[:40]}, expected a string of SQL")
            return value
    if default is not _NO_DEFAULT:
        return default
    raise BadRow(f"no SQL: give it as `sql` (or {', '.join(f'`{k}`' for k in SQL_KEYS[1:])})")


# Results files from older t2s versions and other tools spell some fields otherwise; t2s writes the
# field's own name. Read in this order: the first one present (not null) wins.
RESULT_ALIASES = {
    "correct": ("correct", "ex", "exec_match", "match"),
    "n_tokens": ("n_tokens", "prompt_tokens"),
    "error": ("category", "error_category", "error_type", "error"),  # a foreign category beats our kind
}


def result_field(row: dict, name: str, default: Any = None) -> Any:
    """Field `name` of a results row under any of its `RESULT_ALIASES` spellings."""
    for key in RESULT_ALIASES.get(name, (name,)):
        if row.get(key) is not None:
            return row[key]
    return default


def row_id(row: dict) -> str | int:
    """The example id of a row: a string, or an index (JSON true is neither)."""
    if "id" not in row or row["id"] is None:
        raise BadRow("no `id`")
    value = row["id"]
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise BadRow(f"id is {json.dumps(value)[:40]}, expected a string or an index")
    return value


Messages = list[dict[str, str]]  # chat turns: {"role": "system" | "user" | "assistant", "content": text}


class PromptRecord(TypedDict):
    """One prompt per example, the same text for training and inference."""

    id: Annotated[str, "the example id"]
    db_id: Annotated[str, "the database it asks about"]
    question: Annotated[str, "the question"]
    evidence: Annotated[str | None, "BIRD's evidence, or null"]
    messages: Annotated[Messages, "the chat turns (system, user) the model sees"]
    prompt: Annotated[str, "`messages` rendered by the tokenizer's chat template, generation prompt included"]
    gold: Annotated[str | None, "the gold SQL, or null"]
    n_tokens: Annotated[int, "tokens of `prompt`, counted by `tokenizer`"]
    shots: Annotated[list[dict], "the few-shot examples shown: db_id, question, query"]
    shots_dropped: Annotated[int, "shots left out to fit `max_tokens`"]
    pruned_tables: Annotated[list[str], "tables left out of the schema to fit `max_tokens`"]
    over_budget: Annotated[bool, "still longer than `max_tokens` after pruning"]
    response_prefix: Annotated[
        str, 'the answer\'s start the prompt already gives ("SELECT" with `select_cue`)'
    ]
    config: Annotated[dict, "the prompt configuration (`PromptConfig`)"]
    config_hash: Annotated[str, "the hash of `config`: prompts with equal hashes are built alike"]
    tokenizer: Annotated[str, "which tokenizer counted `n_tokens`"]


class SFTRow(TypedDict):
    """A supervised example: the prompt's messages with the gold answer as the last turn."""

    messages: Annotated[Messages, "the prompt's turns, then the assistant turn with the gold SQL"]
    id: Annotated[str, "the example id"]
    db_id: Annotated[str, "the database"]
    config_hash: Annotated[str, "the prompt configuration's hash (recorded beside the trained model)"]


class PreferencePair(TypedDict):
    """A DPO pair: the gold answer against SQL that executes to a different result."""

    prompt: Annotated[Messages, "the prompt's turns"]
    chosen: Annotated[Messages, "one assistant turn with the gold SQL"]
    rejected: Annotated[Messages, "one assistant turn with the wrong SQL"]
    db_id: Annotated[str, "the database"]
    rejected_kind: Annotated[str, 'how the wrong SQL was made: a corruption\'s name or "candidate"']
    rejected_sql: Annotated[str, "the wrong SQL"]
    closeness: Annotated[float, "token similarity of the wrong SQL to the gold (1 = identical)"]
    skeleton_changed: Annotated[bool, "whether the wrong SQL's skeleton differs from the gold's"]
    id: Annotated[str, "the example id"]
    config_hash: Annotated[str, "the prompt configuration's hash"]


class Completion(TypedDict):
    """Raw model text to score offline with the RL rewards."""

    id: Annotated[str | int, "the example id or its index in the split"]
    completion: Annotated[str, "the model's raw text, SQL extracted as in training"]


class Prediction(TypedDict, total=False):
    """One answer per example; `sql` may be spelled `prediction`, `pred` or `predicted_sql` when read."""

    id: Required[Annotated[str, "the example id"]]
    db_id: Annotated[str, "the database"]
    sql: Required[
        Annotated[str, "the SQL extracted from `raw` (the voted or picked one under `--samples N`)"]
    ]
    raw: Annotated[str, "the model's text"]
    greedy_sql: Annotated[str, "with `--samples N`: the greedy answer"]
    votes: Annotated[int, "with `--samples N`: the votes of the chosen answer's result"]
    valid_candidates: Annotated[int, "with `--samples N`: candidates that executed"]
    vote_sql: Annotated[str, "with `--samples N`: the plain vote's answer"]
    pick: Annotated[str, "with `--samples N`: the selection method"]
    picked: Annotated[int | None, "with `--samples N`: the index of the picked candidate"]
    candidate_groups: Annotated[list, "with `--samples N`: each candidate's result group"]
    candidate_votes: Annotated[list[int], "with `--samples N`: each candidate's group size"]
    candidate_scores: Annotated[list[float], "with a verifier: each candidate's score"]
    candidates: Annotated[list[str], "with `--samples N`: the sampled SQL"]


class ResultRow(TypedDict, total=False):
    """The verdict on one example."""

    index: Annotated[int, "the example's position in the split"]
    id: Required[Annotated[str, "the example id"]]
    db_id: Annotated[str, "the database"]
    question: Annotated[str, "the question"]
    gold: Annotated[str, "the gold SQL"]
    pred: Annotated[str, "the predicted SQL"]
    hardness: Annotated[str, "Spider's hardness level: easy, medium, hard, extra (or unknown)"]
    difficulty: Annotated[str, "BIRD's difficulty (BIRD data only)"]
    metric: Annotated[str, "the EX metric: spider or bird"]
    correct: Required[Annotated[bool, "whether the prediction's result matches the gold's"]]
    error: Annotated[str | None, "why it is wrong, when it did not run or ran out of time, else null"]
    message: Annotated[str | None, "SQLite's error message, or null"]
    seconds: Annotated[float, "time to execute the prediction"]
    ves_time_ratio: Annotated[float, "with --ves: gold time over predicted time"]
    ves_reward: Annotated[float, "with --ves: BIRD's reward for that ratio"]
    n_tokens: Annotated[int | None, "with --model: the prompt's tokens"]
    greedy_correct: Annotated[bool, "with --samples N: whether the greedy answer was right"]
    candidates: Annotated[list[dict], "with --pick: sql, group, votes, score, picked, correct"]
    pick: Annotated[str, "with --pick: the selection method"]
    voted_correct: Annotated[bool, "with a non-vote --pick: whether the plain vote was right"]


class RunSummary(TypedDict, total=False):
    """What an evaluated (or predicted) run folder says about itself; `t2s report` reads it."""

    ex: Annotated[float, "execution accuracy, a fraction in [0, 1]"]
    count: Annotated[int, "examples scored"]
    correct: Annotated[int, "examples right"]
    metric: Annotated[str, "the EX metric: spider or bird"]
    by_hardness: Annotated[dict, "{level: {count, ex}} per Spider hardness level"]
    errors: Annotated[dict, "{kind: count}: examples per error kind"]
    gold_errors: Annotated[dict, "gold SQL that did not run: count and ids (scored wrong)"]
    by_difficulty: Annotated[
        dict, "{simple|moderate|challenging: {count, ex[, ves]}} when examples carry BIRD's difficulty"
    ]
    ves: Annotated[float, "with --ves: BIRD's R-VES, a percentage"]
    settings: Annotated[dict, "how it was scored: data, split, metric, keep_distinct, predictions, ..."]
    gold_cache: Annotated[dict, "gold results read from the cache (hits) or executed (misses)"]
    seconds: Annotated[float, "wall time of the command, generation included"]
    scoring_seconds: Annotated[float, "wall time of the scoring"]
    predictions: Annotated[int, "`t2s predict`: predictions written"]
    prompt_tokens_mean: Annotated[float, "with --model: mean prompt tokens"]
    generation: Annotated[dict, "with --model: backend, model, adapter, decoding, prompt hash, versions"]
    voted_ex: Annotated[float, "with --samples N: EX of the vote (or, under --pick, of the plain vote)"]
    greedy_ex: Annotated[float, "with --samples N: EX of the greedy answers"]
    pick: Annotated[dict, "with --pick: method, verifier, verifier_adapter"]
    picked_ex: Annotated[float, "with --pick: EX of the picked answers"]
    oracle_ex: Annotated[float, "with --pick: share of examples where some candidate is right"]
    name: Annotated[str, "the run's name in reports (--name, an ablation arm)"]
    arm_settings: Annotated[dict, "an ablation arm's settings"]
    provenance: Annotated[
        dict, "what makes the number traceable: data, questions checksum, commit, command, versions"
    ]


class TrainSummary(TypedDict, total=False):
    """What a training run's output folder says about itself (`t2s train`, written beside the model)."""

    task_type: Annotated[str, "sft, dpo, grpo, rloo, reward or pretrain"]
    train_mode: Annotated[str, "qlora, lora or full"]
    model: Annotated[str, "the base model trained (model_name_or_path)"]
    global_step: Annotated[int, "optimizer steps taken"]
    final_loss: Annotated[float, "the last logged training loss (null when none was logged)"]
    provenance: Annotated[
        dict, "train file and its checksum, rows, prompt settings, tokenizer, commit, command, versions"
    ]


class QuickstartSummary(TypedDict, total=False):
    """`t2s quickstart`'s verdict: EX before and after training on the same questions, with the paired test."""

    model: Annotated[str, "the model's name (smollm2, tiny, or the --model given)"]
    model_path: Annotated[str, "the model file or folder that was trained"]
    examples: Annotated[int, "dev questions scored both before and after"]
    ex_before: Annotated[float, "EX before training, a fraction in [0, 1]"]
    ex_after: Annotated[float, "EX after training, a fraction in [0, 1]"]
    ci_before: Annotated[list, "Wilson 95% interval of ex_before, [low, high]"]
    ci_after: Annotated[list, "Wilson 95% interval of ex_after, [low, high]"]
    mcnemar: Annotated[dict, "{gained, lost, p_value}: the exact McNemar test, after against before"]
    train_rows: Annotated[int, "SFT rows trained on"]
    train_steps: Annotated[int, "max_steps of the recipe (null: whole epochs)"]
    train_batch_size: Annotated[int, "rows per training step"]
    trained: Annotated[str, "the trained model (or adapter) folder"]
    report: Annotated[str, "the HTML report"]
    report_markdown: Annotated[str, "the Markdown report"]
    runs: Annotated[dict, "{arm: folder} of the two evaluated runs"]
    stage_seconds: Annotated[dict, "{stage: seconds} wall time of each step"]
    seconds: Annotated[float, "wall time of the whole command"]
    provenance: Annotated[dict, "data, split, questions and their checksum, commit, command, versions"]


@dataclass(frozen=True)
class Kind:
    """A file of records: what it holds and the command that makes it, for error lines and the docs."""

    what: str  # "predictions"
    made_by: str  # "write them with `t2s predict`"
    record: type | None = None  # None: rows of several records (training rows are SFT rows or pairs)
    file: str | None = None  # where t2s writes it, for the docs

    def read(self, path: str | Path, **kwargs) -> list:
        """`read_jsonl(path)` with this kind's name and maker in its errors."""
        return read_jsonl(path, self.what, self.made_by, **kwargs)


PROMPTS = Kind(
    "prompts", "build them with `t2s build-prompts`", PromptRecord, "--output of `t2s build-prompts`"
)
SFT_ROWS = Kind("SFT rows", "build them with `t2s build-sft`", SFTRow, "--output of `t2s build-sft`")
PAIRS = Kind(
    "preference pairs", "build them with `t2s build-dpo`", PreferencePair, "--output of `t2s build-dpo`"
)
TRAINING_ROWS = Kind("training rows", "build them with `t2s build-sft` / `t2s build-dpo`")
COMPLETIONS = Kind(
    "completions",
    'write one {"id", "completion"} object per line, e.g. from the `raw` of `t2s predict`',
    Completion,
)
PREDICTIONS = Kind("predictions", "write them with `t2s predict`", Prediction, "predictions.jsonl")
CANDIDATES = Kind("sampled candidates", "write them with `t2s predict --samples N`")
RESULTS = Kind("evaluation results", "write them with `t2s eval`", ResultRow, "results.jsonl")
SUMMARY = Kind("a run summary", "run `t2s eval` (or `t2s predict`) into a folder", RunSummary, "summary.json")
TRAIN_SUMMARY = Kind(
    "a training summary", "run `t2s train CONFIG`", TrainSummary, "summary.json in the training output_dir"
)
QUICKSTART_SUMMARY = Kind(
    "a quick-start summary", "run `t2s quickstart`", QuickstartSummary, "summary.json in the quick start's folder"
)
KINDS = (PROMPTS, SFT_ROWS, PAIRS, COMPLETIONS, PREDICTIONS, RESULTS, SUMMARY, TRAIN_SUMMARY, QUICKSTART_SUMMARY)

SUMMARY_FILE = "summary.json"


def write_run(folder: str | Path, summary: dict, *, default=None) -> Path:
    """`<folder>/summary.json`, atomically, as every t2s command writes it (indent 2, trailing newline).

    `default` turns values JSON cannot hold into text (training summaries: paths in the config)."""
    path = Path(folder) / SUMMARY_FILE
    atomic_write_text(path, json.dumps(summary, indent=2, default=default) + "\n")
    return path


def _type_name(tp) -> str:
    """A field's type as the docs spell it: JSON's words for Python's (`str or null`)."""
    if tp == Messages:
        return "messages"
    if get_origin(tp) in (Union, UnionType):
        return " or ".join(_type_name(t) for t in get_args(tp))
    if tp is type(None):
        return "null"
    if get_origin(tp) is not None:
        return str(tp).replace("typing.", "")
    return tp.__name__


def fields(record: type) -> list[tuple[str, str, bool, str]]:
    """(name, type, required, description) of each field of a record, in file order."""
    hints = get_type_hints(record, include_extras=True)
    out = []
    for name, hint in hints.items():
        if get_origin(hint) is Required:
            (hint,) = get_args(hint)
        meta = getattr(hint, "__metadata__", ("",))
        base = getattr(hint, "__origin__", hint) if meta != ("",) else hint
        out.append((name, _type_name(base), name in record.__required_keys__, meta[0]))
    return out


def formats_markdown() -> str:
    """docs/formats.md: every record's fields, from the declarations above."""
    lines = [
        "# File formats",
        "",
        "<!-- Generated by `python scripts/gen_formats_doc.py` from text2sql/core/records.py; do not edit. -->",
        "",
        "The files t2s reads and writes. JSONL files hold one JSON object per line, UTF-8 (bytes that are not",
        "UTF-8 are read as U+FFFD). Fields appear in the order listed. A row's SQL is read from the first of "
        + ", ".join(f"`{k}`" for k in SQL_KEYS)
        + " it has.",
        "",
    ]
    for kind in KINDS:
        rec = kind.record
        lines += [f"## {rec.__name__}: {kind.what}", "", (rec.__doc__ or "").strip(), ""]
        where = f"File: {kind.file}. " if kind.file else ""
        lines += [f"{where}To make one: {kind.made_by}.", ""]
        lines += ["| field | type | required | meaning |", "|---|---|---|---|"]
        for name, tp, required, doc in fields(rec):
            cell = doc.replace("|", "\\|")  # a pipe in the text would end the table cell
            lines.append(f"| `{name}` | {tp} | {'yes' if required else 'no'} | {cell} |")
        lines.append("")
    return "\n".join(lines)
