"""Schema linking by n-gram matching: which tables, columns and cell values a question mentions.

Used to mask questions for example selection (DAIL's "masked question") and to decide which
tables the token budget may prune. Deliberately simple and exact: n-grams of the question are
matched against table/column names (stored and natural-language forms) and distinct cell values.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from text2sql.data.schema import Schema

MAX_N = 4
_WORD = re.compile(r"\w+|[^\w\s]")
_STOP = {
    "the",
    "a",
    "an",
    "of",
    "in",
    "on",
    "for",
    "to",
    "and",
    "or",
    "is",
    "are",
    "what",
    "which",
    "with",
    "by",
}
VALUES_PER_COLUMN = 300


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def _norm(text: str) -> str:
    return " ".join(w.lower() for w in words(text))


def _singular(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    return w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w


@dataclass
class Linking:
    tables: set[str] = field(default_factory=set)
    columns: set[tuple[str, str]] = field(default_factory=set)  # (table, column)
    # token spans of the question: (start, end, "schema" | "value")
    spans: list[tuple[int, int, str]] = field(default_factory=list)


_NAME_CACHE: dict[tuple[str, int], dict] = {}
_VALUE_CACHE: dict[tuple[str, str, int], dict] = {}


def _name_index(schema: Schema) -> dict[str, set[tuple[str, str | None]]]:
    """Normalised name phrase -> {(table, column|None)}; singular forms too ("singers" ~ "singer")."""
    cached = _NAME_CACHE.get((schema.db_id, id(schema)))
    if cached is not None:
        return cached
    index: dict[str, set[tuple[str, str | None]]] = {}

    def add(phrase: str, item: tuple[str, str | None]) -> None:
        for form in {_norm(phrase), " ".join(_singular(w) for w in _norm(phrase).split())}:
            if form and form not in _STOP:
                index.setdefault(form, set()).add(item)

    for t in schema.tables:
        add(t.name.replace("_", " "), (t.name, None))
        add(t.nl_name, (t.name, None))
        for c in t.columns:
            add(c.name.replace("_", " "), (t.name, c.name))
            add(c.nl_name, (t.name, c.name))
    _NAME_CACHE[(schema.db_id, id(schema))] = index
    return index


def _value_index(db_path: str, schema: Schema) -> dict[str, set[tuple[str, str]]]:
    from text2sql.prompts.contents import distinct_values

    cached = _VALUE_CACHE.get((db_path, schema.db_id, id(schema)))
    if cached is not None:
        return cached
    index: dict[str, set[tuple[str, str]]] = {}
    for t in schema.tables:
        for c in t.columns:
            if c.type != "text":
                continue
            for v in distinct_values(db_path, t.name, c.name, VALUES_PER_COLUMN):
                key = _norm(v)
                if key and len(key) <= 60 and key.count(" ") < MAX_N and key not in _STOP:
                    index.setdefault(key, set()).add((t.name, c.name))
    _VALUE_CACHE[(db_path, schema.db_id, id(schema))] = index
    return index


def link(question: str, schema: Schema, db_path: Path | str | None = None) -> Linking:
    """Greedy longest-match linking; values win over names only where no name matches."""
    toks = [w.lower() for w in words(question)]
    names = _name_index(schema)
    values = _value_index(str(db_path), schema) if db_path else {}
    out = Linking()
    i = 0
    while i < len(toks):
        matched = False
        for n in range(min(MAX_N, len(toks) - i), 0, -1):
            gram = " ".join(toks[i : i + n])
            sing = " ".join(_singular(w) for w in toks[i : i + n])
            hit = names.get(gram) or names.get(sing)
            kind = "schema"
            if not hit and gram in values:
                hit, kind = values[gram], "value"
            if hit:
                for table, column in hit:
                    out.tables.add(table)
                    if column:
                        out.columns.add((table, column))
                out.spans.append((i, i + n, kind))
                i += n
                matched = True
                break
        if not matched:
            if re.fullmatch(r"\d+(\.\d+)?", toks[i]):  # numbers are values whatever the database holds
                out.spans.append((i, i + 1, "value"))
            i += 1
    return out


def mask_question(
    question: str,
    schema: Schema,
    db_path: Path | str | None = None,
    *,
    mask_token: str = "<mask>",
    value_token: str = "<unk>",
) -> str:
    """DAIL's masked question: schema words -> `mask_token`, values (and quoted text) -> `value_token`."""
    sentinel = "t2squotedvalue"
    question = re.sub(r"[\"“]([^\"”]+)[\"”]", f" {sentinel} ", question)
    toks = words(question)
    spans = {s: (e, kind) for s, e, kind in link(question, schema, db_path).spans}
    out, i = [], 0
    while i < len(toks):
        if i in spans:
            end, kind = spans[i]
            out.append(mask_token if kind == "schema" else value_token)
            i = end
        else:
            out.append(value_token if toks[i] == sentinel else toks[i])
            i += 1
    return " ".join(out)


def linked_tables_with_paths(schema: Schema, linked: set[str]) -> set[str]:
    """Linked tables plus every table on a shortest foreign-key path between two of them."""
    adj: dict[str, set[str]] = {t.name: set() for t in schema.tables}
    for f in schema.foreign_keys:
        if f.table in adj and f.ref_table in adj:
            adj[f.table].add(f.ref_table)
            adj[f.ref_table].add(f.table)
    keep = set(linked)
    targets = sorted(linked)
    for a_i, a in enumerate(targets):
        for b in targets[a_i + 1 :]:
            prev: dict[str, str | None] = {a: None}
            frontier = [a]
            while frontier and b not in prev:
                nxt = []
                for node in frontier:
                    for nb in sorted(adj.get(node, ())):
                        if nb not in prev:
                            prev[nb] = node
                            nxt.append(nb)
                frontier = nxt
            node = b if b in prev else None
            while node is not None:
                keep.add(node)
                node = prev[node]
    return keep
