"""Turn a model's free-form answer into one SQL statement.

Models wrap SQL in Markdown fences, add prose around it, or (with DAIL-SQL prompts that end in
`SELECT`) answer only the continuation. Scoring the raw text would count formatting as wrong SQL.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
_SPECIAL = re.compile(r"<\|[^|>]*\|>")  # ChatML and friends: <|im_end|>, <|endoftext|>
_LEAD = re.compile(r"^\s*(?:sql|sqlite|answer|query)\s*:\s*", re.IGNORECASE)
_START = re.compile(r"\b(SELECT|WITH)\b", re.IGNORECASE)


def _first_statement(sql: str) -> str:
    """Cut at the first `;` outside a string literal: later statements are chatter or a second query."""
    quote = None
    for i, ch in enumerate(sql):
        if quote:
            if ch == quote:
                quote = None
        elif ch in "'\"`":
            quote = ch
        elif ch == ";":
            return sql[:i]
    return sql


def extract_sql(text: str, response_prefix: str | None = None) -> str:
    """The SQL in `text`, a model's completion.

    `response_prefix` is what the prompt already said on the model's behalf (DAIL's trailing
    `SELECT`): it is put back in front unless the model repeated it.
    """
    text = _SPECIAL.split(text, maxsplit=1)[0]
    fences = _FENCE.findall(text)
    if fences:
        tagged = [body for lang, body in fences if lang.lower() in ("sql", "sqlite")]
        text = (tagged or [body for _, body in fences])[0]
    text = _LEAD.sub("", text.strip())
    if response_prefix:
        prefix = response_prefix.strip()
        if not text.upper().startswith(prefix.upper()):
            text = f"{prefix} {text}"
    elif not _START.match(text):  # prose first: start at the first SELECT/WITH if there is one
        m = _START.search(text)
        if m:
            text = text[m.start() :]
    sql = _first_statement(text)
    return " ".join(sql.split())
