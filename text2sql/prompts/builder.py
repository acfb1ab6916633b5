"""One prompt for training and inference: `PromptConfig` + `build_prompts`.

A record holds the chat messages (system, user), the text the tokenizer's chat template renders
from them with the generation prompt (`prompt`) and its exact token count, the chosen shots, and
the configuration with its hash, so SFT data, DPO data and evaluation prompts are provably the same.

This module assembles the records; the jobs it calls live beside it: `config` (PromptConfig), `shots`
(selection), `chat` (chat template, token count) and `budget` (fitting `max_tokens`).
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import write_jsonl  # noqa: F401  (importable from here, as before)
from text2sql.data.schema import Example
from text2sql.prompts.budget import fit_budget
from text2sql.prompts.chat import chat_messages, count_tokens, render_chat
from text2sql.prompts.config import DEFAULT_SYSTEM_PROMPT, PromptConfig
from text2sql.prompts.contents import db_path_or_none
from text2sql.prompts.organization import assemble, format_example
from text2sql.prompts.rendering import render_question
from text2sql.prompts.shots import shot_selector
from text2sql.prompts.template import load_template

# PromptConfig, DEFAULT_SYSTEM_PROMPT and db_path_or_none are also imported from here (their old home).
__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "PromptConfig",
    "assistant_answer",
    "build_prompts",
    "db_path_or_none",
    "read_pre_predictions",
    "summary",
    "write_jsonl",
]


def read_pre_predictions(path: str | Path, examples: list[Example]) -> dict[str, str]:
    """Preliminary SQL per example id: JSONL with `id` + `sql`/`prediction`/`pred`, or one SQL per line."""
    from text2sql.core.records import PREDICTIONS, row_id, sql_of

    p = Path(path)
    if p.suffix == ".jsonl":
        rows = PREDICTIONS.read(p, check=lambda obj: (row_id(obj), sql_of(obj)), empty_ok=True)
        return {str(obj["id"]): sql_of(obj) for obj in rows}
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise T2SError(f"cannot read `pre_predictions` {p}: {e.strerror}") from None
    sqls = [ln.split("\t")[0] for ln in lines if ln.strip()]
    if len(sqls) < len(examples):
        raise T2SError(f"{p} has {len(sqls)} SQL lines for {len(examples)} examples")
    return {ex.id: sql for ex, sql in zip(examples, sqls, strict=False)}


def build_prompts(
    bench,
    split: str,
    config: PromptConfig,
    *,
    limit: int | None = None,
    pre_predictions: dict[str, str] | str | Path | None = None,
    tokenizer=None,
    progress: Callable[[int], None] | None = None,
) -> list[dict]:
    """The JSONL records of `t2s build-prompts`, one per example of `split`."""
    config.validate()
    if config.shots > 0 and config.select in ("query", "dail") and pre_predictions is None and split != "train":
        # before the tokenizer, the embedder and the similarities: they are the expensive part
        raise T2SError(
            f"`select` {config.select} needs `pre_predictions` (preliminary SQL per example): make them with a "
            f"zero-shot run, e.g. `t2s predict --model M --split {split} --output-dir runs/zero-shot` (writes "
            "runs/zero-shot/predictions.jsonl), then pass `pre_predictions` runs/zero-shot/predictions.jsonl"
        )
    tpl = load_template(config.repr)
    examples = bench.examples(split)
    if limit is not None:
        examples = examples[:limit]
    from text2sql.prompts.tokenizer import load_tokenizer, tokenizer_label

    counted_by = tokenizer_label(config.tokenizer or (tokenizer and getattr(tokenizer, "name_or_path", None)))
    if tokenizer is None:
        tokenizer = load_tokenizer(config.tokenizer)
    opts = config.schema_options()
    chash = config.hash()
    cdict = config.to_dict()

    selector, sims, pre = None, None, {}
    if config.shots > 0:
        selector, sims = shot_selector(bench, split, config, examples)
        if config.select in ("query", "dail"):
            if pre_predictions is None:  # the train split (others were refused above)
                print(
                    "note: no --pre-predictions; on the train split the gold SQL stands in for them",
                    file=sys.stderr,
                )
                pre = {e.id: e.query for e in examples}
            elif isinstance(pre_predictions, dict):
                pre = pre_predictions
            else:
                pre = read_pre_predictions(pre_predictions, examples)

    records = []
    for n, ex in enumerate(examples):
        schema = bench.schema(ex.db_id)
        db_path = db_path_or_none(bench, ex.db_id)  # BIRD text-only: prompts from the schema alone
        shots: list[Example] = []
        if selector is not None:
            if config.select in ("query", "dail") and ex.id not in pre:
                raise T2SError(f"`pre_predictions` has no SQL for {ex.id}")
            shots = selector.select(
                ex, config.shots, sims=None if sims is None else sims[n], pre_sql=pre.get(ex.id)
            )
        rec = _build_one(tpl, config, opts, bench, ex, schema, db_path, shots, tokenizer)
        rec["config"] = cdict
        rec["config_hash"] = chash
        rec["tokenizer"] = counted_by  # which tokenizer counted n_tokens
        records.append(rec)
        if progress is not None:
            progress(1)
    return records


def _build_one(tpl, config, opts, bench, ex, schema, db_path, shots, tokenizer) -> dict:
    cue = ("\n" + tpl["response_prefix"]) if config.select_cue and tpl["response_prefix"] else ""
    shot_texts = [
        format_example(
            tpl,
            config.org,
            s,
            opts,
            bench.schema(s.db_id) if config.org == "full" else None,
            db_path_or_none(bench, s.db_id) if config.org == "full" else None,
        )
        for s in shots
    ]
    tables = schema.table_names

    def render(k: int, tables: list[str]) -> tuple[list[dict], str, int]:
        target = render_question(tpl, schema, db_path, ex.question, opts, tables=tables, evidence=ex.evidence)
        messages = chat_messages(config, assemble(tpl, config.org, shot_texts[:k], target) + cue)
        text = render_chat(tokenizer, messages)
        return messages, text, count_tokens(tokenizer, text)

    fit = fit_budget(render, len(shot_texts), tables, config.max_tokens, ex.question, schema, db_path)
    return {
        "id": ex.id,
        "db_id": ex.db_id,
        "question": ex.question,
        "evidence": ex.evidence,
        "messages": fit.messages,
        "prompt": fit.text,
        "gold": ex.query,
        "n_tokens": fit.n_tokens,
        "shots": [{"db_id": s.db_id, "question": s.question, "query": s.query} for s in shots[: fit.k]],
        "shots_dropped": len(shots) - fit.k,
        "pruned_tables": fit.pruned,
        "over_budget": config.max_tokens is not None and fit.n_tokens > config.max_tokens,
        "response_prefix": "SELECT" if cue else "",
    }


def assistant_answer(record: dict, sql: str) -> str | None:
    """The assistant turn for `sql` under this record's prompt: without the cue's SELECT when one is used."""
    prefix = record.get("response_prefix", "")
    if not prefix:
        return sql.strip()
    s = sql.strip()
    if not s.upper().startswith(prefix.upper()):
        return None
    return s[len(prefix) :].lstrip()


def summary(records: list[dict]) -> dict:
    toks = [r["n_tokens"] for r in records] or [0]
    return {
        "count": len(records),
        "mean_tokens": round(sum(toks) / len(toks), 1),
        "max_tokens": max(toks),
        "shots_dropped": sum(r["shots_dropped"] for r in records),
        "prompts_pruned": sum(1 for r in records if r["pruned_tables"]),
        "over_budget": sum(1 for r in records if r["over_budget"]),
        "tokenizer": ", ".join(sorted({str(r.get("tokenizer")) for r in records if r.get("tokenizer")})) or None,
    }
