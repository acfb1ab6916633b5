"""Fill a representation's template from a `Schema` and the SQLite file: schema text, the extra
information before the question (sample rows, values, evidence), and the question itself."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from text2sql.data.schema import Schema
from text2sql.prompts.contents import distinct_values, original_ddl, sample_rows
from text2sql.prompts.ddl import ddl_table, normalized_ddl, strip_foreign_keys
from text2sql.prompts.template import Template


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
            parts = [d for d in original_ddl(str(db_path)) if ddl_table(d) in wanted]
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
