"""`t2s eval`: execution accuracy of predictions on a benchmark split.

The predictions come from one function, `load_predictions`; the model-based path (`--model`)
plugs in there and reuses everything else.
"""

from __future__ import annotations

import time
from pathlib import Path

import typer

from text2sql.cli._options import (
    GENERATION_RENAMES,
    GENERATION_VALUE_RENAMES,
    OUTPUT_DIR_RENAMES,
    PROMPT_RENAMES,
    SETTING_FLAGS,
    renamed,
)
from text2sql.cli.generate import (
    run_generation,
    run_provenance,
    wants_generation,
    with_generation_options,
)
from text2sql.core.errors import T2SError


def load_predictions(predictions: Path | None, examples: list, total: int) -> list[str]:
    """The predictions source: one SQL per example. `total` is the split size before `--limit`."""
    from text2sql.eval.predictions import align_predictions, read_predictions

    if predictions is None:
        raise T2SError("nothing to evaluate: pass --predictions FILE (one SQL per line, JSONL or JSON)")
    preds = read_predictions(predictions)
    if preds and not isinstance(preds[0], tuple) and len(preds) == total and total != len(examples):
        preds = preds[: len(examples)]  # --limit with a full-split predictions file
    return align_predictions(preds, examples)


def predictions_run_dir(predictions: Path | None, data: Path, split: str) -> Path:
    """`runs/eval/<predictions file>-<split>-<hash of its content and the data>`: readable, and stable."""
    import hashlib
    import re

    if predictions is None or not Path(predictions).is_file():
        return Path("runs") / "eval" / split  # load_predictions reports the missing file
    digest = hashlib.sha256(Path(predictions).read_bytes() + f"\0{Path(data).resolve()}\0{split}".encode())
    stem = re.sub(r"[^\w.+-]", "_", Path(predictions).stem)[:40]
    return Path("runs") / "eval" / f"{stem}-{split}-{digest.hexdigest()[:8]}"


def register(app: typer.Typer) -> None:
    @app.command(
        "eval",
        cls=renamed(
            OUTPUT_DIR_RENAMES | PROMPT_RENAMES | GENERATION_RENAMES, GENERATION_VALUE_RENAMES, SETTING_FLAGS
        ),
    )
    @with_generation_options
    def eval_command(
        data: Path | None = typer.Option(
            None, "--data", help="Benchmark folder (default: the bundled sample)."
        ),
        split: str = typer.Option("dev", "--split", help="Split to evaluate."),
        predictions: Path | None = typer.Option(
            None,
            "--predictions",
            "-p",
            help="Predictions: one SQL per line, JSONL with `sql`, or a JSON list.",
        ),
        timeout: float = typer.Option(30.0, "--timeout", help="Seconds allowed per query."),
        workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: CPU count)."),
        keep_distinct: bool = typer.Option(
            False, "--keep-distinct", help="Do not strip DISTINCT (official flag)."
        ),
        limit: int | None = typer.Option(None, "--limit", help="Evaluate only the first N examples."),
        metric: str | None = typer.Option(
            None,
            "--metric",
            help="spider (test-suite EX) or bird (BIRD's set EX); default: bird for BIRD-format data.",
        ),
        ves: bool = typer.Option(False, "--ves", help="Also compute BIRD's R-VES (timed runs, slow)."),
        ves_runs: int = typer.Option(
            100, "--ves-runs", help="Timed gold/prediction pairs per example for --ves."
        ),
        output_dir: Path | None = typer.Option(
            None,
            "--output-dir",
            help="Where results.jsonl and summary.json go (default with --model: runs/eval/<model>-<split>-<hash>, "
            "so rerunning resumes).",
        ),
        cache_dir: Path | None = typer.Option(
            None, "--cache-dir", help="Gold result cache (default: $T2S_CACHE_DIR/gold or ~/.cache/t2s/gold)."
        ),
        no_cache: bool = typer.Option(
            False, "--no-cache", help="Execute gold queries again, write no cache."
        ),
        strict: bool = typer.Option(
            False, "--strict", help="Exit with an error when a gold query fails to run (gold_error)."
        ),
        *,
        gen: dict,
    ) -> None:
        """Execution accuracy (official Spider semantics, test-suite aware) of predicted SQL.

        With --model (or --backend gold), generate the predictions first: see `t2s predict`.
        """
        # summary.json's `seconds`: this invocation's wall time, generation included
        started = time.monotonic()
        from rich.console import Console
        from rich.markup import escape

        from text2sql.data.benchmark import load_benchmark
        from text2sql.eval.console import render
        from text2sql.execution.metric import default_metric
        from text2sql.workflows.pipeline import ScoringConfig, score_predictions

        scoring = ScoringConfig(
            timeout=timeout,
            workers=workers,
            keep_distinct=keep_distinct,
            metric=metric,
            ves=ves,
            ves_runs=ves_runs,
            cache_dir=cache_dir,
            use_cache=not no_cache,
        )
        scoring.validate()  # before the data loads: a bad flag costs nothing
        if limit is not None and limit < 1:
            raise T2SError("--limit must be at least 1")
        bench = load_benchmark(data)
        scoring.metric = metric = metric or default_metric(bench)
        all_examples = bench.examples(split)
        examples = all_examples[:limit] if limit else all_examples
        run = None
        if predictions and gen["samples"] > 1 and not (gen["model"] or gen["backend"]):
            gen["backend"] = "replay"  # pick again among the candidates a --samples run recorded
        if wants_generation(gen):
            run = run_generation(
                gen,
                bench,
                split,
                output_dir,
                limit=len(examples),
                kind="eval",
                predictions=predictions if gen["backend"] == "replay" else None,
                metric=metric,  # samples are voted under the metric that scores them
                keep_distinct=keep_distinct,
            )
            out = run.output_dir
        else:
            out = output_dir or predictions_run_dir(predictions, bench.root, split)
        preds = run.sql_for(examples) if run else load_predictions(predictions, examples, len(all_examples))
        report = score_predictions(bench, examples, preds, scoring, run)
        report.summary["settings"].update(
            data=str(bench.root),
            split=split,
            predictions=str(predictions) if predictions else None,
            limit=limit,
        )
        report.summary["provenance"] = run_provenance(bench, split, examples, run)
        report.summary["seconds"] = round(time.monotonic() - started, 3)
        report.write(out)
        console = Console()
        render(report, console)
        where = escape(str(out))  # a folder like runs/x[1] is text, not rich markup
        console.print(
            f"EX ({metric}) {100 * report.summary['ex']:.2f}%  ->  {where}/results.jsonl, {where}/summary.json"
        )
        bad = report.summary["gold_errors"]
        if strict and bad["count"]:
            raise T2SError(
                f"--strict: {bad['count']} gold queries failed to run (ids {', '.join(map(str, bad['ids'][:10]))}); "
                f"see {out}/results.jsonl"
            )
