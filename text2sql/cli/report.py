"""`t2s report` and `t2s ablate`: compare evaluated runs, or run a grid of arms and compare them."""

from __future__ import annotations

from pathlib import Path

import typer

from text2sql.cli._options import OUTPUT_DIR_RENAMES, renamed


def report_cmd(
    runs: list[Path] = typer.Argument(..., help="Evaluated run folders (results.jsonl + summary.json)."),
    output_dir: Path = typer.Option(..., "--output-dir", help="Folder for report.md/.html/.json."),
    baseline: str | None = typer.Option(
        None, "--baseline", help="Arm (name or folder) the others are tested against (default: first)."
    ),
    name: list[str] | None = typer.Option(None, "--name", help="Arm names, one per run, in order."),
) -> None:
    """EX with Wilson CIs, paired differences, McNemar's exact test vs a baseline: Markdown + HTML."""
    from text2sql.report import write_report

    paths = write_report(runs, output_dir, baseline=baseline, names=name or None)
    typer.echo(f"report: {paths['html']}\nmarkdown: {paths['markdown']}")


def ablate_cmd(
    spec: Path = typer.Argument(..., help="Ablation spec JSON (see examples/ablation-*.json)."),
    output_dir: Path | None = typer.Option(None, "--output-dir", help="Overrides the spec's output_dir."),
    overwrite: bool = typer.Option(
        False, "--overwrite", help="Run every arm afresh instead of resuming or skipping finished ones."
    ),
) -> None:
    """Run a grid of prompt/model arms, evaluate each, and write the comparison report."""
    from text2sql.workflows.ablation import run_ablation

    paths = run_ablation(spec, output_dir=output_dir, log=typer.echo, overwrite=overwrite)
    typer.echo(f"report: {paths['html']}")


def register(app: typer.Typer) -> None:
    app.command("report", cls=renamed(OUTPUT_DIR_RENAMES | {"--output": "--output-dir"}))(report_cmd)
    app.command("ablate", cls=renamed(OUTPUT_DIR_RENAMES))(ablate_cmd)
