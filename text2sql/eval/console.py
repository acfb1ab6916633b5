"""An evaluation on the console: Rich tables of EX by hardness (or difficulty) and the error breakdown."""

from __future__ import annotations

from text2sql.eval.evaluate import EvalReport
from text2sql.execution.metric import SPIDER


def render(report: EvalReport, console=None) -> None:
    """Rich tables: EX by hardness, then the error breakdown."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = console or Console()
    s = report.summary
    metric = s.get("metric", SPIDER)
    # BIRD's own labels when the data has them; Spider's hardness otherwise.
    buckets, label = (
        (s["by_difficulty"], "difficulty") if s.get("by_difficulty") else (s["by_hardness"], "level")
    )
    with_ves = "ves" in s
    bad = s.get("gold_errors") or {}
    if bad.get("count"):
        ids = escape(", ".join(map(str, bad["ids"][:10]))) + (", ..." if bad["count"] > 10 else "")
        console.print(
            f"[bold red]warning: {bad['count']} gold queries failed to run ({ids}); those examples score "
            "0 whatever the prediction: fix the gold or the database (--strict makes this an error)[/]",
            markup=True,
            highlight=False,
        )
    table = Table(title=f"Execution accuracy, {metric} metric ({s['count']} examples)")
    table.add_column(label)
    table.add_column("count", justify="right")
    table.add_column("EX", justify="right")
    if with_ves:
        table.add_column("R-VES", justify="right")
    for level, row in buckets.items():
        extra = [f"{row.get('ves', 0.0):.2f}"] if with_ves else []
        table.add_row(level, str(row["count"]), f"{100 * row['ex']:.1f}", *extra)
    extra = [f"{s['ves']:.2f}"] if with_ves else []
    table.add_row("all", str(s["count"]), f"{100 * s['ex']:.1f}", *extra, style="bold")
    console.print(table)
    errors = Table(title="Errors")
    errors.add_column("kind")
    errors.add_column("count", justify="right")
    errors.add_column("share", justify="right")
    for kind, count in s["errors"].items():
        if count:
            errors.add_row(kind, str(count), f"{100 * count / max(1, s['count']):.1f}%")
    if errors.row_count:
        console.print(errors)
