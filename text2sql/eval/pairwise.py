"""Pairwise accuracy of a verifier on held-out preference pairs: how often it scores the gold SQL above
SQL proven wrong by execution, overall and per corruption kind, with 95% Wilson intervals (well behaved
for the small per-kind counts, unlike the normal approximation). A tie counts as a miss: a verifier that
cannot tell the two apart has not ranked them. 50% is chance.
"""

from __future__ import annotations

from collections import defaultdict


def wilson(successes: int, n: int) -> tuple[float, float]:
    """The 95% Wilson score interval the report uses (`text2sql.core.stats.wilson_ci`); (0, 1) when n == 0."""
    from text2sql.core.stats import wilson_ci

    return (0.0, 1.0) if n == 0 else wilson_ci(successes, n)


def _cell(wins: int, ties: int, n: int, margins: list[float]) -> dict:
    lo, hi = wilson(wins, n)
    return {
        "pairs": n,
        "correct": wins,
        "ties": ties,
        "accuracy": wins / n if n else None,
        "ci95": [lo, hi],
        "mean_margin": sum(margins) / n if n else None,
    }


def pairwise_accuracy(kinds: list[str], chosen: list[float], rejected: list[float]) -> dict:
    """{"overall": cell, "by_kind": {kind: cell}}; a cell has pairs, correct, ties, accuracy, ci95, mean_margin."""
    if not len(kinds) == len(chosen) == len(rejected):
        raise ValueError("one kind and two scores per pair")
    cells: dict[str, list] = defaultdict(lambda: [0, 0, 0, []])
    for kind, c, r in zip(kinds, chosen, rejected, strict=True):
        for key in ("__all__", kind):
            cell = cells[key]
            cell[0] += c > r
            cell[1] += c == r
            cell[2] += 1
            cell[3].append(c - r)
    overall = _cell(*cells.pop("__all__")) if kinds else _cell(0, 0, 0, [])
    return {"overall": overall, "by_kind": {k: _cell(*cells[k]) for k in sorted(cells)}}
