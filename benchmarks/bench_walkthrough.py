"""Time the README's CPU walkthrough, step by step, so the README's figures can be checked by a fresh run.

    python benchmarks/bench_walkthrough.py [--workdir DIR] [--steps 30]

Runs, in a scratch folder: `t2s tiny-model`, `t2s build-sft`, `t2s train train_args/tiny-cpu.json`
(with `--set max_steps=N`) and `t2s eval --model ... --adapter ...`, then prints each step's wall time,
the training seconds per optimizer step (from the trainer's own `train_runtime`), and the machine's
load average, since on a shared machine the figures scale with it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", type=Path, default=None, help="Scratch folder (default: a temporary one).")
    ap.add_argument("--steps", type=int, default=30, help="Training steps (the walkthrough uses 30).")
    args = ap.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="t2s-walkthrough-"))
    work.mkdir(parents=True, exist_ok=True)
    shutil.copytree(REPO / "train_args", work / "train_args", dirs_exist_ok=True)
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    steps = [
        ("tiny-model", ["tiny-model", "--output-dir", "runs/tiny-model"]),
        ("build-sft", ["build-sft", "--output", "runs/sft/train.jsonl"]),
        ("train", ["train", "train_args/tiny-cpu.json", "--set", f"max_steps={args.steps}"]),
        (
            "eval",
            [
                "eval",
                "--model",
                "runs/tiny-model",
                "--adapter",
                "runs/tiny-qlora-sft",
                "--max-new-tokens",
                "64",
            ],
        ),
    ]
    print(f"cores {os.cpu_count()}, load average before {os.getloadavg()[0]:.1f}; in {work}")
    total = 0.0
    for name, cmd in steps:
        if name == "train":
            shutil.rmtree(work / "runs" / "tiny-qlora-sft", ignore_errors=True)  # a fresh run, not a resume
        if name == "tiny-model":  # a rerun in the same --workdir: tiny-model refuses a full folder
            shutil.rmtree(work / "runs" / "tiny-model", ignore_errors=True)
        start = time.monotonic()
        res = subprocess.run(
            [sys.executable, "-m", "text2sql", *cmd], cwd=work, env=env, capture_output=True, text=True
        )
        seconds = time.monotonic() - start
        total += seconds
        if res.returncode != 0:
            sys.exit(f"{name} failed:\n{res.stderr[-2000:]}")
        print(f"{name:12s} {seconds:7.1f} s")
    log = json.loads((work / "runs" / "tiny-qlora-sft" / "t2s_train_log.json").read_text())
    run = next(e for e in log if "train_runtime" in e)
    print(f"train: {run['train_runtime'] / run['step']:.2f} s per step over {run['step']} steps")
    print(f"total {total:.1f} s; load average after {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
