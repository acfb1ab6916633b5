"""Peak memory of QLoRA SFT with and without PEFT's `prepare_model_for_kbit_training` (issue 9, item 3).

`before`: the old loading path (prepare_model_for_kbit_training after loading: every non-4-bit weight cast
to fp32, deprecated checkpointing calls; TRL's bf16 adapters). `after`: t2s now (non-4-bit weights stay in
the compute dtype, fp32 adapters). Both train a few bf16 steps with gradient checkpointing, like the shipped
`train_args/qwen-qlora.json`, on a random model of the given architecture, each in its own process so the
peak is its own: peak RSS on CPU, peak allocated CUDA memory on a GPU.

    python benchmarks/bench_qlora_memory.py [--archs tiny qwen2.5-coder-0.5b] [--steps 3]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

MODES = ("before", "after")


def run_one(mode: str, arch: str, steps: int, workdir: Path) -> dict:
    import torch

    import text2sql.train.model as model_module
    from text2sql.data.benchmark import load_benchmark
    from text2sql.models.tiny import build_tiny_model
    from text2sql.prompts.builder import PromptConfig, build_prompts
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer
    from text2sql.trainsets.sft import sft_rows

    model_dir = workdir / f"model-{arch}"
    if not (model_dir / "config.json").exists():
        build_tiny_model(model_dir, arch=arch)
    data = workdir / "sft.jsonl"
    if not data.exists():
        rows, _ = sft_rows(build_prompts(load_benchmark(None), "train", PromptConfig()))
        data.write_text("".join(json.dumps(r) + "\n" for r in rows[:32]))
    if mode == "before":
        from peft import prepare_model_for_kbit_training

        load = model_module.load_model

        def old_load(margs, args):
            model, peft_config = load(margs, args)
            return prepare_model_for_kbit_training(model, use_gradient_checkpointing=True), peft_config

        model_module.load_model = old_load
        model_module.adapters_in_fp32 = lambda model: None  # TRL's bf16 adapters, as before
    cuda = torch.cuda.is_available()
    cfg = {
        "model_name_or_path": str(model_dir), "train_file": str(data), "output_dir": str(workdir / f"out-{mode}"),
        "train_mode": "qlora", "max_steps": steps, "per_device_train_batch_size": 2, "max_seq_length": 1024,
        "logging_steps": 1, "learning_rate": 1e-4, "lora_rank": 64, "lora_alpha": 16, "save_strategy": "no", "report_to": "none",
        "disable_tqdm": True, "bf16": True, "gradient_checkpointing": True, "seed": 0, "optim": "adamw_torch", "use_cpu": not cuda,
    }  # fmt: skip
    trainer = build_trainer(load_config(cfg))
    frozen = {}
    for p in trainer.model.parameters():
        if not p.requires_grad:  # 4-bit weights count too: packed in the compute dtype (quant_storage)
            frozen[str(p.dtype)] = frozen.get(str(p.dtype), 0) + p.numel() * p.element_size()
    adapter_dtypes = sorted({str(p.dtype) for p in trainer.model.parameters() if p.requires_grad})
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    peak = (
        torch.cuda.max_memory_allocated()
        if cuda
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    )
    loss = [e["loss"] for e in trainer.state.log_history if "loss" in e]
    return {
        "mode": mode, "arch": arch, "device": torch.cuda.get_device_name() if cuda else "cpu",
        "peak_mib": round(peak / 2**20), "frozen_mib_by_dtype": {k: round(v / 2**20) for k, v in frozen.items()},
        "adapter_dtypes": adapter_dtypes, "steps": steps, "last_loss": loss[-1] if loss else None,
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--archs", nargs="+", default=["tiny", "qwen2.5-coder-0.5b"])
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--one", choices=MODES, help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.one:
        print(json.dumps(run_one(a.one, a.archs[0], a.steps, a.workdir)))
        return
    with tempfile.TemporaryDirectory() as tmp:
        for arch in a.archs:
            results = {}
            for mode in MODES:
                cmd = [sys.executable, __file__, "--one", mode, "--archs", arch, "--steps", str(a.steps),
                       "--workdir", tmp]  # fmt: skip
                r = subprocess.run(cmd, capture_output=True, text=True)
                if r.returncode != 0:
                    raise SystemExit(f"{mode} {arch} failed:\n{r.stderr[-3000:]}")
                results[mode] = json.loads(r.stdout.strip().splitlines()[-1])
                print(json.dumps(results[mode]))
            ratio = results["after"]["peak_mib"] / results["before"]["peak_mib"]
            print(f"{arch} QLoRA on {results['after']['device']}: peak {results['before']['peak_mib']} MiB before, "
                  f"{results['after']['peak_mib']} MiB after ({ratio:.2f}x)")  # fmt: skip


if __name__ == "__main__":
    main()
