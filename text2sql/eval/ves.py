"""BIRD's R-VES (`evaluation_ves.py`): timed runs of each correct prediction against its gold."""

from __future__ import annotations

import math
from collections.abc import Sequence

VES_RUNS = 100  # BIRD's iterate_num


def ves_reward(time_ratio: float) -> float:
    """BIRD's reward buckets for the mean gold/prediction time ratio (0 for a wrong prediction)."""
    if time_ratio == 0:
        return 0.0
    if time_ratio >= 2:
        return 1.25
    if time_ratio >= 1:
        return 1.0
    if time_ratio >= 0.5:
        return 0.75
    if time_ratio >= 0.25:
        return 0.5
    return 0.25


def clean_abnormal(ratios: Sequence[float]) -> list[float]:
    """BIRD's outlier filter: keep ratios strictly within mean ± 3 std (population std).

    When every ratio is identical the official filter keeps none and divides by zero (reward 0);
    here all are kept instead.
    """
    n = len(ratios)
    mean = sum(ratios) / n
    std = math.sqrt(sum((x - mean) ** 2 for x in ratios) / n)
    kept = [x for x in ratios if mean - 3 * std < x < mean + 3 * std]
    return kept or list(ratios)


def ves_task(ex, task: tuple[str, str, str, int]) -> tuple[float, float]:
    """(time ratio, reward) of one correct prediction: `runs` interleaved timed runs, as BIRD does."""
    db, pred, gold, runs = task
    ratios = []
    for _ in range(runs):
        p, g = ex.execute(db, pred), ex.execute(db, gold)
        if not (p.ok and g.ok):  # the official's exception path: no reward
            return 0.0, 0.0
        ratios.append(max(g.seconds, 1e-9) / max(p.seconds, 1e-9))
    kept = clean_abnormal(ratios)
    ratio = sum(kept) / len(kept)
    return ratio, ves_reward(ratio)


def r_ves(rows: Sequence[dict]) -> float:
    """BIRD's R-VES in percent: mean over all examples of 100 * sqrt(reward), 0 for wrong ones."""
    return sum(100 * math.sqrt(r.get("ves_reward", 0.0)) for r in rows) / len(rows) if rows else 0.0
