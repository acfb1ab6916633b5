"""Turn a model's free-form answer into one SQL statement.

Models wrap SQL in Markdown fences, add prose around it, think aloud first (`<think>…</think>`,
DeepSeek-R1 distills, QwQ), write a draft query before the final one (OmniSQL), or (with DAIL-SQL
prompts that end in `SELECT`) answer only the continuation. Scoring the raw text would count
formatting as wrong SQL; scoring the first query would score the draft.

Rules, in order (eval, predict, voting and RL rewards all call `extract_sql`, so they agree):
1. cut at the first chat special token (`<|im_end|>`, `<|endoftext|>`);
2. drop the reasoning: everything up to the last `</think>` (an opening `<think>` may be missing,
   as when the chat template put it in the prompt); a `<think>` never closed leaves only the text
   before it (the model ran out of tokens before answering);
3. the LAST fenced block tagged `sql`/`sqlite` wins; without tagged blocks, the last untagged block
   that sqlglot parses as a query (else the last untagged block);
4. unfenced text that starts with prose: the first `SELECT`/`WITH` from which sqlglot parses a
   query with a FROM clause (the longest such run of whole lines), so prose that merely contains
   the word "select" is never taken for SQL;
5. keep the first statement only (the first `;` outside string literals ends it).
The function is pure and never raises: whatever the model wrote, a string comes back.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[ \t]*\n?(.*?)(?:```|$)", re.DOTALL)
_SPECIAL = re.compile(r"<\|[^|>]*\|>")  # ChatML and friends: <|im_end|>, <|endoftext|>
_LEAD = re.compile(r"^\s*(?:sql|sqlite|answer|query)\s*:\s*", re.IGNORECASE)
_START = re.compile(r"\b(SELECT|WITH)\b", re.IGNORECASE)
_THINK_OPEN, _THINK_CLOSE = "<think>", "</think>"
_MAX_STARTS = 64  # SELECT/WITH positions tried in a prose answer
_MAX_CUTS = 40  # line cuts tried per position


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


def _strip_reasoning(text: str) -> str:
    low = text.lower()
    close = low.rfind(_THINK_CLOSE)
    if close >= 0:
        return text[close + len(_THINK_CLOSE) :]
    opened = low.find(_THINK_OPEN)
    return text[:opened] if opened >= 0 else text


def _parses_as_query(sql: str, *, need_from: bool) -> bool:
    """True when sqlglot reads `sql` as exactly one query (SELECT, WITH …, UNION …)."""
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except Exception:  # sqlglot raises ParseError, TokenError and, on odd input, others
        return False
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        return False
    return not need_from or statements[0].find(exp.From) is not None


def _query_in_prose(text: str) -> str | None:
    """The first query embedded in prose: from a SELECT/WITH, the longest run of lines that parses."""
    for n, m in enumerate(_START.finditer(text)):
        if n >= _MAX_STARTS:
            break
        rest = _first_statement(text[m.start() :])
        cuts = [len(rest)] + [i for i in range(len(rest) - 1, 0, -1) if rest[i] == "\n"][:_MAX_CUTS]
        for cut in cuts:
            candidate = rest[:cut].strip()
            if candidate and _parses_as_query(candidate, need_from=True):
                return candidate
    return None


def _choose_fence(fences: list[tuple[str, str]]) -> str:
    tagged = [body for lang, body in fences if lang.lower() in ("sql", "sqlite")]
    if tagged:
        return tagged[-1]
    bodies = [body for _, body in fences]
    parsed = [b for b in bodies if _parses_as_query(_first_statement(b).strip(), need_from=False)]
    return (parsed or bodies)[-1]


def _extract(text: str, response_prefix: str | None) -> str:
    text = _SPECIAL.split(text, maxsplit=1)[0]
    text = _strip_reasoning(text)
    fences = _FENCE.findall(text)
    if fences:
        text = _choose_fence(fences)
    text = _LEAD.sub("", text.strip())
    if response_prefix:
        prefix = response_prefix.strip()
        if not text.upper().startswith(prefix.upper()):
            text = f"{prefix} {text}"
    elif not _START.match(text):  # prose first: a query only where sqlglot finds one
        found = _query_in_prose(text)
        if found is not None:
            text = found
    sql = _first_statement(text)
    return " ".join(sql.split())


def extract_sql(text: str, response_prefix: str | None = None) -> str:
    """The SQL in `text`, a model's completion; deterministic, never raises.

    `response_prefix` is what the prompt already said on the model's behalf (DAIL's trailing
    `SELECT`): it is put back in front unless the model repeated it.
    """
    if not isinstance(text, str):
        return ""
    try:
        return _extract(text, response_prefix)
    except Exception:  # a bug here must not end an evaluation: fall back to the plain text
        return " ".join(_first_statement(text).split())
