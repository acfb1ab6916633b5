"""`t2s eval-reward`: how well a trained verifier ranks held-out preference pairs (torch loads inside)."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from text2sql.core.errors import T2SError


def eval_reward(model: str | None, adapter: str | None, pairs: Path, batch_size: int = 8) -> dict:
    """Score both sides of every pair; pairwise accuracy overall and per corruption kind, with 95% CIs."""
    from text2sql.eval.pairwise import pairwise_accuracy
    from text2sql.generation.verifier import Verifier
    from text2sql.train.data import read_jsonl
    from text2sql.train.reward_model import check_pair, pair_kind

    rows = read_jsonl(pairs)
    for n, row in enumerate(rows, 1):
        check_pair(row, f"{pairs}:{n}")
        if not all(
            len(row[k]) == 1 and isinstance(row[k][0].get("content"), str) for k in ("chosen", "rejected")
        ):
            raise T2SError(f"{pairs}:{n}: 'chosen' and 'rejected' must each be one assistant message")
    verifier = Verifier(model, adapter, batch_size=batch_size)
    chosen = verifier.score([(r["prompt"], r["chosen"][0]["content"]) for r in rows])
    rejected = verifier.score([(r["prompt"], r["rejected"][0]["content"]) for r in rows])
    report = pairwise_accuracy([pair_kind(r) for r in rows], chosen, rejected)
    report.update(pairs_file=str(pairs), **verifier.info())
    from text2sql.models.meta import read_training_meta

    trained = read_training_meta(verifier.adapter or verifier.model_path)
    seen = (
        {r.get("db_id") for r in read_jsonl(trained["train_file"])}
        if _readable(trained.get("train_file"))
        else set()
    )
    overlap = sorted(seen & {r.get("db_id") for r in rows} - {None})
    report["train_db_overlap"] = overlap
    return report


def _readable(path) -> bool:
    return bool(path) and Path(path).is_file()


def render(report: dict, console) -> None:
    from rich.table import Table

    table = Table(title=f"pairwise accuracy: {report['pairs_file']}")
    for col in ("kind", "pairs", "accuracy", "95% CI", "ties", "mean margin"):
        table.add_column(col, justify="left" if col == "kind" else "right")

    def row(name: str, c: dict, style: str | None = None) -> None:
        acc = f"{100 * c['accuracy']:.1f}%" if c["accuracy"] is not None else "-"
        lo, hi = c["ci95"]
        margin = f"{c['mean_margin']:+.3f}" if c["mean_margin"] is not None else "-"
        table.add_row(
            name, str(c["pairs"]), acc, f"{100 * lo:.1f}-{100 * hi:.1f}", str(c["ties"]), margin, style=style
        )

    for kind, cell in report["by_kind"].items():
        row(kind, cell)
    row("overall", report["overall"], "bold")
    console.print(table)


def register(app: typer.Typer) -> None:
    @app.command("eval-reward")
    def eval_reward_cmd(
        pairs: Path = typer.Option(..., "--pairs", help="Held-out pairs from `t2s build-dpo --split dev`."),
        model: str | None = typer.Option(
            None,
            "--model",
            "-m",
            help="Reward model, or its base when --adapter is given, or an adapter folder.",
        ),
        adapter: str | None = typer.Option(None, "--adapter", help="Reward LoRA adapter (task_type reward)."),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="Also write the numbers as JSON here."
        ),
        batch_size: int = typer.Option(8, "--batch-size", help="Sequences scored per forward pass."),
    ) -> None:
        """Pairwise accuracy of a verifier (chosen scored above rejected), overall and by corruption kind."""
        from rich.console import Console

        if batch_size < 1:
            raise T2SError("--batch-size must be at least 1")
        if not model and not adapter:
            raise T2SError("pass --model (a reward model or adapter folder) and/or --adapter")
        report = eval_reward(model, adapter, pairs, batch_size)
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
