"""The reward functions, with TRL's reward-function signature (`prompts`, `completions`, `completion_ids`,
dataset columns as keyword lists), bound to a scorer by `reward_functions`."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from text2sql.core.errors import T2SError
from text2sql.execution.rewards.scorer import RewardScorer, completion_text

REWARD_NAMES = ("execution", "result_overlap", "format")


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
