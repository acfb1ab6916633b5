"""Stages of scripts/gpu_smoke.sh, one process each so every peak-memory number is that stage's own.

    python scripts/gpu_smoke.py build ARCH OUT [--tokenizer DIR]
    python scripts/gpu_smoke.py train NAME CONFIG [--set key=value ...]
    python scripts/gpu_smoke.py generate NAME BACKEND MODEL [--adapter DIR] [--prompts N] [--new-tokens N]

Every stage ends with one `RESULT <stage> <name>: ...` line (tokens/s, peak memory) or `SKIPPED ...` with why.
Weights are random (no hub access), so the numbers measure speed and memory, never quality.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def peak_mib() -> str:
    """Peak GPU memory allocated by torch in this process, or peak RSS on CPU."""
    import torch

    if torch.cuda.is_available():
        return f"peak GPU {torch.cuda.max_memory_allocated() / 2**20:.0f} MiB"
    return f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB"


def build(a) -> None:
    """A random model of the real shape; built on the GPU when there is one (a 7B init on CPU takes minutes)."""
    import torch
    from transformers import AutoModelForCausalLM

    from text2sql.models.tiny import build_tiny_model, count_parameters, tiny_config
    from text2sql.prompts.tokenizer import load_tokenizer

    t = time.perf_counter()
    if not torch.cuda.is_available():
        out = build_tiny_model(a.out, arch=a.arch, tokenizer=a.tokenizer)
    else:
        tok = load_tokenizer(a.tokenizer)
        with torch.device("cuda"):
            model = AutoModelForCausalLM.from_config(tiny_config(a.arch, tok), dtype=torch.bfloat16)
        out = Path(a.out)
        model.save_pretrained(out)
        tok.save_pretrained(out)
    from transformers import AutoConfig

    n = count_parameters(AutoConfig.from_pretrained(out))
    size = f"{n / 1e9:.2f}B" if n >= 1e8 else f"{n / 1e6:.1f}M"
    print(f"RESULT build {a.arch}: {size} parameters in {time.perf_counter() - t:.0f} s -> {out}")


def train(a) -> None:
    from text2sql.train.trainer import train as run

    t = time.perf_counter()
    out = run(a.config, a.set or [])
    log = json.loads((Path(out) / "t2s_train_log.json").read_text())
    summary = next(h for h in reversed(log) if "train_runtime" in h)
    tokens = max((h["num_tokens"] for h in log if "num_tokens" in h), default=0)
    evals = [h["eval_loss"] for h in log if "eval_loss" in h]
    losses = [h["loss"] for h in log if "loss" in h]
    if not evals:
        raise SystemExit(f"FAILED train {a.name}: no evaluation ran")
    print(
        f"RESULT train {a.name}: {tokens / summary['train_runtime']:.0f} tokens/s "
        f"({int(tokens)} tokens, {summary['train_runtime']:.1f} s, {log[-1]['step']} steps), {peak_mib()}, "
        f"loss {losses[0]:.3f} -> {losses[-1]:.3f}, eval_loss {evals[-1]:.3f}, total {time.perf_counter() - t:.0f} s"
    )


def prompt_records(n: int, tokenizer: str | None) -> list[dict]:
    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import PromptConfig, build_prompts

    recs = build_prompts(load_benchmark(None), "dev", PromptConfig(tokenizer=tokenizer))
    return (recs * (n // len(recs) + 1))[:n]


def generate(a) -> None:
    import torch

    recs = prompt_records(a.prompts, a.model)
    if a.backend == "vllm":
        try:
            import vllm  # noqa: F401
        except ImportError:
            print(f"SKIPPED generate {a.name}: vllm is not installed (pip install 't2s[vllm]')")
            return
        if not torch.cuda.is_available():
            print(f"SKIPPED generate {a.name}: vllm needs a CUDA GPU")
            return
        tokens, seconds = _vllm(a, recs)
        free, total = torch.cuda.mem_get_info()
        mem = f"GPU in use {(total - free) / 2**20:.0f} MiB (vLLM reserves its KV cache up front)"
    else:
        tokens, seconds = _hf(a, recs)
        mem = peak_mib()
    print(
        f"RESULT generate {a.name}: {tokens / seconds:.0f} new tokens/s ({len(recs)} prompts x "
        f"{a.new_tokens} tokens in {seconds:.1f} s, batch {a.batch_size}), {mem}"
    )


def _hf(a, recs) -> tuple[int, float]:
    import torch

    from text2sql.generation import DecodingConfig
    from text2sql.generation.hf import HFBackend

    be = HFBackend(a.model, adapter=a.adapter, decoding=DecodingConfig(max_new_tokens=a.new_tokens))
    be.decoding.batch_size = a.batch_size
    be.stop_ids = None  # random weights: no eos, so every answer is exactly new_tokens long
    be.model.generation_config.eos_token_id = None
    be.generate(recs[: a.batch_size])  # warm-up
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    t = time.perf_counter()
    be.generate(recs)
    if torch.cuda.is_available():
        torch.cuda.synchronize()
    return len(recs) * a.new_tokens, time.perf_counter() - t


def _vllm(a, recs) -> tuple[int, float]:
    from vllm import LLM, SamplingParams

    from text2sql.generation.base import render_chat

    kw = {}
    lora = None
    if a.adapter:
        from vllm.lora.request import LoRARequest

        rank = json.loads((Path(a.adapter) / "adapter_config.json").read_text()).get("r", 64)
        kw = {"enable_lora": True, "max_lora_rank": max(16, rank)}
        lora = LoRARequest("adapter", 1, a.adapter)
    llm = LLM(model=a.model, max_model_len=8192, enforce_eager=True, seed=0, **kw)
    tok = llm.get_tokenizer()
    texts = [render_chat(tok, r) for r in recs]
    params = SamplingParams(temperature=0.0, max_tokens=a.new_tokens, ignore_eos=True)
    llm.generate(texts[:4], params, lora_request=lora)  # warm-up
    t = time.perf_counter()
    outs = llm.generate(texts, params, lora_request=lora)
    seconds = time.perf_counter() - t
    return sum(len(o.outputs[0].token_ids) for o in outs), seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="stage", required=True)
    b = sub.add_parser("build")
    b.add_argument("arch")
    b.add_argument("out")
    b.add_argument("--tokenizer")
    t = sub.add_parser("train")
    t.add_argument("name")
    t.add_argument("config")
    t.add_argument("--set", action="append")
    g = sub.add_parser("generate")
    g.add_argument("name")
    g.add_argument("backend", choices=("hf", "vllm"))
    g.add_argument("model")
    g.add_argument("--adapter")
    g.add_argument("--prompts", type=int, default=64)
    g.add_argument("--new-tokens", type=int, default=128)
    g.add_argument("--batch-size", type=int, default=32)
    a = ap.parse_args()
    from text2sql.core.errors import T2SError

    try:
        {"build": build, "train": train, "generate": generate}[a.stage](a)
    except T2SError as e:
        raise SystemExit(f"FAILED {a.stage}: error: {e}") from None


if __name__ == "__main__":
    main()
