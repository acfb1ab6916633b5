"""Write a database schema (and a question) as text, in one of the DAIL-SQL representations.

The wording lives in editable TOML templates under `prompts/` (shipped inside the package as
`text2sql/prompts`); this module only fills them in from a `Schema` and the SQLite file.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from text2sql.data.schema import Schema
from text2sql.errors import T2SError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib

REPRESENTATIONS = ("basic", "text", "openai", "code", "alpaca")


def templates_dir() -> Path:
    return Path(str(resources.files("text2sql") / "prompts"))


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


@lru_cache(maxsize=256)
def original_ddl(db_path: str) -> tuple[str, ...]:
    """The database's own CREATE TABLE statements, as DAIL's `get_sql_for_database` reads them."""
    from text2sql.eval.executor import connect_readonly

    con = connect_readonly(db_path)
    try:
        rows = con.execute("SELECT sql FROM sqlite_master WHERE type='table' AND sql IS NOT NULL").fetchall()
    except sqlite3.Error as e:
        raise T2SError(f"cannot read DDL of {db_path}: {e}") from None
    finally:
        con.close()
    return tuple(r[0].strip() for r in rows)


@lru_cache(maxsize=512)
def sample_rows(db_path: str, table: str, n: int) -> tuple[tuple[str, ...], tuple[tuple, ...]]:
    from text2sql.eval.executor import connect_readonly

    con = connect_readonly(db_path)
    try:
        cur = con.execute(f"SELECT * FROM {_q(table)} LIMIT {int(n)}")
        return tuple(d[0] for d in cur.description), tuple(cur.fetchall())
    except sqlite3.Error:
        return (), ()
    finally:
        con.close()


@lru_cache(maxsize=256)
def distinct_values(db_path: str, table: str, column: str, limit: int) -> tuple[str, ...]:
    """Distinct non-empty text values of a column (also what schema linking matches against)."""
    from text2sql.eval.executor import connect_readonly

    con = connect_readonly(db_path)
    try:
        rows = con.execute(
            f"SELECT DISTINCT {_q(column)} FROM {_q(table)} WHERE typeof({_q(column)}) = 'text' "
            f"AND {_q(column)} != '' LIMIT {int(limit)}"
        ).fetchall()
    except sqlite3.Error:
        return ()
    finally:
        con.close()
    return tuple(str(r[0]) for r in rows)


# -- DDL ------------------------------------------------------------------------------------------

_FK_LINE = re.compile(r"^\s*(CONSTRAINT\s+\S+\s+)?FOREIGN\s+KEY\b", re.IGNORECASE)
_REFERENCES = re.compile(r"\s+REFERENCES\s+\S+\s*(\([^)]*\))?", re.IGNORECASE)


def strip_foreign_keys(ddl: str) -> str:
    """Remove FOREIGN KEY clauses and inline REFERENCES from one CREATE TABLE, keeping its layout."""
    lines = [ln for ln in ddl.splitlines() if not _FK_LINE.match(ln)]
    text = "\n".join(_REFERENCES.sub("", ln) for ln in lines)
    return re.sub(r",(\s*)\)(\s*;?\s*)$", r"\1)\2", text)  # a comma left before the closing parenthesis


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
