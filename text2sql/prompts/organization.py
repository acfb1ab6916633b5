"""How chosen examples are written into a prompt (DAIL-SQL's example organisation).

- `full`: each example in the same format as the target (its own schema, question, then SQL).
- `sql`: only the examples' SQL.
- `dail`: question + SQL pairs, no schema (DAIL-SQL's choice: most of the signal, few tokens).
"""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.data.schema import Example, Schema
from text2sql.prompts.rendering import SchemaOptions, render_question
from text2sql.prompts.template import Template

ORGANIZATIONS = ("full", "sql", "dail")


def format_example(
    tpl: Template, org: str, ex: Example, opts: SchemaOptions, schema: Schema | None, db_path: Path | None
) -> str:
    if org == "sql":
        return ex.query
    if org == "dail":
        rule = tpl["rule"] if opts.rule else ""
        return tpl["example_dail"].format(question=ex.question, query=ex.query, rule=rule)
    if org == "full":
        if schema is None:
            raise ValueError("full organisation needs the example's schema")
        return (
            render_question(tpl, schema, db_path, ex.question, opts, evidence=ex.evidence) + "\n" + ex.query
        )
    raise T2SError(f"unknown organisation {org!r}: use one of {', '.join(ORGANIZATIONS)}")


def assemble(tpl: Template, org: str, examples: list[str], target: str) -> str:
    """Examples (with the organisation's prefix) before the target, as DAIL's `BasicICLPrompt.format`."""
    if not examples:
        return target
    prefix = {"sql": tpl["example_prefix_sql"], "dail": tpl["example_prefix_dail"]}.get(org, "")
    return prefix + tpl["example_sep"].join([*examples, target])
