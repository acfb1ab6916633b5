"""`t2s eval-verifier`: how well a trained verifier ranks held-out preference pairs (torch loads inside)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from text2sql.cli._options import renamed
from text2sql.core.errors import T2SError


def register(app: typer.Typer) -> None:
    # the flags of `t2s eval`'s verifier; `--model`/`--adapter` were this command's names before
    old = {"--model": "--verifier", "-m": "--verifier", "--adapter": "--verifier-adapter"}

    @app.command("eval-verifier", cls=renamed(old))
    def eval_verifier_cmd(
        pairs: Path = typer.Option(..., "--pairs", help="Held-out pairs from `t2s build-dpo --split dev`."),
        verifier: str | None = typer.Option(
            None,
            "--verifier",
            help="The verifier (task_type reward): a model, or its base with --verifier-adapter, or an adapter folder.",
        ),
        verifier_adapter: str | None = typer.Option(
            None, "--verifier-adapter", help="The verifier's LoRA adapter."
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Also write the numbers to this JSON file."
        ),
        batch_size: int = typer.Option(8, "--batch-size", help="Sequences scored per forward pass."),
    ) -> None:
        """Pairwise accuracy of a verifier (chosen scored above rejected), overall and by corruption kind."""
        from rich.console import Console

        from text2sql.eval.verifier import evaluate_verifier, render

        if batch_size < 1:
            raise T2SError("--batch-size must be at least 1")
        if not verifier and not verifier_adapter:
            raise T2SError("pass --verifier (a reward model or adapter folder) and/or --verifier-adapter")
        report = evaluate_verifier(verifier, verifier_adapter, pairs, batch_size)
        console = Console()
        render(report, console)
        o = report["overall"]
        lo, hi = o["ci95"]
        console.print(
            f"pairwise accuracy {100 * o['accuracy']:.1f}% (95% CI {100 * lo:.1f}-{100 * hi:.1f}) "
            f"on {o['pairs']} pairs; 50% is chance"
        )
        if report["train_db_overlap"]:
            console.print(
                f"[yellow]warning:[/] the verifier was trained on pairs from {', '.join(report['train_db_overlap'])} "
                "too: these pairs are not held out"
            )
        if output:
            output.parent.mkdir(parents=True, exist_ok=True)
            output.write_text(json.dumps(report, indent=2) + "\n")
            console.print(f"-> {output}")
