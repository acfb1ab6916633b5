"""Does t2s make a real model better at SQL? SmolLM2 on Spider, stage by stage, with paired tests.

    python benchmarks/bench_learning.py --model MODEL [--workdir runs/learning] [--train 1000] [--dev 200]
        [--stages zero-shot,sft,dpo,grpo,vote,verifier]

MODEL is a model folder, a `.gguf` file (what `t2s fetch-model smollm2` prints) or a hub id. The script
runs the real `t2s` commands a user would, in WORKDIR, one stage after another:

- zero-shot: `t2s eval --model MODEL` on a fixed, seeded set of Spider dev questions;
- sft: `t2s build-sft` on a seeded Spider train subset, `t2s train train_args/smollm2-sft.json`, eval;
- dpo: the SFT model samples answers to train questions; `t2s build-dpo --candidates` keeps those proven
  wrong by execution (then corruptions of the gold) as rejected SQL; DPO + SFT loss of the SFT model, eval;
- grpo: `t2s build-prompts` on train, GRPO of the SFT model with t2s's execution reward, eval;
- vote: best-of-8 sampled from the SFT model, picked by execution-result vote;
- verifier: a reward model (LoRA on the SFT model) trained on execution-verified corruption pairs picks
  among the vote stage's 8 samples, replayed from its predictions file (`t2s eval -p FILE --samples 8
  --pick verifier`).

Every stage writes into its own folder and is skipped when its `summary.json` exists, so an interrupted
run continues where it stopped. The table printed at the end (and written to WORKDIR/table.md) gives EX
with its Wilson 95% interval, the McNemar exact p-value against the stage it builds on, and the stage's
wall time. Spider lives in $T2S_SHARED/data/spider (default ../shared; or --spider).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SPIDER = Path(os.environ.get("T2S_SHARED", REPO.parent / "shared")) / "data" / "spider"
STAGES = ("zero-shot", "sft", "dpo", "grpo", "vote", "verifier")
PARENT = {"sft": "zero-shot", "dpo": "sft", "grpo": "sft", "vote": "sft", "verifier": "sft"}


def t2s(*args: str, cwd: Path, log: Path) -> None:
    """Run one t2s command the way a user would; its output goes to a log file beside the stage."""
    cmd = [sys.executable, "-m", "text2sql", *args]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    with log.open("a") as f:
        f.write("$ t2s " + " ".join(args) + "\n")
        f.flush()
        r = subprocess.run(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT)
    if r.returncode != 0:
        sys.exit(f"t2s {args[0]} failed (exit {r.returncode}); see {log}")


def write_subset(spider: Path, out: Path, n_train: int, n_dev: int, seed: int) -> Path:
    """A Spider-format folder with a seeded train subset and dev subset; the databases are linked, not copied."""
    if (out / "dev.json").exists():
        return out
    out.mkdir(parents=True, exist_ok=True)
    dbs = spider / "database"
    have = {p.name for p in dbs.iterdir() if p.is_dir() and any(p.glob("*.sqlite"))}
    train = [e for e in json.loads((spider / "train_spider.json").read_text()) if e["db_id"] in have]
    dev = json.loads((spider / "dev.json").read_text())
    rng = random.Random(seed)
    train = sorted(rng.sample(range(len(train)), n_train)), train
    dev = sorted(rng.sample(range(len(dev)), n_dev)), dev
    (out / "train_spider.json").write_text(json.dumps([train[1][i] for i in train[0]], indent=1))
    (out / "dev.json").write_text(json.dumps([dev[1][i] for i in dev[0]], indent=1))
    shutil.copy(spider / "tables.json", out / "tables.json")
    link = out / "database"
    if not link.exists():
        link.symlink_to(dbs.resolve(), target_is_directory=True)
    return out


def results(stage_dir: Path) -> dict[str, bool]:
    from text2sql.report.runs import load_run

    return {str(r["id"]): bool(r["correct"]) for r in load_run(stage_dir).results}


def table(work: Path, stages: list[str]) -> str:
    from text2sql.core.stats import mcnemar, wilson_ci

    lines = [
        "| stage | EX | 95% CI | vs | McNemar p (gains/losses) | wall time |",
        "|---|---|---|---|---|---|",
    ]
    for stage in stages:
        d = work / stage / "eval"
        if not (d / "summary.json").exists():
            continue
        res = results(d)
        n, k = len(res), sum(res.values())
        lo, hi = wilson_ci(k, n)
        seconds = json.loads((work / stage / "stage.json").read_text())["seconds"]
        cmp = ""
        parent = PARENT.get(stage)
        if parent and (work / parent / "eval" / "results.jsonl").exists():
            base = results(work / parent / "eval")
            ids = sorted(set(base) & set(res))
            m = mcnemar([res[i] for i in ids], [base[i] for i in ids])
            cmp = f"| {parent} | {m.p_value:.2g} (+{m.only_a}/-{m.only_b}) "
        else:
            cmp = "| | "
        lines.append(
            f"| {stage} | {100 * k / n:.1f}% ({k}/{n}) | [{100 * lo:.1f}, {100 * hi:.1f}] {cmp}| {seconds / 60:.1f} min |"
        )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", required=True, help="Model folder, .gguf file or hub id (SmolLM2-135M-Instruct).")
    ap.add_argument("--workdir", type=Path, default=Path("runs/learning"))
    ap.add_argument("--spider", type=Path, default=SPIDER)
    ap.add_argument("--train", type=int, default=1000, help="Spider train examples (seeded subset).")
    ap.add_argument("--dev", type=int, default=200, help="Spider dev questions (seeded, fixed).")
    ap.add_argument("--epochs", type=float, default=1.0, help="SFT epochs.")
    ap.add_argument(
        "--max-seq-length", type=int, default=2600, help="SFT tokens per example: Spider's longest fit, none dropped."
    )
    ap.add_argument("--samples", type=int, default=8, help="Candidates for vote / verifier.")
    ap.add_argument("--grpo-steps", type=int, default=20, help="GRPO steps (one prompt x 8 samples each).")
    ap.add_argument("--dpo-steps", type=int, default=16, help="DPO optimizer steps (8 pairs each).")
    ap.add_argument("--dpo-questions", type=int, default=120, help="Train questions sampled for DPO negatives.")
    ap.add_argument("--dpo-samples", type=int, default=4, help="SFT samples per DPO question.")
    ap.add_argument("--verifier-steps", type=int, default=16, help="Verifier (reward model) steps (8 pairs each).")
    ap.add_argument("--stages", default=",".join(STAGES))
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    if not (args.spider / "tables.json").exists():
        sys.exit(f"Spider not found at {args.spider} (give --spider)")
    work = args.workdir.resolve()
    work.mkdir(parents=True, exist_ok=True)
    model = str(Path(args.model).resolve()) if Path(args.model).exists() else args.model
    data = str(write_subset(args.spider, work / "spider-subset", args.train, args.dev, args.seed))
    stages = [s.strip() for s in args.stages.split(",") if s.strip()]
    unknown = sorted(set(stages) - set(STAGES))
    if unknown:
        sys.exit(f"unknown stage(s) {unknown}: choose from {', '.join(STAGES)}")
    sft_model = str(work / "sft" / "model")  # full fine-tuning: a whole model
    recipe = str(REPO / "train_args" / "smollm2-sft.json")

    def gen(model_path: str) -> list[str]:
        return ["--data", data, "--split", "dev", "--model", model_path, "--max-new-tokens", "128", "--batch-size", "16"]

    def run_stage(stage: str, body) -> None:
        d = work / stage
        if (d / "eval" / "summary.json").exists():
            print(f"{stage}: done earlier, kept")
            return
        d.mkdir(parents=True, exist_ok=True)
        t0 = time.monotonic()
        print(f"{stage}: running (log: {d / 'log.txt'})", flush=True)
        body(d, d / "log.txt")
        (d / "stage.json").write_text(json.dumps({"seconds": round(time.monotonic() - t0, 1)}))

    def zero_shot(d, log):
        t2s("eval", *gen(model), "--output-dir", str(d / "eval"), cwd=work, log=log)

    def sft(d, log):
        t2s("build-sft", "--data", data, "--tokenizer", model, "--output", str(d / "train.jsonl"), cwd=work, log=log)
        t2s("train", recipe, "--set", f"model_name_or_path={model}", "--set", f"train_file={d / 'train.jsonl'}",
            "--set", f"output_dir={sft_model}", "--set", f"num_train_epochs={args.epochs}",
            "--set", "max_steps=-1", "--set", f"max_seq_length={args.max_seq_length}",
            "--set", "train_sampling_strategy=group_by_length",
            # the recipe's batch of 8 as 4 x 2: Spider's 2,400-token schemas at 8 per step need ~19 GB
            "--set", "per_device_train_batch_size=4", "--set", "gradient_accumulation_steps=2",
            cwd=work, log=log)  # fmt: skip
        t2s("eval", *gen(sft_model), "--output-dir", str(d / "eval"), cwd=work, log=log)

    def dpo(d, log):
        # on-policy negatives: the SFT model's own sampled answers on train questions, verified wrong by
        # execution (non-executable ones too), before corruptions of the gold (build-dpo picks them first)
        n = str(args.dpo_questions)
        t2s("eval", "--data", data, "--split", "train", "--limit", n, "--model", sft_model, "--max-new-tokens", "128",
            "--batch-size", "16", "--samples", str(args.dpo_samples), "--temperature", "0.8", "--top-p", "0.95",
            "--output-dir", str(d / "candidates"), cwd=work, log=log)  # fmt: skip
        t2s("build-dpo", "--data", data, "--tokenizer", model, "--pairs-per-example", "2", "--limit", n,
            "--candidates", str(d / "candidates" / "predictions.jsonl"), "--allow-errors",
            "--output", str(d / "train.jsonl"), cwd=work, log=log)  # fmt: skip
        t2s("train", str(REPO / "train_args" / "smollm2-dpo.json"), "--set", f"model_name_or_path={sft_model}",
            "--set", f"train_file={d / 'train.jsonl'}", "--set", f"max_steps={args.dpo_steps}",
            "--set", f"output_dir={d / 'model'}", cwd=work, log=log)  # fmt: skip
        t2s("eval", *gen(str(d / "model")), "--output-dir", str(d / "eval"), cwd=work, log=log)

    def grpo(d, log):
        t2s("build-prompts", "--data", data, "--split", "train", "--tokenizer", model,
            "--output", str(d / "prompts.jsonl"), cwd=work, log=log)  # fmt: skip
        t2s("train", str(REPO / "train_args" / "smollm2-grpo.json"), "--set", f"model_name_or_path={sft_model}",
            "--set", f"train_file={d / 'prompts.jsonl'}",
            "--set", f"output_dir={d / 'model'}", "--set", f"max_steps={args.grpo_steps}",
            "--set", f"reward_data={data}", cwd=work, log=log)  # fmt: skip
        t2s("eval", *gen(str(d / "model")), "--output-dir", str(d / "eval"), cwd=work, log=log)

    sampling = ["--samples", str(args.samples), "--temperature", "0.8", "--top-p", "0.95"]

    def vote(d, log):
        t2s("eval", *gen(sft_model), *sampling, "--pick", "vote", "--output-dir", str(d / "eval"),
            cwd=work, log=log)  # fmt: skip

    def verifier(d, log):
        # execution-verified corruptions of every train example's gold (no sampling: the verifier stage
        # stays independent of the DPO stage's on-policy pairs)
        pairs = d / "pairs.jsonl"
        t2s("build-dpo", "--data", data, "--tokenizer", model, "--pairs-per-example", "2",
            "--output", str(pairs), cwd=work, log=log)  # fmt: skip
        t2s("train", str(REPO / "train_args" / "smollm2-reward.json"), "--set", f"model_name_or_path={sft_model}",
            "--set", f"train_file={pairs}", "--set", f"output_dir={d / 'verifier'}",
            "--set", f"max_steps={args.verifier_steps}",
            # 8 pairs a step as 4 x 2: a batch of 8 chosen + 8 rejected Spider prompts needs ~20 GB on CPU
            "--set", "per_device_train_batch_size=4", "--set", "gradient_accumulation_steps=2",
            cwd=work, log=log)  # fmt: skip
        # the vote stage's very candidates, replayed and picked by the verifier instead: no second sampling
        run_stage("vote", vote)
        t2s("eval", "--data", data, "--split", "dev", "-p", str(work / "vote" / "eval" / "predictions.jsonl"),
            "--samples", str(args.samples), "--pick", "verifier", "--verifier", str(d / "verifier"),
            "--output-dir", str(d / "eval"), cwd=work, log=log)  # fmt: skip

    bodies = {"zero-shot": zero_shot, "sft": sft, "dpo": dpo, "grpo": grpo, "vote": vote, "verifier": verifier}
    for stage in stages:
        run_stage(stage, bodies[stage])
    text = table(work, list(STAGES))
    header = (
        f"SmolLM2 on Spider: {args.train} train examples, {args.dev} dev questions (seed {args.seed}), "
        f"{os.cpu_count()} cores, {time.strftime('%Y-%m-%d')}\n\n"
    )
    (work / "table.md").write_text(header + text + "\n")
    print(header + text)


if __name__ == "__main__":
    main()
