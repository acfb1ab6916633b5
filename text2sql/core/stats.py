"""The statistics an ablation table needs: intervals for EX, for paired differences, and McNemar's test.

A 2-point EX difference on 1034 Spider questions can be noise; intervals and a paired test say
whether it is. EX is a proportion, so its interval is Wilson's score interval: unlike a percentile
bootstrap it does not collapse to [1, 1] at 100% and keeps its coverage in a 20-question bucket.
The difference between two arms on the same questions is paired, so it is bootstrapped by resampling
questions (both arms together). All of it is numpy/stdlib, so no scipy dependency.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import comb, sqrt
from statistics import NormalDist

import numpy as np

WILSON = "Wilson score interval"
DIFF_BOOTSTRAP = "paired percentile bootstrap over questions"
MCNEMAR = "McNemar's exact test (two-sided binomial test on the discordant pairs, no continuity correction)"


def wilson_ci(successes: int, n: int, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a proportion (Wilson 1927); NaNs for an empty bucket."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z = NormalDist().inv_cdf(1 - alpha / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    lo = 0.0 if successes == 0 else max(0.0, centre - half)  # exact ends, not 1e-17 of rounding
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return (lo, hi)


def ex_ci(values, alpha: float = 0.05) -> tuple[float, float]:
    """Wilson interval of the mean of 0/1 outcomes."""
    x = [bool(v) for v in values]
    return wilson_ci(sum(x), len(x), alpha)


def bootstrap_ci(values, n_boot: int = 2000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Percentile bootstrap interval of a mean (fixed seed: reports are reproducible).

    Kept for continuous measures; for EX use `ex_ci` (a bootstrap of 0/1 outcomes under-covers).
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return (float("nan"), float("nan"))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, size=(n_boot, x.size))].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


def paired_diff_ci(a, b, n_boot: int = 5000, alpha: float = 0.05, seed: int = 0) -> tuple[float, float]:
    """Bootstrap interval of EX(b) - EX(a) on the same questions: resample questions, keep pairs."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("a paired difference needs the same questions in both arms")
    if a.size == 0:
        return (float("nan"), float("nan"))
    d = b - a
    rng = np.random.default_rng(seed)
    means = d[rng.integers(0, d.size, size=(n_boot, d.size))].mean(axis=1)
    lo, hi = np.quantile(means, [alpha / 2, 1 - alpha / 2])
    return float(lo), float(hi)


@dataclass
class McNemar:
    only_a: int  # examples arm A gets right and B wrong
    only_b: int
    p_value: float  # two-sided exact binomial test on the discordant pairs


def mcnemar(a, b) -> McNemar:
    """McNemar's exact test: under H0 each discordant pair is a fair coin, p = 2·P(X <= min)."""
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


def holm(p_values: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values (step-down, monotone), for several arms against one baseline."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    out, running = [0.0] * m, 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[i]))
        out[i] = running
    return out


SIGN_FLIP = (
    "paired sign-flip permutation test over questions (two-sided; exact up to 20 non-zero differences)"
)


def sign_flip_test(a, b, n_perm: int = 100_000, seed: int = 0) -> float:
    """Two-sided p-value that mean(b - a) is 0, for paired per-question scores that are not 0/1 (e.g. the share
    of 8 samples that are right): under H0 each question's difference is as likely negated, so the observed
    mean is compared with the means of every sign assignment (exact when few questions differ, else sampled)."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        raise ValueError("a paired test needs the same questions in both arms")
    d = b - a
    d = d[d != 0]
    if d.size == 0:
        return 1.0
    observed = abs(d.sum()) - 1e-12 * d.size  # ties with the observed sum count as at least as extreme
    if d.size <= 20:
        signs = ((np.arange(2**d.size)[:, None] >> np.arange(d.size)) & 1) * 2 - 1
    else:
        signs = np.random.default_rng(seed).choice([-1, 1], size=(n_perm, d.size))
    return float(min(1.0, (np.abs(signs @ d) >= observed).mean()))
