"""Did RL raise the sampled reward? Two `t2s eval --samples N` runs on the same questions (before and after RL,
same prompts, temperature and seed): per question the share of the N samples that are right (the execution
reward's EX part), both means, their paired difference with a bootstrap interval and a sign-flip test.

    t2s eval --model SFT  --prompts P --samples 8 --temperature 1.0 --max-new-tokens 96 --pick vote --output-dir runs/s-sft
    t2s eval --model GRPO --prompts P --samples 8 --temperature 1.0 --max-new-tokens 96 --pick vote --output-dir runs/s-grpo
    python benchmarks/bench_rl_reward.py runs/s-sft runs/s-grpo
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def sampled_ex(run: Path) -> dict[str, float]:
    """Question id -> share of its samples that are correct, from a run folder's results.jsonl."""
    from text2sql.core.jsonl import read_jsonl

    out = {}
    for row in read_jsonl(run / "results.jsonl", what="evaluated results", made_by="`t2s eval --samples N`"):
        cands = row.get("candidates") or []
        if not cands or any("correct" not in c for c in cands):
            sys.exit(
                f"error: {run}/results.jsonl: {row['id']} has no judged candidates (run t2s eval with --samples N)"
            )
        out[str(row["id"])] = sum(bool(c["correct"]) for c in cands) / len(cands)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("before", type=Path, help="t2s eval --samples run of the model before RL")
    ap.add_argument("after", type=Path, help="the same evaluation of the model after RL")
    args = ap.parse_args()
    from text2sql.core.stats import paired_diff_ci, sign_flip_test

    before, after = sampled_ex(args.before), sampled_ex(args.after)
    ids = sorted(set(before) & set(after))
    if not ids:
        sys.exit("error: the two runs share no question")
    a, b = [before[i] for i in ids], [after[i] for i in ids]
    mean_a, mean_b = sum(a) / len(a), sum(b) / len(b)
    lo, hi = paired_diff_ci(a, b)
    up, down = sum(y > x for x, y in zip(a, b, strict=True)), sum(y < x for x, y in zip(a, b, strict=True))
    print(f"{len(ids)} questions (sampled EX: the share of a question's samples that are correct)")
    print(
        f"sampled EX before {100 * mean_a:.1f}%  after {100 * mean_b:.1f}%  ratio {mean_b / mean_a if mean_a else float('inf'):.2f}x"
    )
    print(
        f"paired difference {100 * (mean_b - mean_a):+.1f} points, 95% bootstrap [{100 * lo:+.1f}, {100 * hi:+.1f}]"
    )
    print(f"questions up {up}, down {down}; sign-flip p = {sign_flip_test(a, b):.4g}")


if __name__ == "__main__":
    main()
