"""Training throughput and peak memory: packed against padded batches; SmolLM2 fp32 against bf16.

`--model PATH` (a plain HF copy of SmolLM2-135M-Instruct, e.g. /work/models/smollm2-135m-instruct-hf):
LoRA SFT (and with `--full` full SFT) of batch 8 on the bundled sample's SFT rows, once in fp32 and once in
bf16, each in its own process: tokens/s and their ratio, MFU against this machine's own bf16 matmul peak (a
2048^2 bf16 matmul on the same threads, measured here), peak RSS, and both loss curves side by side.
Targets: bf16 >= 2x the fp32 tokens/s, MFU >= 25%, peak RSS of batch-8 LoRA SFT < 4 GB.

    python benchmarks/bench_train.py --model /work/models/smollm2-135m-instruct-hf [--steps 6] [--full]

CPU (always): a random `tiny` Qwen2 model, QLoRA SFT, on the bundled sample's train split with schema prompts.
GPU (when CUDA is available): random models with the real Qwen2.5-Coder-1.5B (LoRA, bf16) and 7B (QLoRA)
architectures and the real Qwen2.5 tokenizer from ../shared. Each mode runs in its own process so that peak
memory is its own. Target: packed >= 1.5x the tokens/s of padded.

    python benchmarks/bench_train.py [--steps 20] [--batch-size 8] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("T2S_SHARED", REPO.parent / "shared"))
QWEN_TOKENIZER = SHARED / "models" / "qwen2.5-tokenizer"
SPIDER = SHARED / "data" / "spider"
WARMUP = 2  # steps not timed
REPEATS = 2  # runs per mode, alternating; the best counts (shared CPUs are noisy)
GPU_RUNS = [("qwen2.5-coder-1.5b", "lora"), ("qwen2.5-coder-7b", "qlora")]
CKPT = False  # gradient checkpointing in the fp32/bf16 comparison (see memory_bench)
SMOLLM2 = Path("/work/models/smollm2-135m-instruct-hf")  # where a plain HF copy is kept on the CI machine


MAX_LEN = 2048  # longer rows are dropped in both modes, so both train on the same examples


def write_rows(dataset: str, workdir: Path) -> Path:
    """SFT rows exactly as `t2s build-sft` writes them (code representation, bundled tokenizer).

    `sample`: the bundled sample's 150 train questions (7 similar schemas: little padding to save).
    `spider`: every 16th Spider train question (542 rows over 140 schemas of very different sizes; the
    484 that fit MAX_LEN tokens are trained on).
    """
    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import PromptConfig, build_prompts
    from text2sql.trainsets.sft import sft_rows

    bench = load_benchmark(None if dataset == "sample" else SPIDER)
    rows, _ = sft_rows(build_prompts(bench, "train", PromptConfig()))
    if dataset == "spider":
        rows = rows[::16]
    path = workdir / f"{dataset}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def run_one(mode: str, arch: str, train_mode: str, steps: int, batch: int, workdir: Path, data: Path) -> dict:
    """One measurement in this process; prints nothing but the result."""
    import torch

    from text2sql.models.tiny import build_tiny_model
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    cuda = torch.cuda.is_available() and arch != "tiny"
    tokenizer = str(QWEN_TOKENIZER) if cuda else None
    model_dir = workdir / f"model-{arch}"
    if not (model_dir / "config.json").exists():
        build_tiny_model(model_dir, arch=arch, tokenizer=tokenizer)
    rows = [json.loads(line) for line in data.read_text().splitlines()]
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.data import build_sft_dataset

    lengths = [
        len(x)
        for x in build_sft_dataset(rows, load_tokenizer(tokenizer), MAX_LEN, None, "drop")[0]["input_ids"]
    ]
    mean, longest = sum(lengths) / len(lengths), max(lengths)
    cfg = {
        "model_name_or_path": str(model_dir),
        "train_file": str(data),
        "truncation": "drop",
        "output_dir": str(workdir / f"out-{mode}"),
        "train_mode": train_mode,
        "max_steps": steps,
        "learning_rate": 1e-4,
        "lora_rank": 16,
        "lora_alpha": 32,
        "logging_steps": steps,
        "save_strategy": "no",
        "disable_tqdm": True,
        "report_to": "none",
        "seed": 0,
        "bf16": cuda,
        "gradient_checkpointing": cuda,
        # Packed rows are as long as the longest example (the padded batches' worst case), and a step
        # holds as many of them as carry the padded step's real tokens: same data, same tokens per step.
        "max_seq_length": longest,
        "per_device_train_batch_size": batch if mode == "padded" else max(1, round(batch * mean / longest)),
        "packing": mode == "packed",
    }
    if cuda and importlib.util.find_spec("flash_attn") is not None:
        cfg["attn_implementation"] = "flash_attention_2"  # varlen kernels: packed rows cost no L^2 mask
    trainer = build_trainer(load_config(cfg))
    ds = trainer.train_dataset
    # real (non-pad) tokens and wall time, after `WARMUP` steps (allocator and thread-pool warm-up)
    from transformers import TrainerCallback

    seen = {"tokens": 0, "slots": 0, "t0": None, "step_tokens": []}
    collate = trainer.data_collator

    def counting(examples):
        batch_ = collate(examples)
        seen["step_tokens"].append((sum(len(e["input_ids"]) for e in examples), batch_["input_ids"].numel()))
        return batch_

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            if state.global_step == WARMUP:
                if cuda:
                    torch.cuda.synchronize()
                seen["t0"] = time.perf_counter()
                seen["skip"] = len(seen["step_tokens"]) - 1  # batches of warm-up steps (this one is counted)

    trainer.data_collator = counting
    trainer.add_callback(Clock())
    if cuda:
        torch.cuda.reset_peak_memory_stats()
    trainer.train()
    if cuda:
        torch.cuda.synchronize()
    dt = time.perf_counter() - seen["t0"]
    counted = seen["step_tokens"][seen["skip"] :][: steps - WARMUP]
    seen["tokens"] = sum(t for t, _ in counted)
    seen["slots"] = sum(n for _, n in counted)
    peak = (
        torch.cuda.max_memory_allocated() / 2**20
        if cuda
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    )
    return {
        "data": data.stem,
        "mode": mode,
        "arch": arch,
        "train_mode": train_mode,
        "device": torch.cuda.get_device_name() if cuda else "cpu",
        "attn": trainer.model.config._attn_implementation,
        "steps": steps,
        "rows": len(ds),
        "real_tokens": seen["tokens"],
        "padding_share": round(1 - seen["tokens"] / max(seen["slots"], 1), 3),
        "seconds": round(dt, 2),
        "tokens_per_s": round(seen["tokens"] / dt, 1),
        "peak_mem_mib": round(peak, 1),
    }


def measure(mode: str, arch: str, train_mode: str, steps: int, batch: int, workdir: Path, data: Path) -> dict:
    cmd = [sys.executable, __file__, "--one", mode, "--arch", arch, "--train-mode", train_mode,
           "--steps", str(steps), "--batch-size", str(batch), "--workdir", str(workdir),
           "--data", str(data)]  # fmt: skip
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"{mode} {arch} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def compare(arch: str, train_mode: str, steps: int, batch: int, workdir: Path, data: Path) -> list[dict]:
    runs = [
        measure(m, arch, train_mode, steps, batch, workdir, data)
        for _ in range(REPEATS)
        for m in ("padded", "packed")
    ]
    out = [
        max((r for r in runs if r["mode"] == m), key=lambda r: r["tokens_per_s"])
        for m in ("padded", "packed")
    ]
    ratio = out[1]["tokens_per_s"] / out[0]["tokens_per_s"]
    print(
        f"\n{data.stem} data ({out[0]['rows']} rows), {arch} {train_mode} on {out[0]['device']}, {out[0]['attn']} attention, {steps - WARMUP} timed steps after "
        f"{WARMUP} warm-up, best of {REPEATS}, padded batch {batch}:"
    )
    for r in out:
        print(f"  {r['mode']:7s} {r['tokens_per_s']:10.1f} tokens/s  {r['real_tokens']:7d} real tokens  "
              f"padding {r['padding_share']:.0%}  peak {r['peak_mem_mib']:.0f} MiB  {r['seconds']:.1f} s")  # fmt: skip
    verdict = "meets" if ratio >= 1.5 else "misses"
    print(f"  packed / padded tokens/s = {ratio:.2f}x ({verdict} the 1.5x target)")
    for r in out:
        r["packed_over_padded"] = round(ratio, 3)
    return out


def matmul_peak(dtype_name: str, n: int = 2048, reps: int = 8) -> float:
    """FLOP/s of an n x n matmul in this dtype on this process's threads (the best of `reps`)."""
    import torch

    dtype = getattr(torch, dtype_name)
    a, b = torch.randn(n, n, dtype=dtype), torch.randn(n, n, dtype=dtype)
    a @ b
    best = float("inf")
    for _ in range(reps):
        t0 = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - t0)
    return 2 * n**3 / best


