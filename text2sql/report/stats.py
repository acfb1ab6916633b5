"""The two statistics an ablation table needs: bootstrap confidence intervals and McNemar's test.

A 2-point EX difference on 1034 Spider questions can be noise; intervals and a paired test say
whether it is. Both are a few lines of numpy/stdlib, so no scipy dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb

import numpy as np


def bootstrap_ci(values, n_boot: int = 2000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of 0/1 outcomes (fixed seed: reports are reproducible)."""
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


@dataclass
class McNemar:
    only_a: int  # examples arm A gets right and B wrong
    only_b: int
    p_value: float  # two-sided exact binomial test on the discordant pairs


def mcnemar(a, b) -> McNemar:
    """Paired test of two arms on the same examples; only the discordant pairs carry information."""
    a, b = np.asarray(a, dtype=bool), np.asarray(b, dtype=bool)
    if a.shape != b.shape:
        raise ValueError("McNemar needs the same examples in both arms")
    n10, n01 = int((a & ~b).sum()), int((~a & b).sum())
    n = n10 + n01
    if n == 0:
        return McNemar(n10, n01, 1.0)
    k = min(n10, n01)
    p = 2 * sum(comb(n, i) for i in range(k + 1)) / 2**n
    return McNemar(n10, n01, min(1.0, p))
