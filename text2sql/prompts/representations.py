"""Write a database schema (and a question) as text, in one of the DAIL-SQL representations.

The wording lives in editable TOML templates under `text2sql/prompts/templates/` (see
`prompts/README.md`). The work is split by job: `template` (loading a template), `contents` (DDL, sample
rows and values read from the SQLite file), `ddl` (CREATE TABLE text, foreign keys stripped or regenerated)
and `rendering` (filling the template in); this module keeps the old import path for their functions (patch
settings such as `CONTENT_TIMEOUT` in `contents`, where they are read).
"""

from __future__ import annotations

from text2sql.prompts.contents import distinct_values, original_ddl, sample_rows
from text2sql.prompts.ddl import normalized_ddl, quote_name, strip_foreign_keys
from text2sql.prompts.rendering import SchemaOptions, render_extra, render_question, render_schema
from text2sql.prompts.template import REPRESENTATIONS, Template, load_template, templates_dir

__all__ = [
    "REPRESENTATIONS",
    "SchemaOptions",
    "Template",
    "distinct_values",
    "load_template",
    "normalized_ddl",
    "original_ddl",
    "quote_name",
    "render_extra",
    "render_question",
    "render_schema",
    "sample_rows",
    "strip_foreign_keys",
    "templates_dir",
]