def train_flops_per_token(model, seq_len: int, full: bool) -> float:
    """Matmul FLOPs per trained token: forward 2 per weight (the LM head included, embeddings not) plus the
    attention scores; backward twice the forward for full training, once (input gradients only) for LoRA."""
    import torch

    cfg = model.config
    linear = sum(
        m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear) and "lora_" not in str(m)
    )
    forward = 2 * linear + 4 * cfg.num_hidden_layers * seq_len * cfg.hidden_size
    return forward * (3 if full else 2)


def run_smol(
    model: str,
    precision: str,
    train_mode: str,
    steps: int,
    batch: int,
    workdir: Path,
    data: Path,
    checkpointing: bool = False,
) -> dict:
    """One SmolLM2 SFT measurement in this process (peak RSS is this process's)."""
    import torch
    from transformers import TrainerCallback

    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    cfg = {
        "model_name_or_path": model,
        "train_file": str(data),
        "output_dir": str(workdir / f"smol-{train_mode}-{precision}"),
        "train_mode": train_mode,
        "max_steps": steps,
        "per_device_train_batch_size": batch,
        "learning_rate": 1e-4 if train_mode == "lora" else 2e-5,
        "lora_rank": 16,
        "lora_alpha": 32,
        "lora_dropout": 0.0,
        "max_seq_length": MAX_LEN,
        "logging_steps": 1,
        "save_strategy": "no",
        "disable_tqdm": True,
        "report_to": "none",
        "seed": 0,
        "bf16": precision == "bf16",
        "gradient_checkpointing": checkpointing,
    }
    trainer = build_trainer(load_config(cfg))
    seen: dict = {"tokens": [], "t0": None}
    collate = trainer.data_collator

    def counting(examples):
        out = collate(examples)
        seen["tokens"].append(
            int(out["attention_mask"].sum()) if "attention_mask" in out else out["input_ids"].numel()
        )
        seen["width"] = out["input_ids"].shape[1]
        return out

    class Clock(TrainerCallback):
        def on_step_begin(self, args, state, control, **kw):
            if state.global_step == WARMUP:
                seen["t0"], seen["skip"] = time.perf_counter(), len(seen["tokens"]) - 1

    trainer.data_collator = counting
    trainer.add_callback(Clock())
    trainer.train()
    dt = time.perf_counter() - seen["t0"]
    tokens = sum(seen["tokens"][seen["skip"] :][: steps - WARMUP])
    mean_len = sum(seen["tokens"]) / len(seen["tokens"]) / batch
    flops = train_flops_per_token(trainer.model, int(mean_len), train_mode == "full") * tokens / dt
    return {
        "model": Path(model).name,
        "train_mode": train_mode,
        "precision": precision,
        "checkpointing": checkpointing,
        "lm_head": "dense" if os.environ.get("T2S_DENSE_LM_HEAD") == "1" else "labelled tokens",
        "weights_dtype": str(
            next(p for p in trainer.model.parameters() if not p.requires_grad or train_mode == "full").dtype
        ),
        "threads": torch.get_num_threads(),
        "steps": steps,
        "timed_tokens": tokens,
        "mean_row_tokens": round(mean_len, 1),
        "seconds": round(dt, 2),
        "tokens_per_s": round(tokens / dt, 1),
        "achieved_gflops": round(flops / 1e9, 1),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "losses": [round(h["loss"], 4) for h in trainer.state.log_history if "loss" in h],
        "heldout_fp32_loss": heldout_fp32_loss(model, trainer, train_mode),
    }


