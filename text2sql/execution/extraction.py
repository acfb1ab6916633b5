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
4. unfenced text that starts with prose: the last query sqlglot finds in it (from a
   `SELECT`/`WITH`, the longest run of whole lines that parses as one query with a FROM clause;
   an enclosing query wins over the SELECT inside it), so prose that merely contains the word
   "select" is never taken for SQL;
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
_MAX_STARTS = 256  # SELECT/WITH positions tried in a prose answer
_MAX_CUTS = 8  # parses per position
_MAX_QUERY_CHARS = 8000  # longest query looked for in prose


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


def _parse_query(sql: str, *, need_from: bool) -> tuple[bool, tuple[int, int] | None]:
    """(parses as exactly one query, (line, col) of the parse error when sqlglot gives one).

    A query is a SELECT, WITH … or compound SELECT; `need_from` also asks for a FROM clause.
    """
    import sqlglot
    from sqlglot import exp

    try:
        statements = [s for s in sqlglot.parse(sql, read="sqlite") if s is not None]
    except sqlglot.errors.ParseError as e:
        where = e.errors[0] if e.errors else {}
        line, col = where.get("line"), where.get("col")
        return False, (line, col) if isinstance(line, int) and isinstance(col, int) else None
    except Exception:  # TokenError (an unclosed quote) and, on odd input, others
        return False, None
    if len(statements) != 1 or not isinstance(statements[0], exp.Query):
        return False, None
    return (not need_from or statements[0].find(exp.From) is not None), None


def _parses_as_query(sql: str, *, need_from: bool) -> bool:
    return _parse_query(sql, need_from=need_from)[0]


def _query_at(rest: str) -> str | None:
    """The longest run of whole lines from the start of `rest` that sqlglot parses as a query.

    The window grows by doubling its line count while sqlglot fails only at the window's end (a
    prefix of a query fails there); an error inside the window bounds the query to the lines
    before it. So prose costs one short parse per SELECT word, a query a few.
    """
    lines = rest[:_MAX_QUERY_CHARS].split("\n")
    best: str | None = None
    k, limit = 1, len(lines)  # the query, if any, lies within lines[:limit]
    while True:
        window = "\n".join(lines[:k]).rstrip()
        ok, where = _parse_query(window, need_from=True)
        if ok:
            best = window
        elif where is not None:
            line, col = where
            last = window.split("\n")[-1]
            if line < k or (line == k and col < len(last)):  # fails inside: the query ends before
                limit = line - 1
                break
        if k >= limit:
            break
        k = min(2 * k, limit)
    for _ in range(_MAX_CUTS):  # the longest run within lines[:limit], if longer than `best`
        if limit <= 0 or (best is not None and limit <= best.count("\n") + 1):
            break
        window = "\n".join(lines[:limit]).rstrip()
        ok, where = _parse_query(window, need_from=True)
        if ok:
            return window.strip()
        limit = where[0] - 1 if where is not None and where[0] <= limit else limit - 1
    return best.strip() if best else None


def _query_in_prose(text: str) -> str | None:
    """The last query embedded in prose (reasoning first, answer last, like fenced blocks).

    Starts are the SELECT/WITH words, tried from the end; once a query is found, earlier starts
    close enough to contain it are tried too, so the SELECT after a WITH or inside a subquery
    never stands for the whole query.
    """
    starts = [m.start() for m in _START.finditer(text)][-_MAX_STARTS:]
    found: str | None = None
    found_at = len(text)
    for pos in reversed(starts):
        if found is not None and found_at - pos > _MAX_QUERY_CHARS:
            break
        query = _query_at(_first_statement(text[pos : pos + _MAX_QUERY_CHARS]))
        if query is not None and (found is None or pos + len(query) > found_at):
            found, found_at = query, pos
    return found


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
    prefix = (response_prefix or "").strip()
    if prefix and not text.upper().startswith(prefix.upper()):
        # the cue is put back only where the answer continues it (`name FROM t`): a model that ignored
        # it and wrote prose, or another statement, must not become `SELECT The answer is ...`
        continued = f"{prefix} {text}"
        if _parses_as_query(_first_statement(continued).strip(), need_from=False):
            text = continued
    if not _START.match(text):  # prose first: a query only where sqlglot finds one
        found = _query_in_prose(text)
        if found is not None:
            text = found
    sql = _first_statement(text)
    return " ".join(sql.split())


def extract_sql(text: str, response_prefix: str | None = None) -> str:
    """The SQL in `text`, a model's completion; deterministic, never raises.

    `response_prefix` is what the prompt already said on the model's behalf (DAIL's trailing
    `SELECT`): it is put back in front where the answer continues it (not where the model repeated it,
    wrote prose, or wrote another statement).
    """
    if not isinstance(text, str):
        return ""
    try:
        return _extract(text, response_prefix)
    except Exception:  # a bug here must not end an evaluation: fall back to the plain text
        return " ".join(_first_statement(text).split())
