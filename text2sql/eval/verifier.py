"""`t2s eval-verifier`'s library side: how well a learned verifier ranks held-out preference pairs.

Both sides of every pair are scored; the pairwise accuracy (`text2sql.eval.pairwise`) is reported overall
and per corruption kind, and the databases the verifier was trained on are named, so a user can see
whether the pairs are really held out.
"""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError


def read_pairs(pairs: Path) -> list[dict]:
    """The pairs of `t2s build-dpo`, each side one assistant message (what the verifier scores)."""
    from text2sql.train.data import read_jsonl
    from text2sql.train.reward_model import check_pair

    rows = read_jsonl(pairs)
    for n, row in enumerate(rows, 1):
        check_pair(row, f"{pairs}:{n}")
        if not all(
            len(row[k]) == 1 and isinstance(row[k][0].get("content"), str) for k in ("chosen", "rejected")
        ):
            raise T2SError(f"{pairs}:{n}: 'chosen' and 'rejected' must each be one assistant message")
    return rows


def evaluate_verifier(verifier: str | None, adapter: str | None, pairs: Path, batch_size: int = 8) -> dict:
    """Score both sides of every pair; pairwise accuracy overall and per corruption kind, with 95% CIs."""
    from text2sql.eval.pairwise import pairwise_accuracy
    from text2sql.generation.verifier import Verifier
    from text2sql.models.meta import read_training_meta
    from text2sql.train.data import read_jsonl
    from text2sql.train.reward_model import pair_kind

    if batch_size < 1:
        raise T2SError("batch_size must be at least 1")
    if not verifier and not adapter:
        raise T2SError("no verifier: give a reward model or adapter folder (task_type reward)")
    rows = read_pairs(pairs)
    scorer = Verifier(verifier, adapter, batch_size=batch_size)
    chosen = scorer.score([(r["prompt"], r["chosen"][0]["content"]) for r in rows])
    rejected = scorer.score([(r["prompt"], r["rejected"][0]["content"]) for r in rows])
    report = pairwise_accuracy([pair_kind(r) for r in rows], chosen, rejected)
    report.update(pairs_file=str(pairs), **scorer.info())
    trained = read_training_meta(scorer.adapter or scorer.model_path)
    train_file = trained.get("train_file")
    seen = (
        {r.get("db_id") for r in read_jsonl(train_file)}
        if train_file and Path(train_file).is_file()
        else set()
    )
    report["train_db_overlap"] = sorted(seen & {r.get("db_id") for r in rows} - {None})
    return report


def render(report: dict, console) -> None:
    """The per-kind table, then the overall row in bold."""
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