def heldout_fp32_loss(model_path: str, trainer, train_mode: str, rows: int = 60) -> float:
    """Answer-token loss of the trained weights on the sample's first dev rows, computed in fp32.

    The training loss of a bf16 run is measured by a bf16 forward, which drops part of a LoRA adapter (its
    update is added to base outputs already rounded to bf16: see text2sql/models/folding.py), so the two
    precisions' curves differ even when they learned the same weights. This compares what was learned."""
    import torch
    from transformers import AutoModelForCausalLM

    from text2sql.data.benchmark import load_benchmark
    from text2sql.models.loading import load_pretrained
    from text2sql.prompts.builder import PromptConfig, build_prompts
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train.data import split_sft_row, tokenize_sft_row
    from text2sql.trainsets.sft import sft_rows

    if train_mode == "full":
        model = trainer.model.float()  # full training keeps fp32 master weights in both precisions
    else:  # the adapter on the original fp32 base (a bf16 run's base is a rounded copy)
        from peft import PeftModel, get_peft_model_state_dict, set_peft_model_state_dict

        state = {k: v.float() for k, v in get_peft_model_state_dict(trainer.model).items()}
        base = load_pretrained(AutoModelForCausalLM, model_path, dtype=torch.float32)
        model = PeftModel(base, trainer.model.peft_config["default"])
        set_peft_model_state_dict(model, state)
    model.eval()
    tok = load_tokenizer(model_path)
    dev, _ = sft_rows(build_prompts(load_benchmark(None), "dev", PromptConfig()))
    total = count = 0.0
    with torch.no_grad(), torch.autocast("cpu", enabled=False):
        for row in dev[:rows]:
            prompt, answer = tokenize_sft_row(tok, *split_sft_row(row, "dev row"))  # as the trainer masks it
            ids = torch.tensor([prompt + answer])
            labels = torch.tensor([[-100] * len(prompt) + answer])
            n = len(answer)
            total += float(model(input_ids=ids, labels=labels).loss) * n
            count += n
    return round(total / count, 4)


