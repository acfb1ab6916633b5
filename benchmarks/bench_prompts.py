"""Prompt building and DPO throughput on Spider (from ../shared; exits when absent).

1. Spider dev (1034 questions), 5-shot `dail` selection over the 8,659 train examples, `code`
   representation, rendered with the Qwen2.5 chat template and counted. DAIL needs preliminary
   predictions; the dev gold SQL stands in for them (selection cost is the same). Run twice: cold
   (embeddings computed) and warm (embeddings from the on-disk cache). Target: < 60 s on 2 cores.
2. DPO pairs per second on Spider train (corruptions + execution verification).

    python benchmarks/bench_prompts.py [--spider DIR] [--tokenizer DIR] [--dpo-limit N]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("T2S_SHARED", REPO.parent / "shared"))
TARGET_S = 60.0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--spider", default=str(SHARED / "data" / "spider"))
    ap.add_argument("--tokenizer", default=str(SHARED / "models" / "qwen2.5-tokenizer"))
    ap.add_argument("--dpo-limit", type=int, default=1000, help="train examples for the DPO measurement")
    ap.add_argument(
        "--cache-dir", default=None, help="embedding cache (default: a fresh temp dir = cold start)"
    )
    args = ap.parse_args()
    if not (Path(args.spider) / "tables.json").exists():
        print(f"Spider not found at {args.spider}; nothing to measure")
        return 0
    os.environ["T2S_CACHE_DIR"] = args.cache_dir or tempfile.mkdtemp(prefix="t2s-bench-")

    from text2sql.data.benchmark import load_benchmark
    from text2sql.prompts.builder import PromptConfig, build_prompts, summary
    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.trainsets.dpo import build_dpo

    tok = load_tokenizer(args.tokenizer if Path(args.tokenizer).exists() else None)
    print(f"cpu cores available: {len(os.sched_getaffinity(0))}; tokenizer: {tok.name_or_path}")
    cfg = PromptConfig(repr="code", shots=5, select="dail", org="dail")
    for label in ("cold", "warm"):
        bench = load_benchmark(args.spider)  # fresh: no schema/linking state carried between runs
        pre = {e.id: e.query for e in bench.examples("dev")}
        n_train = len(bench.examples("train"))
        t = time.perf_counter()
        recs = build_prompts(bench, "dev", cfg, pre_predictions=pre, tokenizer=tok)
        dt = time.perf_counter() - t
        s = summary(recs)
        print(
            f"[{label}] {s['count']} dev prompts, 5-shot dail over {n_train} train examples: {dt:.1f} s "
            f"({dt / TARGET_S:.2f}x the {TARGET_S:.0f} s target), mean {s['mean_tokens']} / max {s['max_tokens']} "
            f"tokens, peak RSS {peak_rss_mb():.0f} MB"
        )

    bench = load_benchmark(args.spider)
    t = time.perf_counter()
    rows, stats = build_dpo(
        bench, "train", PromptConfig(repr="code"), limit=args.dpo_limit, pairs_per_example=2, tokenizer=tok
    )
    dt = time.perf_counter() - t
    st = stats.to_dict()
    print(
        f"DPO on the first {st['examples']} Spider train examples: {st['generated']} negatives generated, "
        f"{st['verified_wrong']} verified wrong, {st['pairs']} pairs in {dt:.1f} s = {st['pairs'] / dt:.1f} pairs/s "
        f"({st['examples'] / dt:.1f} examples/s); peak RSS {peak_rss_mb():.0f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
