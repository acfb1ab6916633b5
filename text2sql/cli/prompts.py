"""`t2s build-prompts`, `t2s build-sft`, `t2s build-dpo`: one set of prompt options for all three (and for
`t2s predict` and `t2s eval`), generated from PromptConfig's fields."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from text2sql.cli._options import config_options, with_options

# `--values` switches PromptConfig.values on, `--values-per-column` says how many: two options, one field.
_VALUES = [
    ("values", bool, typer.Option(False, "--values/--no-values", help="A few distinct values per text column.")),
    ("values_per_column", int, typer.Option(3, "--values-per-column", help="How many values with --values.")),
]  # fmt: skip

# The prompt options of build-prompts/sft/dpo, predict and eval: one per PromptConfig field (default and help
# from the field; a new field is a new flag), and the build arguments around them.
PROMPT_OPTIONS = [
    ("data", Path | None, typer.Option(None, "--data", help="Benchmark folder or SQLite file (default: bundled sample).")),
    *(
        row
        for generated in config_options(
            "text2sql.prompts.config:PromptConfig",
            defaults={"system_prompt": None},  # None: t2s's, without printing it in --help
            flags={"seed": "--shot-seed"},
        )
        for row in (_VALUES if generated[0] == "values" else [generated])
    ),
    ("pre_predictions", Path | None, typer.Option(None, "--pre-predictions", help="Preliminary SQL for query/dail.")),
    ("limit", int | None, typer.Option(None, "--limit", help="Only the first N examples.")),
]  # fmt: skip


def _with_common(func):
    """Append the prompt options to a command's signature and hand them over as one dict, `shared`."""
    return with_options(func, PROMPT_OPTIONS, "shared")


def prompt_config(shared: dict):
    """The PromptConfig the prompt options describe, validated (its errors name fields; commands show flags)."""
    from dataclasses import fields

    from text2sql.prompts.config import DEFAULT_SYSTEM_PROMPT, PromptConfig

    given = {f.name: shared[f.name] for f in fields(PromptConfig)}
    given["values"] = shared["values_per_column"] if shared["values"] else 0
    given["system_prompt"] = shared["system_prompt"] or DEFAULT_SYSTEM_PROMPT
    cfg = PromptConfig(**given)
    cfg.validate()
    return cfg


def _progress(total: int, label: str):
    from text2sql.core.progress import Progress

    return Progress(label, total, unit="examples")


def _run_prompts(shared: dict, split: str, label: str):
    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import build_prompts

    cfg = prompt_config(shared)
    bench = load_benchmark(shared["data"])
    n = len(bench.examples(split))
    total = min(n, shared["limit"]) if shared["limit"] is not None else n
    with _progress(total, label) as bar:
        records = build_prompts(
            bench,
            split,
            cfg,
            limit=shared["limit"],
            pre_predictions=shared["pre_predictions"],
            progress=bar.advance,
        )
    return bench, cfg, records


def _print_summary(records: list[dict], extra: dict | None = None) -> None:
    from text2sql.prompts.builder import summary

    s = summary(records)
    if extra:
        s.update(extra)
    typer.echo(
        f"{s['count']} prompts, mean {s['mean_tokens']} / max {s['max_tokens']} tokens; "
        f"{s['shots_dropped']} shots dropped and {s['prompts_pruned']} schemas pruned for the budget"
        + (f"; {s['over_budget']} still over budget" if s["over_budget"] else "")
    )
    if s.get("tokenizer"):
        typer.echo(f"tokens counted with {s['tokenizer']}")
    if records:
        typer.echo(f"config hash {records[0]['config_hash']}")


def build_prompts_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="JSONL file to write."),
    split: str = typer.Option("dev", "--split", help="Split to build prompts for."),
    *,
    shared: dict,
) -> None:
    """Build chat prompts (system + user) with the DAIL-style representation, shots and budget."""
    from text2sql.prompts.builder import write_jsonl

    _, _, records = _run_prompts(shared, split, "prompts")
    write_jsonl(output, records)
    _print_summary(records)
    typer.echo(f"wrote {output}")


def build_sft_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="JSONL file to write."),
    split: str = typer.Option("train", "--split", help="Split to build SFT data from."),
    *,
    shared: dict,
) -> None:
    """SFT data for TRL's SFTTrainer: chat messages (system, user, assistant = the gold SQL)."""
    from text2sql.prompts.builder import write_jsonl
    from text2sql.trainsets.sft import sft_rows

    _, _, records = _run_prompts(shared, split, "sft")
    rows, skipped = sft_rows(records)
    write_jsonl(output, rows)
    _print_summary(records)
    typer.echo(
        f"wrote {len(rows)} SFT rows to {output}"
        + (f" ({skipped} skipped: no usable gold)" if skipped else "")
    )


def build_dpo_cmd(
    output: Path = typer.Option(..., "--output", "-o", help="JSONL file to write."),
    split: str = typer.Option("train", "--split", help="Split to build DPO pairs from."),
    pairs_per_example: int = typer.Option(2, "--pairs-per-example", help="Pairs per example (at most)."),
    candidates: Path | None = typer.Option(
        None, "--candidates", help="JSONL of sampled model outputs per id."
    ),
    allow_errors: bool = typer.Option(False, "--allow-errors", help="Also keep non-executable negatives."),
    *,
    shared: dict,
) -> None:
    """Preference pairs (TRL conversational format) whose rejected SQL is proven wrong by execution."""
    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import write_jsonl
    from text2sql.trainsets.dpo import build_dpo, read_candidates

    cfg = prompt_config(shared)
    bench = load_benchmark(shared["data"])
    cands = read_candidates(candidates) if candidates else None
    n = len(bench.examples(split))
    total = min(n, shared["limit"]) if shared["limit"] is not None else n
    with _progress(total, "dpo") as bar:
        rows, stats = build_dpo(
            bench,
            split,
            cfg,
            pairs_per_example=pairs_per_example,
            candidates=cands,
            allow_errors=allow_errors,
            limit=shared["limit"],
            pre_predictions=shared["pre_predictions"],
            progress=bar.advance,
        )
    write_jsonl(output, rows)
    s = stats.to_dict()
    typer.echo(
        f"{s['examples']} examples: {s['generated']} negatives generated, {s['verified_wrong']} verified wrong "
        f"by execution, {s['pairs']} pairs written ({s['examples_without_pair']} examples without a pair, "
        f"{s['gold_errors']} gold errors)"
    )
    for kind, c in s["by_kind"].items():
        typer.echo(
            f"  {kind:18s} generated {c['generated']:6d}  verified {c['verified_wrong']:6d}  pairs {c['pairs']:6d}"
        )
    typer.echo(json.dumps({"dpo_stats": s}))
    typer.echo(f"wrote {output}")


def register(app: typer.Typer) -> None:
    from text2sql.cli._options import PROMPT_RENAMES, SETTING_FLAGS, renamed

    command = renamed(PROMPT_RENAMES, flags=SETTING_FLAGS)
    app.command("build-prompts", cls=command)(_with_common(build_prompts_cmd))
    app.command("build-sft", cls=command)(_with_common(build_sft_cmd))
    app.command("build-dpo", cls=command)(_with_common(build_dpo_cmd))
