"""Write a database schema (and a question) as text, in one of the DAIL-SQL representations.

The wording lives in editable TOML templates under `text2sql/prompts/templates/` (see
`prompts/README.md`); this module only fills them in from a `Schema` and the SQLite file.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.data.schema import Schema

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPRESENTATIONS = ("basic", "text", "openai", "code", "alpaca")


def templates_dir() -> Path:
    return Path(str(resources.files("text2sql.prompts") / "templates"))


@dataclass(frozen=True)
class Template:
    name: str
    path: Path
    source: str  # raw file text: hashed into the prompt configuration
    fields: dict

    def __getitem__(self, key: str):
        return self.fields.get(key, "")


@lru_cache(maxsize=64)
def load_template(name_or_path: str) -> Template:
    """A bundled representation by name (`code`, ...) or a user's own `.toml` file."""
    path = Path(name_or_path)
    if path.suffix != ".toml":
        path = templates_dir() / f"{name_or_path}.toml"
        if not path.exists():
            raise T2SError(
                f"unknown representation {name_or_path!r}: use one of {', '.join(REPRESENTATIONS)} "
                "or the path of a .toml template"
            )
    try:
        source = path.read_text(encoding="utf-8")
        fields = tomllib.loads(source)
    except OSError as e:
        raise T2SError(f"cannot read template {path}: {e.strerror}") from None
    except tomllib.TOMLDecodeError as e:
        raise T2SError(f"template {path} is not valid TOML: {e}") from None
    if "layout" not in fields or "question" not in fields:
        raise T2SError(f"template {path} needs at least `layout` and `question`")
    return Template(name=path.stem, path=path, source=source, fields=fields)


# -- database contents --------------------------------------------------------------------------


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


CONTENT_TIMEOUT = 5.0  # seconds per content query (sample rows, distinct values) of a prompt
_content_executor = None
content_skipped: set[tuple[str, str, str]] = set()  # (database, table, column or "*") given up on
_slow_tables: set[tuple[str, str]] = set()


def _executor():
    """The executor content queries run through: read-only, authorizer, deadline, limits, like
    predictions, since a view in the schema can be as hostile as a prediction."""
    global _content_executor
    if _content_executor is None:
        from text2sql.execution.executor import Executor

        _content_executor = Executor(timeout=CONTENT_TIMEOUT, max_rows=10_000, max_connections=16)
    return _content_executor


def _content(db_path: str, table: str, column: str, sql: str):
    """Rows of a content query, or None when it failed; a timeout skips the table's other columns
    too (a slow view is slow for every column) and is counted and reported once per table."""
    from text2sql.execution.executor import RESOURCE_LIMIT, TIMEOUT

    if (db_path, table) in _slow_tables:
        content_skipped.add((db_path, table, column))
        return None
    res = _executor().execute(db_path, sql)
    if res.ok:
        return res
    if res.error in (TIMEOUT, RESOURCE_LIMIT):
        _slow_tables.add((db_path, table))
        content_skipped.add((db_path, table, column))
        print(
            f"warning: skipping the contents of {table!r} in {db_path}: {res.error} after "
            f"{res.seconds:.1f} s ({res.message}); the prompt shows its schema only",
            file=sys.stderr,
        )
    return None


@lru_cache(maxsize=256)
def original_ddl(db_path: str) -> tuple[str, ...]:
    """The database's own CREATE TABLE statements, as DAIL's `get_sql_for_database` reads them."""
    res = _executor().execute(db_path, "SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL")
    if not res.ok:
        raise T2SError(f"cannot read DDL of {db_path}: {res.message}")
    return tuple(r[0].strip() for r in res.rows)


@lru_cache(maxsize=512)
def sample_rows(db_path: str, table: str, n: int) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    res = _content(db_path, table, "*", f"SELECT * FROM {_q(table)} LIMIT {int(n)}")
    if res is None:
        return (), ()
    return tuple(res.columns or ()), tuple(res.rows)


@lru_cache(maxsize=256)
def distinct_values(db_path: str, table: str, column: str, limit: int) -> tuple[str, ...]:
    """Distinct non-empty text values of a column (also what schema linking matches against)."""
    res = _content(
        db_path,
        table,
        column,
        f"SELECT DISTINCT {_q(column)} FROM {_q(table)} WHERE typeof({_q(column)}) = 'text' "
        f"AND {_q(column)} != '' LIMIT {int(limit)}",
    )
    return () if res is None else tuple(str(r[0]) for r in res.rows)


