"""`t2s quickstart`: the whole loop, offline, on the bundled sample, in a couple of minutes on a laptop CPU.

build-sft -> tiny random model -> QLoRA SFT -> generate on dev (base and adapter) -> EX -> report.
A LoRA adapter on a random 2-layer model (`micro`) learns the SQL vocabulary in 80 steps (the loss curve falls from
about 8 to about 3) but not SQL for unseen databases, so EX stays near 0: the point is a working pipeline and the files it
writes, which are the same for a real model (use `t2s train` and `t2s eval --model` with a Qwen2.5-Coder checkpoint).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

TRAIN_ARGS = {  # train_args/tiny-cpu.json, with the paths filled in below
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
    steps: int = 80,
    limit: int | None = None,
    max_new_tokens: int = 32,
    arch: str = "micro",
    log: Callable[[str], None] = print,
) -> dict:
    """Run every stage into `output_dir`; returns the paths of `report.html`, `summary.json` and EX."""
    from text2sql.core.progress import is_verbose
    from text2sql.core.provenance import provenance, run_provenance
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
    config = PromptConfig()  # the same prompts for training and inference

    def step(msg: str) -> None:
        log(f"[{time.monotonic() - t0:5.1f}s] {msg}")

    step("building prompts and SFT data from the bundled sample")
    prompts = build_prompts(bench, "dev", config, limit=limit)
    write_jsonl(out / "prompts" / "dev.jsonl", prompts)
    rows, _ = sft_rows(build_prompts(bench, "train", config))
    write_jsonl(out / "sft" / "train.jsonl", rows)

    step("building a tiny random Qwen2-architecture model")
    model = build_tiny_model(out / "tiny-model", arch=arch)

    step(f"QLoRA SFT for {steps} steps on CPU")
    verbose = is_verbose()
    if not verbose:
        from text2sql.train.progress import quiet_libraries

        quiet_libraries()
    adapter = train(
        {
            **TRAIN_ARGS,
            "model_name_or_path": str(model),
            "train_file": str(out / "sft" / "train.jsonl"),
            "output_dir": str(out / "qlora-sft"),
            "max_steps": steps,
        },
        verbose=verbose,  # one progress line, not transformers' log dicts
    )

    decoding = DecodingConfig(max_new_tokens=max_new_tokens, batch_size=16)
    runs = {}
    for name, adapter_dir in (("base", None), ("qlora-sft", adapter)):
        step(f"generating and evaluating on dev: {name}")
        run = generate_predictions(
            data=None,
            bench=bench,
            split="dev",
            output_dir=out / "eval" / name,
            backend="hf",
            model=str(model),
            adapter=str(adapter_dir) if adapter_dir else None,
            prompts=str(out / "prompts" / "dev.jsonl"),
            decoding=decoding,
        )
        report = score(bench, run, out / "eval" / name, workers=1, use_cache=False)
        report.summary["name"] = name
        report.summary["provenance"] = run_provenance(bench, "dev", run.examples, run.records)
        report.write(out / "eval" / name)
        runs[name] = report.summary

    step("writing the report")
    paths = write_report([out / "eval" / n for n in runs], out, baseline="base")
    summary = {
        "ex": runs["qlora-sft"]["ex"],
        "ex_base": runs["base"]["ex"],
        "examples": runs["qlora-sft"]["count"],
        "train_steps": steps,
        "model": str(model),
        "adapter": str(adapter),
        "report": str(paths["html"]),
        "report_markdown": str(paths["markdown"]),
        "runs": {n: str(out / "eval" / n) for n in runs},
        "seconds": round(time.monotonic() - t0, 1),
        "provenance": provenance(data=bench.root, split="dev", examples=bench.examples("dev")[:limit]),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    step("done")
    return {"report": paths["html"], "summary": out / "summary.json", "ex": summary["ex"]}
