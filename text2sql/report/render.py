"""Compare evaluated runs: one Markdown file and one self-contained HTML page (figures embedded as PNG).

The HTML page has no external assets, so it can be mailed, attached to a PR or opened offline.
Runs are paired question by question, so runs of different benchmarks, splits, metrics or question
lists are refused rather than compared (`checks`). The numbers come from `analysis`, the pictures from
`figures`, the text from `tables`, `markdown` and `html_page`.
"""

from __future__ import annotations

import json
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.report.analysis import analyse
from text2sql.report.figures import figures
from text2sql.report.html_page import to_html
from text2sql.report.markdown import to_markdown
from text2sql.report.runs import load_run


def write_report(
    run_dirs: list[str | Path],
    output: str | Path,
    baseline: str | None = None,
    names: list[str] | None = None,
) -> dict[str, Path]:
    """Load evaluated runs and write `report.md`, `report.html` and `report.json` into `output`."""
    if names is not None and len(names) != len(run_dirs):
        raise T2SError(f"{len(names)} name(s) for {len(run_dirs)} run(s): give one `name` per run")
    runs = [load_run(p, names[i] if names else None) for i, p in enumerate(run_dirs)]
    data = analyse(runs, baseline)
    out = Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / "report.md", "html": out / "report.html", "json": out / "report.json"}
        paths["markdown"].write_text(to_markdown(data), encoding="utf-8")
        paths["html"].write_text(to_html(data, figures(data)), encoding="utf-8")
        paths["json"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise T2SError(f"cannot write the report into {out}: {err.strerror or err}") from None
    return paths