# -- DDL ------------------------------------------------------------------------------------------

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
        lines = [f"  {_q(c.name)} {c.type}" for c in t.columns]
        if t.primary_key:
            lines.append(f"  PRIMARY KEY ({', '.join(_q(c) for c in t.primary_key)})")
        if fk:
            for f in schema.foreign_keys:
                if f.table == t.name and f.ref_table in tables:
                    lines.append(
                        f"  FOREIGN KEY ({_q(f.column)}) REFERENCES {_q(f.ref_table)}({_q(f.ref_column)})"
                    )
        out.append(f"CREATE TABLE {_q(t.name)} (\n" + ",\n".join(lines) + "\n)")
    return out


_CREATE_NAME = re.compile(
    r"CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?[\"'`\[]?([^\s\"'`\](]+)", re.IGNORECASE
)


def _ddl_table(ddl: str) -> str:
    m = _CREATE_NAME.search(ddl)
    return m.group(1).lower() if m else ""


# -- rendering ------------------------------------------------------------------------------------


@dataclass
class SchemaOptions:
    fk: bool = True
    rule: bool = True
    rows: int = 0
    values: int = 0
    ddl: str = "original"  # for `code`: "original" | "normalized"


def render_schema(
    tpl: Template, schema: Schema, db_path: Path | None, tables: list[str], opts: SchemaOptions
) -> tuple[str, str]:
    """(schema text, foreign-key text) for the chosen tables."""
    if tpl.name == "code" or "table" not in tpl.fields:
        if opts.ddl == "normalized" or db_path is None:
            parts = normalized_ddl(schema, tables, opts.fk)
        else:
            wanted = {t.lower() for t in tables}
            parts = [d for d in original_ddl(str(db_path)) if _ddl_table(d) in wanted]
            if not opts.fk:
                parts = [strip_foreign_keys(d) for d in parts]
        return tpl["table_sep"].join(parts), ""
    lines = [
        tpl["table"].format(table=t.name, columns=tpl["column_sep"].join(c.name for c in t.columns))
        for t in schema.tables
        if t.name in tables
    ]
    fks = ""
    if opts.fk:
        items = [
            tpl["foreign_key"].format(
                table=f.table, column=f.column, ref_table=f.ref_table, ref_column=f.ref_column
            )
            for f in schema.foreign_keys
            if f.table in tables and f.ref_table in tables
        ]
        if items:
            fks = tpl["foreign_keys"].format(foreign_keys=tpl["foreign_key_sep"].join(items))
    return tpl["table_sep"].join(lines), fks


def render_extra(
    tpl: Template,
    schema: Schema,
    db_path: Path | None,
    tables: list[str],
    opts: SchemaOptions,
    evidence: str | None,
) -> str:
    """Sample rows, distinct values and BIRD evidence: DAIL's "extra info" slot before the question."""
    parts = []
    if db_path is not None and opts.rows > 0:
        for t in schema.tables:
            if t.name not in tables:
                continue
            cols, rows = sample_rows(str(db_path), t.name, opts.rows)
            if not cols:
                continue
            body = "\n".join(["\t".join(cols)] + ["\t".join(str(v) for v in r) for r in rows])
            parts.append(
                tpl["comment"].format(text=f"{len(rows)} example rows from table {t.name}:") + "\n" + body
            )
    if db_path is not None and opts.values > 0:
        lines = []
        for t in schema.tables:
            if t.name not in tables:
                continue
            for c in t.columns:
                if c.type != "text":
                    continue
                vals = distinct_values(str(db_path), t.name, c.name, opts.values)
                if vals:
                    lines.append(
                        tpl["comment"].format(text=f"values of {t.name}.{c.name}: {', '.join(vals)}")
                    )
        if lines:
            parts.append("\n".join(lines))
    if evidence:
        parts.append(tpl["evidence"].format(text=evidence))
    return "\n".join(parts)


def render_question(
    tpl: Template,
    schema: Schema,
    db_path: Path | None,
    question: str,
    opts: SchemaOptions,
    *,
    tables: list[str] | None = None,
    evidence: str | None = None,
) -> str:
    """The whole single-question prompt (schema, extras, question), without the completion cue."""
    tables = schema.table_names if tables is None else tables
    schema_text, fk_text = render_schema(tpl, schema, db_path, tables, opts)
    rule = tpl["rule"] if opts.rule else ""
    question_text = tpl["question"].format(question=question, rule=rule)
    values = {
        "schema": schema_text,
        "foreign_keys": fk_text,
        "extra": render_extra(tpl, schema, db_path, tables, opts, evidence),
        "question": question_text,
        "question_text": question,
        "rule": rule,
    }
    parts = []
    for part in tpl["layout"]:
        placeholders = re.findall(r"\{(\w+)\}", part)
        if placeholders and all(not values.get(p) for p in placeholders if p not in ("rule",)):
            continue  # an optional block with nothing in it
        parts.append(part.format(**values))
    return tpl["layout_sep"].join(parts)
