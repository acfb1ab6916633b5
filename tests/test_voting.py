from collections import Counter

from text2sql.eval.voting import vote

RESULTS = {
    "A1": [(1,), (2,)],
    "A2": [(2,), (1,)],  # same multiset as A1
    "B": [(1,), (1,), (2,)],  # same set as A1 but another multiset
    "ORD1 ORDER BY x": [(1,), (2,)],
    "ORD2 ORDER BY x": [(2,), (1,)],
}


def execute(sql):
    return RESULTS.get(sql)  # unknown SQL -> None (fails)


def multiset_equal(a, b, order_matters):
    return list(a) == list(b) if order_matters else Counter(a) == Counter(b)


def test_majority_uses_metric_equivalence_not_row_sets():
    # B has the same row *set* as A1/A2 but another multiset: it must form its own group
    v = vote(["B", "A1", "B", "A2", "A1"], execute, multiset_equal)
    assert v.sql == "A1" and v.votes == 3 and v.groups == [3, 2] and v.valid == 5


def test_frozenset_would_differ():
    v = vote(["B", "B", "A1"], execute, multiset_equal)
    assert v.sql == "B" and v.votes == 2 and v.groups == [2, 1]


def test_failed_candidates_get_no_vote():
    v = vote(["bad", "bad", "bad", "A1"], execute, multiset_equal)
    assert v.sql == "A1" and v.votes == 1 and v.valid == 1


def test_all_failing_falls_back_to_first_candidate():
    v = vote(["bad1", "bad2"], execute, multiset_equal)
    assert v.sql == "bad1" and v.votes == 0 and v.valid == 0


def test_order_matters_only_when_both_order():
    v = vote(["ORD1 ORDER BY x", "ORD2 ORDER BY x", "A1"], execute, multiset_equal)
    # ORD1 and ORD2 differ in order and both order -> separate; A1 (unordered) joins ORD1's group
    assert v.sql == "ORD1 ORDER BY x" and v.groups == [2, 1]


def test_tie_goes_to_first_seen_group():
    v = vote(["B", "A1"], execute, multiset_equal)
    assert v.sql == "B" and v.votes == 1
