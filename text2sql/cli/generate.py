"""`t2s predict`, and the generation options it shares with `t2s eval`."""

from __future__ import annotations

import functools
from pathlib import Path

import typer

from text2sql.cli._options import (
    GENERATION_RENAMES,
    GENERATION_VALUE_RENAMES,
    OUTPUT_DIR_RENAMES,
    PROMPT_RENAMES,
    SETTING_FLAGS,
    config_options,
    renamed,
    with_options,
)
from text2sql.core.errors import T2SError
from text2sql.core.records import write_run

# Generation options shared by `t2s predict` and `t2s eval --model`: the flags of BackendConfig's and
# DecodingConfig's fields (help and defaults from the dataclasses), and the picking options.
GEN_OPTIONS = [
    *config_options(
        "text2sql.generation.base:BackendConfig",
        skip=("tokenizer", "predictions"),  # the prompt options' --tokenizer; each command's own --predictions
        defaults={"backend": None},  # None: hf, and no generation unless --model or --backend is given
        short={"model": "-m"},
    ),
    ("prompts", Path | None, typer.Option(None, "--prompts", help="Prompt records from `t2s build-prompts`.")),
    *config_options("text2sql.generation.base:DecodingConfig", names={"seed": "sampling_seed"}),
    ("overwrite", bool, typer.Option(False, "--overwrite", help="Start predictions afresh instead of resuming.")),
    ("pick", str, typer.Option("vote", "--pick", help="With --samples: greedy | vote | verifier | vote+verifier.")),
    ("verifier", str | None, typer.Option(None, "--verifier", help="Learned verifier (task_type reward): model or adapter folder.")),
    ("verifier_adapter", str | None, typer.Option(None, "--verifier-adapter", help="The verifier's LoRA adapter.")),
]  # fmt: skip


def _prompt_options(exclude=()):
    from text2sql.cli.prompts import PROMPT_OPTIONS  # the build-prompts options, reused as they are

    return [o for o in PROMPT_OPTIONS if o[0] not in exclude]


def with_generation_options(func=None, *, exclude=("data", "limit")):
    """Append the generation and prompt options to a command; they arrive as one dict, `gen`."""
    if func is None:
        return functools.partial(with_generation_options, exclude=exclude)
    return with_options(func, GEN_OPTIONS + _prompt_options(exclude), "gen")


def wants_generation(gen: dict) -> bool:
    return bool(gen.get("model") or gen.get("backend"))


def decoding_from(gen: dict):
    """The DecodingConfig the flags describe, validated (its errors name fields; the command shows flags)."""
    from dataclasses import fields

    from text2sql.generation import DecodingConfig

    names = {f.name for f in fields(DecodingConfig)} - {"seed"}
    decoding = DecodingConfig(seed=gen["sampling_seed"], **{k: gen[k] for k in names if k in gen})
    decoding.validate()
    return decoding


def source_from(gen: dict, predictions: Path | None = None):
    """The BackendConfig the flags describe: its fields are the options of the same name."""
    from dataclasses import fields

    from text2sql.generation import BackendConfig

    source = BackendConfig(
        **{f.name: gen[f.name] for f in fields(BackendConfig) if gen.get(f.name) is not None}
    )
    source.predictions = str(predictions) if predictions else None
    source.validate()
    return source


def run_generation(
    gen: dict,
    bench,
    split: str,
    output_dir: Path | None,
    limit: int | None = None,
    predictions: Path | None = None,
    kind: str = "predict",
    metric: str | None = None,
    keep_distinct: bool = False,
):
    """The generation behind `t2s predict` and `t2s eval --model`: a `GenerationRun`.

    Without `output_dir` the folder is derived from model, adapter, data, split, prompts and
    decoding (`runs/<kind>/...`), so rerunning the same command resumes where it stopped.
    """
    from text2sql.workflows.pipeline import default_run_dir, generate_predictions, prompts_key

    prompt_config = None
    if not gen["prompts"]:
        from text2sql.cli.prompts import prompt_config as config_from

        shared = {k: gen.get(k) for k, _, _ in _prompt_options()}
        prompt_config = config_from(shared)
    decoding = decoding_from(gen)
    source = source_from(gen, predictions)
    if output_dir is None:
        output_dir = default_run_dir(
            kind,
            backend=source.backend,
            model=source.model if source.backend not in ("gold", "replay") else str(predictions or ""),
            adapter=source.adapter,
            data=bench.root,
            split=split,
            prompt_key=prompts_key(gen["prompts"], prompt_config),
            decoding=decoding,
        )
    return generate_predictions(
        data=None,
        bench=bench,
        split=split,
        output_dir=output_dir,
        source=source,
        prompts=str(gen["prompts"]) if gen["prompts"] else None,
        prompt_config=prompt_config,
        decoding=decoding,
        limit=limit,
        overwrite=gen["overwrite"],
        pick=gen["pick"],
        metric=metric,
        keep_distinct=keep_distinct,
        verifier=gen["verifier"],
        verifier_adapter=gen["verifier_adapter"],
    )


def run_provenance(bench, split: str, examples, run=None) -> dict:
    """The provenance block of a summary.json (see `text2sql.core.provenance`)."""
    from text2sql.core.provenance import run_provenance as provenance_of

    return provenance_of(bench, split, examples, run.records if run is not None else None)


def predict_cmd(
    output_dir: Path | None = typer.Option(
        None,
        "--output-dir",
        help="Folder for predictions.jsonl (default: runs/predict/<model>-<split>-<hash>, so reruns resume).",
    ),
    split: str = typer.Option("dev", "--split", help="Split to predict."),
    predictions: Path | None = typer.Option(
        None, "--predictions", "-p", help="Predictions file to replay (as `t2s eval -p` reads it)."
    ),
    *,
    gen: dict,
) -> None:
    """Generate SQL for a split (resumable: rerun the same command to continue)."""
    from text2sql.data.benchmark import load_benchmark

    if predictions and not gen["backend"]:
        gen["backend"] = "replay"
    if not wants_generation(gen):
        raise T2SError("nothing to run: pass --model PATH (or --backend gold / --predictions FILE)")
    bench = load_benchmark(gen["data"])
    run = run_generation(gen, bench, split, output_dir, limit=gen["limit"], predictions=predictions)
    summary = {
        "predictions": len(run.predictions),
        "generation": run.info,
        "provenance": run_provenance(bench, split, run.examples, run),
    }
    write_run(run.output_dir, summary)
    typer.echo(f"{len(run.predictions)} predictions -> {run.output_dir}/predictions.jsonl")


def register(app: typer.Typer) -> None:
    generation = renamed(
        OUTPUT_DIR_RENAMES | PROMPT_RENAMES | GENERATION_RENAMES, GENERATION_VALUE_RENAMES, SETTING_FLAGS
    )
    app.command("predict", cls=generation)(with_generation_options(predict_cmd, exclude=()))
