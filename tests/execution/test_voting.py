"""Self-consistency voting groups candidates exactly as the EX metric compares them."""

from __future__ import annotations

import random
import sqlite3

import pytest

from text2sql.execution.executor import Executor
from text2sql.execution.verdict import classify_on_databases
from text2sql.execution.voting import bird_key, spider_keys, vote

RESULTS = {
    "A1": [(1,), (2,)],
    "A2": [(2,), (1,)],  # same multiset as A1, other order
    "B": [(1,), (1,), (2,)],  # same set as A1 but another multiset
    "C": [(1, "x"), (2, "y")],
    "C_swapped": [("x", 1), ("y", 2)],  # C up to a column permutation
}


def execute(sql):
    return RESULTS.get(sql)  # unknown SQL -> None (fails)


def test_majority_uses_metric_multisets_not_row_sets():
    v = vote(["B", "A1", "B", "A2", "A1"], execute)
    assert v.sql == "A1" and v.votes == 3 and v.groups == [3, 2] and v.valid == 5
    assert v.index == 1 and v.group_of == [1, 0, 1, 0, 0]


def test_bird_votes_on_row_sets():
    v = vote(["B", "A1", "B", "A2", "A1"], execute, "bird")
    assert v.votes == 5 and v.groups == [5] and v.index == 0


def test_column_permutations_agree_under_spider_but_not_bird():
    assert vote(["C", "C_swapped"], execute).groups == [2]
    assert vote(["C", "C_swapped"], execute, "bird").groups == [1, 1]


def test_failed_candidates_get_no_vote():
    v = vote(["bad", "bad", "bad", "A1"], execute)
    assert v.sql == "A1" and v.votes == 1 and v.valid == 1 and v.index == 3
    assert v.group_of == [None, None, None, 0]


def test_all_failing_falls_back_to_first_candidate():
    v = vote(["bad1", "bad2"], execute)
    assert v.sql == "bad1" and v.votes == 0 and v.valid == 0 and v.index == -1 and v.group_of == [None, None]


def test_tie_goes_to_the_smallest_key_not_the_first_seen():
    # sorted rows: B = (1, 1, 2) < A1 = (1, 2), whichever comes first
    assert vote(["B", "A1"], execute).sql == "B"
    assert vote(["A1", "B"], execute).sql == "B"
    assert vote(["A1", "B"], execute).group_of == [1, 0]


def test_canonical_keys():
    assert spider_keys([(1, "a"), (2, "b")]) == spider_keys([("a", 1), ("b", 2)])  # columns swapped
    assert spider_keys([(1, "a"), (2, "b")])[0] == spider_keys([("b", 2), ("a", 1)])[0]
    assert spider_keys([(1, 2), (2, 1)])[0] == spider_keys([(2, 1), (1, 2)])[0]  # tied columns
    assert spider_keys([(1, 2), (3, 4)])[1] != spider_keys([(3, 4), (1, 2)])[1]  # order kept in ordered key
    assert spider_keys([])[0] == spider_keys([])[0]
    assert spider_keys([(1,)]) != spider_keys([(1.0,)])  # types kept, as the official comparison does
    assert bird_key([(1,), (1,)]) == bird_key([(1.0,)])  # a Python set: 1 == 1.0
    assert bird_key([(1, "a")]) != bird_key([("a", 1)])


@pytest.fixture(scope="module")
def city_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("vote") / "shops.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE shop (name TEXT, city TEXT, staff INTEGER)")
    con.executemany(
        "INSERT INTO shop VALUES (?, ?, ?)",
        [("A", "Oslo", 3), ("B", "Oslo", 5), ("C", "Rome", 2), ("D", "Paris", 5), ("E", "Rome", 1)],
    )
    con.commit()
    con.close()
    return str(path)


def _voter(db, metric="spider"):
    ex = Executor(timeout=5)

    def run(sql):
        res = ex.execute(db, sql)
        return None if res.error else res.rows

    return lambda cands: vote(cands, run, metric), ex


def test_issue_example_distinct_and_plain_agree(city_db):
    do, ex = _voter(city_db)
    gold = "SELECT DISTINCT city FROM shop"
    wrong = "SELECT city FROM shop WHERE staff > 2"
    cands = [
        wrong,
        wrong,
        "SELECT DISTINCT city FROM shop",
        "SELECT city FROM shop",
        "SELECT DISTINCT city FROM shop",
    ]
    v = do(cands)
    assert v.votes == 3 and v.sql != wrong
    assert classify_on_databases([city_db], gold, v.sql, ex.execute) == (True, None)


POOL = [
    "SELECT DISTINCT city FROM shop",
    "SELECT city FROM shop",
    "SELECT city FROM shop GROUP BY city",
    "SELECT city FROM shop ORDER BY city",
    "SELECT city FROM shop ORDER BY city DESC",
    "SELECT DISTINCT city FROM shop ORDER BY city DESC",
    "SELECT name, city FROM shop",
    "SELECT city, name FROM shop",
    "SELECT city, name FROM shop ORDER BY name DESC",
    "SELECT name, city FROM shop ORDER BY name",
    "SELECT city FROM shop WHERE staff > 2",
    "SELECT count(*) FROM shop",
    "SELECT count(DISTINCT city) FROM shop",
    "SELECT nope FROM shop",
    "this is no query",
]
GOLDS = [
    "SELECT DISTINCT city FROM shop",
    "SELECT city FROM shop ORDER BY city",
    "SELECT city FROM shop ORDER BY city DESC",
    "SELECT name, city FROM shop ORDER BY name",
    "SELECT count(DISTINCT city) FROM shop",
]


@pytest.mark.parametrize("metric", ["spider", "bird"])
def test_shuffling_never_changes_the_chosen_verdict(city_db, metric):
    do, ex = _voter(city_db, metric)
    rng = random.Random(7)
    cache: dict = {}

    def verdict(gold, sql):
        if (gold, sql) not in cache:
            cache[gold, sql] = classify_on_databases([city_db], gold, sql, ex.execute, metric=metric)[0]
        return cache[gold, sql]

    for _ in range(150):
        cands = [rng.choice(POOL) for _ in range(rng.randint(1, 7))]
        first = do(cands)
        for _ in range(4):
            shuffled = cands[:]
            rng.shuffle(shuffled)
            v = do(shuffled)
            assert (v.votes, v.valid, v.groups) == (first.votes, first.valid, first.groups)
            assert shuffled[v.index] == v.sql if v.index >= 0 else v.sql == shuffled[0]
            for gold in GOLDS:
                if first.index >= 0:
                    assert verdict(gold, v.sql) == verdict(gold, first.sql), (gold, cands, shuffled)
        # groups are exactly the metric's equivalence on the executed candidates
        for i, a in enumerate(cands):
            for j, b in enumerate(cands):
                gi, gj = first.group_of[i], first.group_of[j]
                if gi is not None and gj is not None and "ORDER BY" not in a + b:
                    assert (gi == gj) == verdict(a, b), (metric, a, b)
