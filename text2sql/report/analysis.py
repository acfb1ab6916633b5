"""Every number a report shows, as plain data (`report.json`): EX with intervals per arm and bucket, paired
differences against the baseline, McNemar's exact test with Holm's correction."""

from __future__ import annotations

from collections import Counter

from text2sql.core.errors import T2SError
from text2sql.core.stats import DIFF_BOOTSTRAP, MCNEMAR, WILSON, ex_ci, holm, mcnemar, paired_diff_ci
from text2sql.report.checks import check_comparable, find_baseline
from text2sql.report.runs import DIFFICULTY_ORDER, HARDNESS_ORDER, Run, disambiguate

N_BOOT = 5000


def _setup(gen: dict) -> dict:
    """What produced an arm's predictions, so a reader can tell the arms apart (from `t2s eval --model`)."""
    if not gen:
        return {}
    dec = gen.get("decoding") or {}
    sampling = (
        "greedy" if not dec.get("temperature") else f"T={dec['temperature']}, top-p={dec.get('top_p', 1.0)}"
    )
    if (dec.get("samples") or 1) > 1:
        sampling += f", vote of {dec['samples']}"
    return {
        "backend": gen.get("backend"),
        "model": gen.get("model"),
        "adapter": gen.get("adapter"),
        "decoding": sampling,
        "prompt_hash": gen.get("prompt_config_hash"),
    }


def _bucketing(runs: list[Run]) -> tuple[str, list[str]]:
    """BIRD's `difficulty` when the rows have it, else Spider hardness; buckets in their natural order."""
    rows = [x for r in runs for x in r.results]
    kind = "difficulty" if any(x["difficulty"] for x in rows) else "hardness"
    seen = {(x[kind] or "unknown") for x in rows}
    order = DIFFICULTY_ORDER if kind == "difficulty" else HARDNESS_ORDER
    known = [b for b in order if b in seen and b != "unknown"]
    return kind, known + sorted(seen - set(order)) + (["unknown"] if "unknown" in seen else [])


def analyse(runs: list[Run], baseline: str | None = None, seed: int = 0) -> dict:
    """Every number the report shows, as plain data (also written as `report.json`)."""
    if not runs:
        raise T2SError("no runs to report on")
    disambiguate(runs)
    base = find_baseline(runs, baseline)
    check_comparable(runs, base)
    kind, buckets = _bucketing(runs)
    categories = sorted({x["category"] for r in runs for x in r.results} - {"correct"})
    arms = []
    for run in runs:
        vals = [x["correct"] for x in run.results]
        arm = {
            "name": run.name,
            "path": str(run.path),
            "data": run.data,
            "split": run.split,
            "metric": run.metric,
            "n": len(vals),
            "correct": sum(vals),
            "ex": sum(vals) / len(vals) if vals else float("nan"),
            "ci": ex_ci(vals),
            "mean_tokens": run.mean_tokens,
            "by_bucket": {},
            "errors": dict(Counter(x["category"] for x in run.results if not x["correct"])),
            "voted_ex": run.summary.get("voted_ex"),
            "greedy_ex": run.summary.get("greedy_ex"),
            "setup": _setup(run.summary.get("generation") or {}),
        }
        for b in buckets:
            bv = [x["correct"] for x in run.results if (x[kind] or "unknown") == b]
            if bv:
                arm["by_bucket"][b] = {
                    "n": len(bv),
                    "correct": sum(bv),
                    "ex": sum(bv) / len(bv),
                    "ci": ex_ci(bv),
                }
        if run is not base:
            a, b = base.correct, run.correct
            ids = sorted(a)
            xa, xb = [a[i] for i in ids], [b[i] for i in ids]
            t = mcnemar(xa, xb)
            arm["mcnemar"] = {
                "n": len(ids),
                "diff": (sum(xb) - sum(xa)) / len(ids) if ids else float("nan"),
                "diff_ci": paired_diff_ci(xa, xb, n_boot=N_BOOT, seed=seed),
                "only_baseline": t.only_a,
                "only_arm": t.only_b,
                "p": t.p_value,
            }
        arms.append(arm)
    tested = [a for a in arms if "mcnemar" in a]
    for a, p in zip(tested, holm([a["mcnemar"]["p"] for a in tested]), strict=True):
        a["mcnemar"]["p_holm"] = p
    return {
        "baseline": base.name,
        "bucket": kind,
        "buckets": buckets,
        "categories": categories,
        "statistics": {
            "ex_interval": f"95% {WILSON}",
            "difference_interval": f"95% {DIFF_BOOTSTRAP} ({N_BOOT} resamples, seed {seed})",
            "test": MCNEMAR,
            "multiple_comparisons": "Holm–Bonferroni over the arms compared with the baseline",
        },
        "arms": arms,
    }
