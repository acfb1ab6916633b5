"""The summary of an evaluation (summary.json): EX overall, by hardness or BIRD difficulty, and error counts."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from text2sql.eval.hardness import LEVELS
from text2sql.eval.ves import r_ves
from text2sql.execution.metric import ERROR_KINDS, GOLD_ERROR, SPIDER

DIFFICULTIES = ("simple", "moderate", "challenging")  # BIRD's labels, in its report order


def _bucket(rows: Sequence[dict]) -> dict:
    out = {"count": len(rows), "ex": sum(r["correct"] for r in rows) / len(rows) if rows else 0.0}
    if rows and "ves_reward" in rows[0]:
        out["ves"] = r_ves(rows)
    return out


def summarize(results: Sequence[dict]) -> dict:
    """EX overall, by hardness level (and BIRD difficulty when labelled) and error counts.

    EX is a fraction in [0, 1]; R-VES, when computed, is BIRD's percentage.
    """
    n = len(results)
    by_level = {}
    for level in LEVELS:
        rows = [r for r in results if r["hardness"] == level]
        by_level[level] = {
            "count": len(rows),
            "ex": sum(r["correct"] for r in rows) / len(rows) if rows else 0.0,
        }
    errors = Counter(r["error"] for r in results if r["error"])
    gold_bad = [r for r in results if r["error"] == GOLD_ERROR]
    summary = {
        "ex": sum(r["correct"] for r in results) / n if n else 0.0,
        "count": n,
        "correct": sum(r["correct"] for r in results),
        "metric": results[0].get("metric", SPIDER) if results else SPIDER,
        "by_hardness": by_level,
        "errors": {kind: errors.get(kind, 0) for kind in ERROR_KINDS},
        # gold that did not run: those examples are scored wrong whatever the prediction
        "gold_errors": {"count": len(gold_bad), "ids": [r["id"] for r in gold_bad]},
    }
    labels = [r.get("difficulty") for r in results]
    if any(labels):
        order = [d for d in DIFFICULTIES if d in labels] + sorted(
            {d for d in labels if d} - set(DIFFICULTIES)
        )
        summary["by_difficulty"] = {
            d: _bucket([r for r in results if r.get("difficulty") == d]) for d in order
        }
    if results and "ves_reward" in results[0]:
        summary["ves"] = r_ves(results)
    return summary
