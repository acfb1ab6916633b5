"""CREATE TABLE text for the `code` representation: the database's own statements with foreign keys
stripped on request, or statements regenerated from the `Schema`."""

from __future__ import annotations

import re

from text2sql.data.schema import Schema


def quote_name(name: str) -> str:
    """A table or column name as a double-quoted SQLite identifier."""
    return '"' + name.replace('"', '""') + '"'


# Tokens that start another column constraint: an inline `REFERENCES ...` clause ends before them.
_COLUMN_CONSTRAINTS = {"CONSTRAINT", "PRIMARY_KEY", "NOT", "NULL", "UNIQUE", "CHECK", "DEFAULT", "COLLATE"}
_COLUMN_CONSTRAINTS |= {"GENERATED", "AS", "ALIAS"}
# Tokens that start a table constraint: a `FOREIGN KEY ...` clause ends before them (SQLite lets
# table constraints follow each other without a comma).
_TABLE_CONSTRAINTS = {"CONSTRAINT", "PRIMARY_KEY", "UNIQUE", "CHECK", "FOREIGN_KEY"}


def _table_items(tokens) -> list[tuple[list, object, object]]:
    """The comma-separated items of a CREATE TABLE body: (tokens, separator before, token after)."""
    depth, items, current, before = 0, [], [], None
    for tok in tokens:
        kind = tok.token_type.name
        if kind == "L_PAREN":
            depth += 1
            if depth == 1:
                continue
        elif kind == "R_PAREN":
            depth -= 1
            if depth == 0:
                items.append((current, before, tok))
                break
        if depth == 1 and kind == "COMMA":
            items.append((current, before, tok))
            current, before = [], tok
        elif depth >= 1:
            current.append(tok)
    return [it for it in items if it[0]]


def _clause_end(kinds: list[str], i: int, stops: set[str]) -> int:
    """Index just past the clause that starts at `i`: the next top-level token in `stops` (or the end)."""
    j, level = i + 1, 0
    while j < len(kinds):
        level += kinds[j] == "L_PAREN"
        level -= kinds[j] == "R_PAREN"
        if (
            level == 0
            and kinds[j] in stops
            and not (kinds[j] == "NOT" and kinds[j + 1 : j + 2] == ["DEFERRABLE"])
        ):
            break
        j += 1
    return j


def _fk_cuts(ddl: str) -> list[tuple[int, int]] | None:
    """Character spans [start, end) of the foreign-key parts of one CREATE TABLE, found by sqlglot's tokenizer.

    Whole `[CONSTRAINT name] FOREIGN KEY (...) REFERENCES ...` items go with one separating comma
    (and any comments up to the next item); inline `[CONSTRAINT name] REFERENCES t(c) [ON ...]`
    clauses go up to the next column constraint. None when the text does not tokenize as SQLite.
    """
    from sqlglot import Dialect
    from sqlglot.errors import TokenError

    try:
        tokens = Dialect.get_or_raise("sqlite").tokenize(ddl)
    except TokenError:
        return None
    cuts = []
    for item, before, after in _table_items(tokens):
        kinds = [t.token_type.name for t in item]
        # where the item's text really ends: comments after its last token belong to it
        tail = max(item[-1].end + 1, ddl.rfind("\n", item[-1].end + 1, after.start))
        if kinds[0] in _TABLE_CONSTRAINTS:
            # one or more table constraints (SQLite accepts them without commas between)
            clauses, i = [], 0
            while i < len(kinds):
                j = _clause_end(kinds, i + 2 if kinds[i] == "CONSTRAINT" else i, _TABLE_CONSTRAINTS)
                clauses.append((i, j))
                i = j
            is_fk = ["FOREIGN_KEY" in kinds[a : a + 3] for a, _ in clauses]
            if all(is_fk):
                if before is not None:  # with the comma before it
                    cuts.append((before.start, tail))
                elif after.token_type.name == "COMMA":  # the first item: with the comma after it
                    cuts.append((item[0].start, after.end + 1))
                continue
            for (a, b), fk in zip(clauses, is_fk, strict=True):
                if fk:
                    start = item[a - 1].end + 1 if a > 0 else item[a].start
                    end = tail if b == len(kinds) else (item[b].start if a == 0 else item[b - 1].end + 1)
                    cuts.append((start, end))
            continue
        level, i = 0, 0
        while i < len(item):  # a column definition: drop its inline REFERENCES clause
            kind = kinds[i]
            level += kind == "L_PAREN"
            level -= kind == "R_PAREN"
            if level == 0 and kind == "REFERENCES":
                begin = i - 2 if i >= 2 and kinds[i - 2] == "CONSTRAINT" else i
                j = _clause_end(kinds, i, _COLUMN_CONSTRAINTS)
                start = item[begin - 1].end + 1 if begin > 0 else item[begin].start
                cuts.append((start, tail if j == len(kinds) else item[j - 1].end + 1))
                i = j
                continue
            i += 1
    return cuts


def _fk_nodes(tree) -> list:
    from sqlglot import exp

    return list(tree.find_all(exp.ForeignKey, exp.Reference))


def strip_foreign_keys(ddl: str) -> str:
    """Remove FOREIGN KEY constraints and inline REFERENCES from one CREATE TABLE, keeping its layout.

    The spans come from sqlglot's SQLite tokenizer (commas, parentheses and keywords, wherever the
    line breaks fall); the result is checked by parsing it. If the check fails, the statement is
    regenerated from sqlglot's syntax tree with the foreign-key nodes removed instead.
    """
    import sqlglot
    from sqlglot.errors import SqlglotError

    cuts = _fk_cuts(ddl)
    if cuts:
        text, last = [], 0
        for a, b in sorted(cuts):
            text.append(ddl[last:a])
            last = max(last, b)
        text.append(ddl[last:])
        out = "".join(text)
        out = "\n".join(ln for ln in out.splitlines() if ln.strip()) if "\n" in out else out
    else:
        out = ddl
    try:
        if not _fk_nodes(sqlglot.parse_one(out, read="sqlite")):
            return out
        tree = sqlglot.parse_one(ddl, read="sqlite")
    except SqlglotError:
        return out
    for node in _fk_nodes(tree):
        node.pop()
    return tree.sql(dialect="sqlite", pretty=True)


def normalized_ddl(schema: Schema, tables: list[str], fk: bool) -> list[str]:
    """CREATE TABLE statements regenerated from the `Schema`, with primary and foreign keys."""
    out = []
    for t in schema.tables:
        if t.name not in tables:
            continue
        lines = [f"  {quote_name(c.name)} {c.type}" for c in t.columns]
        if t.primary_key:
            lines.append(f"  PRIMARY KEY ({', '.join(quote_name(c) for c in t.primary_key)})")
        if fk:
            for f in schema.foreign_keys:
                if f.table == t.name and f.ref_table in tables:
                    lines.append(
                        f"  FOREIGN KEY ({quote_name(f.column)}) REFERENCES {quote_name(f.ref_table)}({quote_name(f.ref_column)})"
                    )
        out.append(f"CREATE TABLE {quote_name(t.name)} (\n" + ",\n".join(lines) + "\n)")
    return out


_CREATE_NAME = re.compile(
    r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"'`\[]?([^\s\"'`\](]+)", re.IGNORECASE
)


def ddl_table(ddl: str) -> str:
    m = _CREATE_NAME.search(ddl)
    return m.group(1).lower() if m else ""
