"""Self-consistency: execute sampled SQL candidates and keep the answer most of them agree on.

Two candidates agree when their results are equal under the very comparison the EX metric uses
(`text2sql.eval.metric.results_equal`: multiset of rows, order only when the SQL orders), not a frozenset
of rows, which would merge answers the metric tells apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

_ORDER_BY = re.compile(r"\border\s+by\b", re.IGNORECASE)

Execute = Callable[[str], "list | None"]  # SQL -> rows, or None when it fails
Equal = Callable[[list, list, bool], bool]


@dataclass
class Vote:
    sql: str
    votes: int  # candidates in the winning group
    valid: int  # candidates that executed
    groups: list[int] = field(default_factory=list)  # group sizes, largest first
    index: int = -1  # the chosen candidate; -1 when none executed
    group_of: list[int | None] = field(default_factory=list)  # per candidate: its group's rank, None if failed


def vote(candidates: list[str], execute: Execute, equal: Equal) -> Vote:
    """The first candidate of the largest agreeing group; ties go to the group seen first.

    Candidates that fail to execute get no vote; if none executes, the first candidate stands.
    """
    groups: list[tuple[list, bool, list[int]]] = []  # (rows, ordered, member indices)
    results: dict[str, list | None] = {}
    for i, sql in enumerate(candidates):
        if sql not in results:  # identical text: execute once
            results[sql] = execute(sql) if sql.strip() else None
        rows = results[sql]
        if rows is None:
            continue
        ordered = bool(_ORDER_BY.search(sql))
        for g_rows, g_ordered, members in groups:
            if equal(g_rows, rows, ordered and g_ordered):
                members.append(i)
                break
        else:
            groups.append((rows, ordered, [i]))
    valid = sum(len(m) for _, _, m in groups)
    if not groups:
        return Vote(sql=candidates[0] if candidates else "", votes=0, valid=0, group_of=[None] * len(candidates))
    ranked = sorted(groups, key=lambda g: (-len(g[2]), g[2][0]))  # largest first, ties: seen first
    group_of: list[int | None] = [None] * len(candidates)
    for rank, (_, _, members) in enumerate(ranked):
        for i in members:
            group_of[i] = rank
    best = ranked[0]
    return Vote(
        sql=candidates[best[2][0]],
        votes=len(best[2]),
        valid=valid,
        groups=[len(m) for _, _, m in ranked],
        index=best[2][0],
        group_of=group_of,
    )


def make_voter(bench, timeout: float = 30.0):
    """A `predict` voter for a benchmark: runs candidates with the evaluator's executor and metric."""
    from text2sql.eval.executor import Executor
    from text2sql.eval.metric import results_equal

    executor = Executor(timeout=timeout)

    def voter(record: dict, candidates: list[str]) -> dict:
        db = bench.db_path(record["db_id"])

        def execute(sql: str):
            res = executor.execute(db, sql)
            return None if res.error else res.rows

        v = vote(candidates, execute, results_equal)
        return {"sql": v.sql, "votes": v.votes, "valid_candidates": v.valid}

    return voter