def smol_one(model, precision, train_mode, steps, batch, workdir, data, ckpt=False, dense=False) -> dict:
    cmd = [sys.executable, __file__, "--smol-one", precision, "--train-mode", train_mode, "--model", model,
           "--steps", str(steps), "--batch-size", str(batch), "--workdir", str(workdir), "--data", str(data)]  # fmt: skip
    env = {**os.environ, "T2S_DENSE_LM_HEAD": "1" if dense else "0"}
    r = subprocess.run(cmd + (["--checkpointing"] if ckpt else []), capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit(f"{train_mode} {precision} failed:\n{r.stderr[-3000:]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def memory_bench(model: str, steps: int, batch: int, workdir: Path) -> list[dict]:
    """Peak RSS of bf16 LoRA SFT with each memory saving added in turn (fp32 first, as it shipped)."""
    data = write_rows("sample", workdir)
    variants = [("fp32", True, False), ("bf16", True, False), ("bf16", False, False), ("bf16", False, True)]
    out = []
    print(f"\nSmolLM2 LoRA SFT memory, batch {batch}, {steps} steps:")
    for precision, dense, ckpt in variants:
        r = smol_one(model, precision, "lora", steps, batch, workdir, data, ckpt=ckpt, dense=dense)
        print(f"  {precision:5s} LM head {r['lm_head']:15s} checkpointing {str(ckpt):5s} "
              f"peak RSS {r['peak_rss_mib']:6.0f} MiB  {r['tokens_per_s']:6.1f} tokens/s")  # fmt: skip
        out.append(r)
    return out


def smol_bench(model: str, steps: int, batch: int, full: bool, workdir: Path) -> list[dict]:
    peak = matmul_peak("bfloat16")
    fp32_peak = matmul_peak("float32")
    import torch

    print(
        f"2048^2 matmul on {torch.get_num_threads()} threads: bf16 {peak / 1e9:.0f} GFLOP/s, fp32 {fp32_peak / 1e9:.0f} GFLOP/s"
    )
    data = write_rows("sample", workdir)
    results = []
    for train_mode in ("lora", "full") if full else ("lora",):
        runs = {}
        for precision in ("fp32", "bf16"):
            runs[precision] = smol_one(model, precision, train_mode, steps, batch, workdir, data, ckpt=CKPT)
            runs[precision]["mfu"] = round(runs[precision]["achieved_gflops"] * 1e9 / peak, 3)
        ratio = runs["bf16"]["tokens_per_s"] / runs["fp32"]["tokens_per_s"]
        print(f"\nSmolLM2 {train_mode} SFT, batch {batch}, ~{runs['fp32']['mean_row_tokens']:.0f}-token rows, "
              f"{steps - WARMUP} timed steps after {WARMUP} warm-up:")  # fmt: skip
        for p, r in runs.items():
            print(f"  {p:5s} {r['tokens_per_s']:8.1f} tokens/s  MFU {r['mfu']:.1%} (of the bf16 peak)  "
                  f"peak RSS {r['peak_rss_mib']:.0f} MiB  weights {r['weights_dtype']}")  # fmt: skip
        diffs = [abs(a - b) for a, b in zip(runs["fp32"]["losses"], runs["bf16"]["losses"], strict=True)]
        print(f"  bf16 / fp32 tokens/s = {ratio:.2f}x ({'meets' if ratio >= 2 else 'misses'} the 2x target); "
              f"bf16 MFU {'meets' if runs['bf16']['mfu'] >= 0.25 else 'misses'} 25%")  # fmt: skip
        print(f"  losses fp32 {runs['fp32']['losses']}\n  losses bf16 {runs['bf16']['losses']}  "
              f"(max |diff| {max(diffs):.4f}; each measured by its own precision's forward)")  # fmt: skip
        held = {p: r["heldout_fp32_loss"] for p, r in runs.items()}
        gap = abs(held["bf16"] - held["fp32"]) / held["fp32"]
        print(f"  what was learned, scored in fp32 on 60 held-out dev rows: fp32-trained {held['fp32']:.4f}, "
              f"bf16-trained {held['bf16']:.4f} ({gap:.1%} apart: {'parity' if gap < 0.02 else 'no parity'})")  # fmt: skip
        if train_mode == "lora":
            rss = runs["bf16"]["peak_rss_mib"]
            print(
                f"  peak RSS bf16 {rss / 1024:.2f} GiB ({'meets' if rss < 4096 else 'misses'} the 4 GB target)"
            )
        for r in runs.values():
            r["bf16_over_fp32"] = round(ratio, 3)
        results += runs.values()
    return results


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, help="training steps per run (default 20; 6 with --model)")
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--one", choices=["padded", "packed"], help=argparse.SUPPRESS)
    ap.add_argument("--arch", default="tiny", help=argparse.SUPPRESS)
    ap.add_argument("--train-mode", default="qlora", help=argparse.SUPPRESS)
    ap.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--data", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--model", help=f"SmolLM2 HF folder: fp32 vs bf16 SFT (default {SMOLLM2} if present)")
    ap.add_argument("--full", action="store_true", help="with --model: also full SFT")
    ap.add_argument("--packing", action="store_true", help="the packed-vs-padded comparison (tiny model)")
    ap.add_argument("--memory", action="store_true", help="with --model: peak RSS of each memory saving")
    ap.add_argument("--checkpointing", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--smol-one", choices=["fp32", "bf16"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.smol_one:
        import logging

        logging.disable(logging.WARNING)
        res = run_smol(args.model, args.smol_one, args.train_mode, args.steps, args.batch_size, args.workdir,
                       args.data, args.checkpointing)  # fmt: skip
        print(json.dumps(res))
        return
    args.steps = args.steps or (6 if (args.model or args.smol_one) and not args.packing else 20)
    model = args.model or (str(SMOLLM2) if (SMOLLM2 / "config.json").exists() else None)
    if model and not args.packing:
        with tempfile.TemporaryDirectory() as tmp:
            results = (memory_bench if args.memory else smol_bench)(
                model, args.steps, args.batch_size, *(() if args.memory else (args.full,)), Path(tmp)
            )
        if args.json:
            args.json.write_text(json.dumps(results, indent=2) + "\n")
        return
    if args.one:
        import logging

        logging.disable(logging.WARNING)
        res = run_one(
            args.one, args.arch, args.train_mode, args.steps, args.batch_size, args.workdir, args.data
        )
        print(json.dumps(res))
        return
    import torch

    results = []
    with tempfile.TemporaryDirectory() as tmp:
        datasets = [write_rows("sample", Path(tmp))]
        if (SPIDER / "tables.json").exists():
            datasets.append(write_rows("spider", Path(tmp)))
        else:
            print(f"Spider not found at {SPIDER}: measuring on the bundled sample only")
        for data in datasets:
            results += compare("tiny", "qlora", args.steps, args.batch_size, Path(tmp), data)
        if torch.cuda.is_available() and (QWEN_TOKENIZER / "tokenizer_config.json").exists():
            for arch, mode in GPU_RUNS:
                results += compare(
                    arch, mode, max(5, args.steps // 2), args.batch_size, Path(tmp), datasets[-1]
                )
        else:
            why = (
                "no CUDA device"
                if not torch.cuda.is_available()
                else f"no Qwen tokenizer at {QWEN_TOKENIZER}"
            )
            print(f"\nskipped the GPU runs ({', '.join(a for a, _ in GPU_RUNS)}): {why}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
