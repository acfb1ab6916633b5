"""The report as Markdown (`report.md`), every cell literal."""

from __future__ import annotations

import html
import re

from text2sql.report.tables import report_tables, scope, statistics_lines

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*|~"})
# `_` inside snake_case cannot emphasise, and brackets make a link only as `](`, `][` or `]:`; escaping
# just those keeps the file readable as text ("EX [95% CI]", paths) and still literal when rendered.
_MD_CONTEXTUAL = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\](?=[(\[:])|!(?=\[)")


def md(text) -> str:
    """Text as literal Markdown: HTML-escaped (a `<script>` in a name stays text) and its markup escaped."""
    text = " ".join(str(text).split())  # a newline would end a table row
    return _MD_CONTEXTUAL.sub(
        lambda m: "\\" + m.group(), html.escape(text, quote=False).translate(_MD_SPECIAL)
    )


def to_markdown(data: dict) -> str:
    lines = [
        "# t2s report",
        "",
        f"{len(data['arms'])} arm(s) on {md(scope(data))}; baseline {md(data['baseline'])}.",
        "",
    ]
    lines += [f"- {md(line)}" for line in statistics_lines(data)] + [""]
    for title, head, rows in report_tables(data):
        lines += [f"## {md(title)}", "", "| " + " | ".join(map(md, head)) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows] + [""]
    lines += ["Figures: see report.html.", ""]
    return "\n".join(lines)
