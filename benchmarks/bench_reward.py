"""Benchmark: the t2s execution reward against a naive one on Spider train rollouts, side by side.

Rollouts: 8 candidates per prompt, as a GRPO step samples them: the gold (fenced, or bare), DPO corruptions
(text2sql/trainsets/corruptions.py: wrong column, dropped WHERE, swapped ORDER BY, ...), prose with no SQL, and in the
hostile mix also slow or hostile SQL (an endless recursive CTE, a 6-way cartesian join, a write attempt).
Steps of `--prompts-per-step` prompts are scored one after another, as a trainer calls the reward.

- t2s: `RewardScorer` (persistent spawn pool, each database on one worker with its cached connections and
  gold results, identical SQL in a step executed once);
- naive: what RL repos hand-roll: for each completion, a fresh connection, gold re-executed, sequential
  (through the same executor, so it is just as bounded and gives the same verdicts, which we check).

It also runs a tiny CPU GRPO (micro model, bundled sample) with `--grpo` and prints the share of step time
spent in the reward (`reward/seconds` / `step_time` from the trainer's log).

    python benchmarks/bench_reward.py [--data ../shared/data/spider] [--prompts 300] [--workers 2] [--grpo]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from text2sql.data.benchmark import load_benchmark
from text2sql.execution.executor import Executor
from text2sql.execution.extraction import extract_sql
from text2sql.execution.rewards import RewardScorer, RewardSettings
from text2sql.execution.verdict import classify_on_databases
from text2sql.prompts.builder import db_path_or_none
from text2sql.trainsets.corruptions import corruptions

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "spider"
PROSE = "I could not find the right table for this question, sorry."


def hostile(schema) -> list[str]:
    t = schema.table_names[0]
    return [
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
        f"SELECT count(*) FROM {', '.join(f'{t} AS t{i}' for i in range(6))}",
        f"DELETE FROM {t}",
    ]


def rollouts(bench, n_prompts: int, seed: int, with_hostile: bool) -> list[tuple[str, str, str]]:
    """(db_id, gold, completion) with 8 completions per prompt, prompts in random order."""
    rng = random.Random(seed)
    examples = [e for e in bench.examples("train") if e.query and db_path_or_none(bench, e.db_id)]
    rng.shuffle(examples)
    out = []
    for ex in examples[:n_prompts]:
        schema = bench.schema(ex.db_id)
        wrong = [sql for _, sql in corruptions(ex.query, schema)]
        rng.shuffle(wrong)
        cands = [f"```sql\n{ex.query}\n```", ex.query, *wrong[:4], PROSE]
        if with_hostile:
            cands[-1] = rng.choice(hostile(schema))
        while len(cands) < 8:
            cands.append(rng.choice([ex.query, PROSE, *wrong[:1]]))
        out += [(ex.db_id, ex.query, c) for c in cands[:8]]
    return out


def run_t2s(bench, items, per_step: int, settings: RewardSettings) -> tuple[list[float], list, float]:
    """Two epochs over the rollouts (the second with the gold results cached): seconds of each."""
    start = time.monotonic()
    with RewardScorer(bench, settings) as scorer:
        startup = time.monotonic() - start
        epochs = []
        for _ in range(2):
            t0 = time.monotonic()
            verdicts = []
            for k in range(0, len(items), per_step * 8):
                step = items[k : k + per_step * 8]
                verdicts += scorer.score(
                    [c for _, _, c in step], [d for d, _, _ in step], [g for _, g, _ in step]
                )
            epochs.append(time.monotonic() - t0)
    return epochs, [(v.correct, v.error) for v in verdicts], startup


def run_naive(bench, items, settings: RewardSettings) -> tuple[float, list]:
    files = {db: [str(p) for p in bench.db_files(db)] for db in {d for d, _, _ in items}}
    t0 = time.monotonic()
    verdicts = []
    for db, gold, completion in items:
        ex = Executor(timeout=settings.timeout, max_rows=settings.max_rows)  # a fresh connection every time
        try:
            verdicts.append(classify_on_databases(files[db], gold, extract_sql(completion), ex.execute))
        finally:
            ex.close()
    return time.monotonic() - t0, verdicts


def bench_mix(bench, name: str, n_prompts: int, args) -> None:
    items = rollouts(bench, n_prompts, args.seed, with_hostile=name == "hostile")
    n = len(items)
    settings = RewardSettings(timeout=args.timeout, gold_timeout=30.0, workers=args.workers, overlap=False)
    naive_s, naive_v = run_naive(bench, items, settings)
    print(
        f"\n{name} mix: {n_prompts} prompts x 8 = {n} completions, steps of {args.prompts_per_step} prompts"
    )
    print(
        f"  naive (fresh connection, sequential, gold re-run): {naive_s:7.2f} s {n / naive_s:7.0f} completions/s"
    )
    ours_v = None
    for workers in (args.workers, 0):
        settings.workers = workers
        (cold_s, warm_s), ours_v, startup = run_t2s(bench, items, args.prompts_per_step, settings)
        same = sum(a == b for a, b in zip(ours_v, naive_v, strict=True))
        label = f"{workers} spawn workers" if workers else "in-process    "
        print(
            f"  t2s reward, {label}, epoch 1 (cold gold): {cold_s:7.2f} s {n / cold_s:7.0f} completions/s "
            f"{naive_s / cold_s:5.1f}x   (start {startup:.2f} s, not counted)"
        )
        print(
            f"  t2s reward, {label}, epoch 2 (gold cached): {warm_s:7.2f} s {n / warm_s:7.0f} completions/s "
            f"{naive_s / warm_s:5.1f}x   same verdict as naive on {same}/{n}"
        )
    kinds: dict = {}
    for _, kind in ours_v:
        kinds[kind or "correct"] = kinds.get(kind or "correct", 0) + 1
    print("  verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items(), key=lambda kv: -kv[1])))


def grpo_share(args) -> None:
    """Train a micro model with GRPO on the bundled sample for a few steps; report time in the reward."""
    from text2sql.models.tiny import build_tiny_model
    from text2sql.prompts.builder import PromptConfig, build_prompts, write_jsonl
    from text2sql.train import train

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bench = load_benchmark(None)
        write_jsonl(root / "prompts.jsonl", build_prompts(bench, "train", PromptConfig(), limit=8))
        model = build_tiny_model(root / "model", arch="micro")
        out = train(
            {
                "model_name_or_path": str(model),
                "train_file": str(root / "prompts.jsonl"),
                "output_dir": str(root / "grpo"),
                "task_type": "grpo",
                "train_mode": "lora",
                "num_generations": 8,
                "per_device_train_batch_size": 16,
                "max_completion_length": 32,
                "max_steps": args.grpo_steps,
                "learning_rate": 1e-3,
                "logging_steps": 1,
                "save_steps": 1000,
                "gradient_checkpointing": False,
                "reward_workers": args.workers,
                "disable_tqdm": True,
                "seed": 0,
            }
        )
        log = json.loads((out / "t2s_train_log.json").read_text())
    steps = [e for e in log if "step_time" in e and "reward/seconds" in e]
    reward_s = sum(e["reward/seconds"] for e in steps)
    step_s = sum(e["step_time"] for e in steps)
    print(f"\ntiny CPU GRPO ({len(steps)} steps, 16 completions each, micro model, sample prompts):")
    print(
        f"  reward {reward_s:.3f} s of {step_s:.1f} s step time = {100 * reward_s / step_s:.2f}% of the step"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--prompts", type=int, default=300, help="prompts in the non-hostile mix")
    ap.add_argument("--hostile-prompts", type=int, default=40, help="prompts in the hostile mix")
    ap.add_argument("--prompts-per-step", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=5.0, help="per predicted query (RL default)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--grpo", action="store_true", help="also run the tiny CPU GRPO and report the reward share"
    )
    ap.add_argument("--grpo-steps", type=int, default=4)
    args = ap.parse_args()
    if not args.data.is_dir():
        sys.exit(f"Spider not found at {args.data}: pass --data")
    bench = load_benchmark(args.data)
    bench_mix(bench, "non-hostile", args.prompts, args)
    if args.hostile_prompts:
        bench_mix(bench, "hostile", args.hostile_prompts, args)
    if args.grpo:
        grpo_share(args)


if __name__ == "__main__":
    main()
