"""Batched against one-at-a-time generation (examples/s) with the hf backend. Target: batched >= 4x.

    python benchmarks/bench_generate.py                 # tiny random model on CPU
    python benchmarks/bench_generate.py --model /work/models/smollm2-135m-instruct-hf   # real SmolLM2

`--model`: the real SmolLM2-135M-Instruct on the 60 sample dev questions, stopping at eos: questions/s
before (fp32, one at a time) and after (precision auto, i.e. bf16 on an AMX/AVX512-BF16 CPU, batched), and
how many answers ran to max_new_tokens instead of stopping.
    python benchmarks/bench_generate.py --gpu-only      # real Qwen2.5-Coder-1.5B shape on CUDA (if present)

Prompts are the real sample-benchmark dev prompts (code representation, ~600 tokens); generation
is greedy with a fixed number of new tokens (eos disabled) so both modes do the same work. The CPU run
sweeps the answer length: with a tiny model the ~600-token prefill is compute-bound and gains little from
batching, while each decoding step is overhead-bound and gains a lot, so the ratio grows with length.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path


def prompts(n: int, tokenizer_dir: str | None) -> list[dict]:
    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import PromptConfig, build_prompts

    recs = build_prompts(load_benchmark(None), "dev", PromptConfig(tokenizer=tokenizer_dir))
    return (recs * (n // len(recs) + 1))[:n]


def measure(backend, recs, batch_size: int) -> float:
    """Examples per second over `recs`, after one warm-up batch."""
    import torch

    backend.decoding.batch_size = batch_size
    backend.generate(recs[:batch_size])
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t = time.perf_counter()
    backend.generate(recs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return len(recs) / (time.perf_counter() - t)


def run(
    arch: str, n: int, batch_size: int, new_tokens: list[int], tokenizer_dir: str | None, device: str
) -> list[dict]:
    from text2sql.generation import DecodingConfig
    from text2sql.generation.hf import HFBackend
    from text2sql.train import build_tiny_model

    with tempfile.TemporaryDirectory() as tmp:
        model_dir = build_tiny_model(Path(tmp) / arch, arch=arch, tokenizer=tokenizer_dir)
        be = HFBackend(str(model_dir), decoding=DecodingConfig(), device=device)
        be.stop_ids = None  # random weights: no eos, so every answer is `new_tokens` long in both modes
        be.model.generation_config.eos_token_id = None
        recs = prompts(n, tokenizer_dir)
        out = []
        for length in new_tokens:
            be.decoding.max_new_tokens = length
            single = measure(be, recs, 1)
            batched = measure(be, recs, batch_size)
            out.append(
                {
                    "arch": arch,
                    "device": device,
                    "examples": n,
                    "batch_size": batch_size,
                    "new_tokens": length,
                    "one_at_a_time_ex_per_s": round(single, 3),
                    "batched_ex_per_s": round(batched, 3),
                    "speedup": round(batched / single, 2),
                }
            )
    return out


def real_model(model: str, n: int | None, batch_size: int, max_new_tokens: int) -> list[dict]:
    """Questions/s of the real model, as `t2s eval` runs it: before (fp32, batch 1) and after (auto, batched)."""
    from text2sql.generation import DecodingConfig
    from text2sql.generation.hf import HFBackend

    recs = prompts(60, model)[:n] if n else prompts(60, model)
    out = []
    for label, precision, bs in (("before", "fp32", 1), ("after", "auto", batch_size)):
        be = HFBackend(
            model, decoding=DecodingConfig(max_new_tokens=max_new_tokens, batch_size=bs, precision=precision)
        )
        be.generate(recs[:bs])  # warm-up
        t = time.perf_counter()
        answers = be.generate(recs)
        dt = time.perf_counter() - t
        lengths = [len(be.tokenizer(a[0], add_special_tokens=False).input_ids) for a in answers]
        out.append(
            {
                "run": label,
                "model": Path(model).name,
                "precision": be.precision,
                "batch_size": bs,
                "questions": len(recs),
                "seconds": round(dt, 1),
                "questions_per_s": round(len(recs) / dt, 3),
                "ran_to_max_new_tokens": sum(n_ >= max_new_tokens for n_ in lengths),
                "mean_answer_tokens": round(sum(lengths) / len(lengths), 1),
            }
        )
        r = out[-1]
        print(f"{label:6s} {r['precision']} batch {bs:2d}: {r['questions_per_s']:.2f} questions/s ({r['seconds']} s for "
              f"{r['questions']}), {r['ran_to_max_new_tokens']} ran to {max_new_tokens} new tokens, "
              f"mean answer {r['mean_answer_tokens']} tokens", flush=True)  # fmt: skip
    print(f"after / before = {out[1]['questions_per_s'] / out[0]['questions_per_s']:.2f}x questions/s")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--new-tokens", default="32,64,128", help="answer lengths to measure (comma-separated)")
    ap.add_argument("--gpu-only", action="store_true")
    ap.add_argument(
        "--model", help="a real HF model folder (SmolLM2): questions/s before/after on the sample dev set"
    )
    ap.add_argument("--questions", type=int, help="with --model: only the first N of the 60 dev questions")
    ap.add_argument("--max-new-tokens", type=int, default=256, help="with --model")
    ap.add_argument("--gpu-examples", type=int, default=128)
    ap.add_argument("--gpu-batch-size", type=int, default=32)
    ap.add_argument(
        "--qwen-tokenizer",
        default=str(Path(__file__).resolve().parents[1].parent / "shared/models/qwen2.5-tokenizer"),
    )
    a = ap.parse_args()
    import torch

    if a.model:
        print(json.dumps(real_model(a.model, a.questions, a.batch_size, a.max_new_tokens)))
        return
    lengths = [int(x) for x in a.new_tokens.split(",")]
    results = []
    if not a.gpu_only:
        torch.set_num_threads(max(1, torch.get_num_threads()))
        results += run("tiny", a.examples, a.batch_size, lengths, None, "cpu")
    if torch.cuda.is_available():
        tok = a.qwen_tokenizer if (Path(a.qwen_tokenizer) / "tokenizer_config.json").exists() else None
        results += run("qwen2.5-coder-1.5b", a.gpu_examples, a.gpu_batch_size, lengths, tok, "cuda")
    else:
        print(
            "GPU part skipped: CUDA is not available (runs Qwen2.5-Coder-1.5B shape with random weights when it is)"
        )
    for r in results:
        ok = "meets" if r["speedup"] >= 4 else "MISSES"
        print(
            f"{r['arch']:>20} on {r['device']}, {r['new_tokens']:4d} new tokens: one-at-a-time {r['one_at_a_time_ex_per_s']:.2f} ex/s, "
            f"batched(bs={r['batch_size']}) {r['batched_ex_per_s']:.2f} ex/s -> {r['speedup']:.1f}x ({ok} the 4x target)"
        )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
