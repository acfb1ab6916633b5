"""The report as one self-contained HTML page (`report.html`): no external assets, figures embedded."""

from __future__ import annotations

import html

from text2sql.report.tables import report_tables, scope, statistics_lines

WRAPPING = {"model", "adapter", "decoding", "data"}  # Arms-table columns holding paths, allowed to wrap
CSS = """body{font-family:system-ui,sans-serif;margin:1.5em 2.5em;color:#222;line-height:1.4}
h1{margin-bottom:.2em}h2{margin:1.4em 0 .4em;font-size:1.2em}
.scope{color:#444;margin:.2em 0 .8em}.stats{color:#444;font-size:.92em;margin:.4em 0 1em;padding-left:1.2em}
.table{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9em;font-variant-numeric:tabular-nums}
td,th{border:1px solid #d4d4d4;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f3f3f3;font-weight:600}td:first-child,th:first-child{text-align:left}
td.wrap{white-space:normal;text-align:left;min-width:6em}
.path{color:#666;font-size:.88em}
tr:nth-child(even) td{background:#fafafa}
img{display:block;max-width:100%;height:auto;margin:.6em 0 1.2em}
.note{color:#555;font-style:italic;margin:.4em 0 1.2em}"""


def _cell(text: str, wrap: bool) -> str:
    """A table cell; a path may break after its slashes (never inside a name), other cells never break."""
    if wrap:
        return "<td class='wrap'>" + html.escape(text).replace("/", "/<wbr>") + "</td>"
    return f"<td>{html.escape(text)}</td>"


def to_html(data: dict, figs: dict[str, str | None]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>t2s report</title><style>{CSS}</style></head><body>",
        "<h1>t2s report</h1>",
        f"<p class='scope'>{len(data['arms'])} arm(s) on {e(scope(data))}; "
        f"baseline <code>{e(data['baseline'])}</code>.</p>",
        "<ul class='stats'>" + "".join(f"<li>{e(line)}</li>" for line in statistics_lines(data)) + "</ul>",
    ]
    for title, head, rows in report_tables(data):
        parts.append(
            f"<h2>{e(title)}</h2><div class='table'><table><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in (head[:-1] if head[-1] == "folder" else head))
            + "</tr>"
        )
        # paths may wrap; numbers and intervals never do
        wrap = [h in WRAPPING for h in head]
        for r in rows:
            cells = [_cell(c, w) for c, w in zip(r, wrap, strict=True)]
            if head[-1] == "folder":  # the folder goes under the arm's name, where the column has room
                cells = [f"<td>{e(r[0])}<br><span class='path'>{e(r[-1])}</span></td>"] + cells[1:-1]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table></div>")
    missing_tokens = [a["name"] for a in data["arms"] if a["mean_tokens"] is None]
    empty = {
        "ex_vs_tokens": "no arm records prompt tokens (runs scored from a predictions file): nothing to plot",
        "errors": "no wrong answers",
    }
    for key, title in (
        ("ex_vs_tokens", "EX against prompt tokens"),
        ("ex_by_bucket", f"EX by {data['bucket']}"),
        ("errors", "Error taxonomy"),
    ):
        parts.append(f"<h2>{e(title)}</h2>")
        if figs.get(key):
            parts.append(f"<img alt='{e(title)}' src='data:image/png;base64,{figs[key]}'>")
        else:
            parts.append(f"<p class='note'>{e(empty[key])}</p>")
        if key == "ex_vs_tokens" and missing_tokens and figs.get(key):
            parts.append(
                f"<p class='note'>not plotted, prompt tokens unknown: {e(', '.join(missing_tokens))}</p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)
