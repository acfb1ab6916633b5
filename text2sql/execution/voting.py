"""Self-consistency: execute sampled SQL candidates and keep the answer most of them agree on.

Candidates are grouped by exactly the equivalence the EX metric applies, through a canonical form
of each result, so grouping is transitive and does not depend on the candidates' order:

- `spider`: each candidate is executed as the metric executes it (`normalize_sql`: DISTINCT
  removed unless `keep_distinct`), and two results agree when they are the same multiset of rows
  up to one column permutation (the metric's `results_equal` without ORDER BY). Cells keep their
  Python type in the key (`1` and `1.0` fall in different groups), since the official comparison
  is not type-blind either. Whether order counts depends on the gold, unknown here, so the vote
  pools candidates on the unordered form; within the winning group the answer is taken from the
  largest sub-group of identical *ordered* results, preferring results of candidates that ORDER
  BY themselves (the metric orders only for a gold that orders). Every member of that sub-group
  gets the same verdict under either comparison.
- `bird`: BIRD's EX is set equality of rows, so the key is the set of rows (`1 == 1.0` as in a
  Python set).

Candidates that fail to execute (or are empty) get no vote. Ties between groups of equal size go to
the group with the smallest canonical key (a total order on keys), never to the group seen first,
so shuffling the candidates cannot change the chosen result; the returned candidate is the
earliest one with that result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import permutations, product

Execute = Callable[[str], "list | None"]  # SQL -> rows, or None when it fails
MAX_TIE_PERMUTATIONS = 720  # column orders tried when several columns hold the same values


@dataclass
class Vote:
    sql: str
    votes: int  # candidates in the winning group
    valid: int  # candidates that executed
    groups: list[int] = field(default_factory=list)  # group sizes, largest first (rank order)
    index: int = -1  # the chosen candidate's index, -1 when none executed
    group_of: list[int | None] = field(default_factory=list)  # per candidate: group rank, None if failed


# -- canonical forms ---------------------------------------------------------------------------
def _spider_cell(v) -> tuple:
    return (type(v).__name__, 0 if v is None else v)


def _bird_cell(v) -> tuple:
    if isinstance(v, bool | int | float):
        return ("0num", v)  # ints and floats compare (and hash) as Python numbers do
    if v is None:
        return ("1null", 0)
    return (type(v).__name__, v)


def _column_orders(columns: list[tuple]) -> list[tuple[int, ...]]:
    """Column orders that put the columns in a permutation-invariant order.

    Columns are sorted by their multiset of values; columns with equal multisets can still pair
    differently with the other columns, so every arrangement among them is a candidate.
    """
    order = sorted(range(len(columns)), key=lambda i: columns[i])
    ties: list[list[int]] = []
    for i in order:
        if ties and columns[ties[-1][0]] == columns[i]:
            ties[-1].append(i)
        else:
            ties.append([i])
    count = 1
    for t in ties:
        for k in range(2, len(t) + 1):
            count *= k
    if count > MAX_TIE_PERMUTATIONS:  # pathological: keep one order (may split an equal group)
        return [tuple(order)]
    return [tuple(i for part in combo for i in part) for combo in product(*(permutations(t) for t in ties))]


def spider_keys(rows: list) -> tuple[tuple, tuple]:
    """(unordered key, ordered key) of a result under the Spider metric's equivalence."""
    if not rows:
        return (0, ()), (0, ())  # the metric counts any two empty results as equal
    cells = [tuple(_spider_cell(v) for v in row) for row in rows]
    width = len(cells[0])
    columns = [tuple(sorted(row[c] for row in cells)) for c in range(width)]
    unordered = ordered = None
    for perm in _column_orders(columns):
        permuted = [tuple(row[c] for c in perm) for row in cells]
        u, o = tuple(sorted(permuted)), tuple(permuted)
        unordered = u if unordered is None or u < unordered else unordered
        ordered = o if ordered is None or o < ordered else ordered
    return (width, unordered), (width, ordered)


def bird_key(rows: list) -> tuple:
    """The set of rows, as a sorted tuple so that keys are totally ordered."""
    return tuple(sorted({tuple(_bird_cell(v) for v in row) for row in rows}))


# -- the vote ------------------------------------------------------------------------------------
def vote(
    candidates: list[str], execute: Execute, metric: str = "spider", *, keep_distinct: bool = False
) -> Vote:
    """Majority answer among `candidates`; `execute(sql)` returns rows or None on failure.

    `metric` is `spider` or `bird` (see the module doc). If no candidate executes, the first one
    stands with `index=-1`.
    """
    from text2sql.execution.metric import BIRD, check_metric, normalize_sql, order_matters

    check_metric(metric)
    results: dict[str, list | None] = {}
    members: dict[tuple, list[int]] = {}
    ordered: dict[int, tuple] = {}
    orders: dict[int, bool] = {}
    for i, sql in enumerate(candidates):
        run = normalize_sql(sql, keep_distinct, metric) if sql.strip() else ""
        if run not in results:  # identical executed text: execute once
            results[run] = execute(run) if run.strip() else None
        rows = results[run]
        if rows is None:
            continue
        if metric == BIRD:
            key = bird_key(rows)
        else:
            key, ordered[i] = spider_keys(rows)
            orders[i] = order_matters(run)
        members.setdefault(key, []).append(i)
    ranked = sorted(members, key=lambda k: (-len(members[k]), k))
    group_of: list[int | None] = [None] * len(candidates)
    for rank, key in enumerate(ranked):
        for i in members[key]:
            group_of[i] = rank
    if not ranked:
        return Vote(sql=candidates[0] if candidates else "", votes=0, valid=0, group_of=group_of)
    best = members[ranked[0]]
    if metric == BIRD:
        chosen = best[0]  # every member has the same row set, hence the same verdict
    else:
        subgroups: dict[tuple, list[int]] = {}
        for i in best:
            subgroups.setdefault(ordered[i], []).append(i)
        top = min(subgroups, key=lambda o: (-sum(orders[i] for i in subgroups[o]), -len(subgroups[o]), o))
        chosen = subgroups[top][0]
    return Vote(
        sql=candidates[chosen],
        votes=len(best),
        valid=sum(len(m) for m in members.values()),
        groups=[len(members[k]) for k in ranked],
        index=chosen,
        group_of=group_of,
    )
