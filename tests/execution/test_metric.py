"""Metric edge cases: the official `result_eq` semantics and the per-example error taxonomy."""

from __future__ import annotations

import pytest

from text2sql.execution.executor import ExecResult
from text2sql.execution.metric import (
    classify,
    normalize_sql,
    order_matters,
    remove_distinct,
    results_equal,
    row_f1,
)


@pytest.mark.parametrize(
    "gold, pred, om, expected",
    [
        ([], [], False, True),  # both empty
        ([], [], True, True),
        ([(1,)], [], False, False),
        ([], [(None,)], False, False),
        # column permutations
        ([(1, "a")], [("a", 1)], False, True),
        ([(1, "a", 2.5), (2, "b", 3.5)], [("a", 2.5, 1), ("b", 3.5, 2)], True, True),
        ([(1, 2, 3, 4, 5)], [(5, 4, 3, 2, 1)], False, True),  # > 3 columns: constrained permutations
        ([(1, 2, 3, 4), (1, 2, 3, 5)], [(4, 3, 2, 1), (5, 3, 2, 1)], False, True),
        ([(1, 2)], [(1, 2, 3)], False, False),  # column count differs
        # the permutation is one for all rows, not one per row
        ([(1, 2), (3, 4)], [(2, 1), (3, 4)], False, False),
        # duplicates: bag semantics
        ([(1,), (1,), (2,)], [(1,), (2,), (2,)], False, False),
        ([(1,), (1,), (2,)], [(2,), (1,), (1,)], False, True),
        ([(1,), (2,)], [(1,), (1,), (2,)], False, False),
        # order only when asked
        ([(1,), (2,)], [(2,), (1,)], False, True),
        ([(1,), (2,)], [(2,), (1,)], True, False),
        # NULLs compare equal to NULL, not to 0 or ''
        ([(None, 1)], [(1, None)], False, True),
        ([(None,)], [(0,)], False, False),
        ([(None,)], [("",)], False, False),
        # numbers: Python equality, so 1 == 1.0 but no float tolerance, and '1' != 1
        ([(1,)], [(1.0,)], False, True),
        ([(0.1 + 0.2,)], [(0.3,)], False, False),
        ([(1,)], [("1",)], False, False),
        # mixed types in one column
        ([(1,), ("a",), (None,)], [(None,), (1,), ("a",)], False, True),
        ([(b"\x00",)], [(b"\x00",)], False, True),
        # official quirk: quick_rejection sorts cells by str(value) + str(type), so an int/float swap
        # can reorder a row and reject results that are equal under ==
        ([(1, "1.0")], [(1.0, "1.0")], False, False),
        ([(1, "a")], [(1.0, "a")], False, True),
    ],
)
def test_results_equal(gold, pred, om, expected):
    assert results_equal(gold, pred, om) is expected


def test_results_equal_is_order_sensitive_but_column_permutation_free_with_order():
    gold = [(1, "x"), (2, "y")]
    assert results_equal(gold, [("x", 1), ("y", 2)], True)
    assert not results_equal(gold, [("y", 2), ("x", 1)], True)


def _ok(rows):
    return ExecResult(rows=rows, columns=None)


def test_classify_taxonomy():
    gold = _ok([(1,), (2,)])
    assert classify(gold, _ok([(2,), (1,)]), False) == (True, None)
    assert classify(gold, _ok([(2,), (1,)]), True) == (False, "order_mismatch")
    assert classify(gold, _ok([]), False) == (False, "empty_result")
    assert classify(gold, _ok([(3,)]), False) == (False, "wrong_result")
    assert classify(gold, ExecResult(None, error="timeout", message="interrupted"), False) == (
        False,
        "timeout",
    )
    assert classify(ExecResult(None, error="runtime_error"), _ok([]), False) == (False, "gold_error")
    # an empty gold is matched by an empty prediction only (official behaviour)
    assert classify(_ok([]), _ok([]), False) == (True, None)
    assert classify(_ok([]), _ok([(1,)]), False) == (False, "wrong_result")


def test_normalisation_matches_the_official():
    assert remove_distinct("SELECT DISTINCT name FROM t") == "SELECT  name FROM t"
    assert remove_distinct("SELECT count(DISTINCT name) FROM t") == "SELECT count( name) FROM t"
    assert remove_distinct("SELECT a FROM t WHERE b = 'distinct'") == "SELECT a FROM t WHERE b = 'distinct'"
    assert remove_distinct("SELECT distinct_col FROM t") == "SELECT distinct_col FROM t"
    # the official keeps sqlparse's first statement only (and this only when DISTINCT is removed)
    assert remove_distinct("SELECT a FROM t; DROP TABLE t") == "SELECT a FROM t; "
    assert normalize_sql("SELECT a FROM t; LIMIT 1", keep_distinct=True) == "SELECT a FROM t; LIMIT 1"
    assert normalize_sql("SELECT DISTINCT a FROM t", keep_distinct=True) == "SELECT DISTINCT a FROM t"
    assert (
        normalize_sql("SELECT a FROM t WHERE b > = 2 AND c ! = 1")
        == "SELECT a FROM t WHERE b >= 2 AND c != 1"
    )
    assert normalize_sql("SELECT YEAR(CURDATE()) - age FROM t") == "SELECT 2020- age FROM t"
    # the official does NOT rewrite `value` in execution; see docs/evaluation.md
    assert normalize_sql("SELECT value FROM t") == "SELECT value FROM t"
    assert order_matters("SELECT a FROM t ORDER BY a")
    assert not order_matters("SELECT a FROM t ORDER  BY a")  # official substring test, quirks included


def test_row_f1():
    assert row_f1([(1,), (2,)], [(1,), (2,)]) == 1.0
    assert row_f1([(1,), (2,)], [(1,)]) == pytest.approx(2 / 3)
    assert row_f1([(1, "a")], [("a", 1)]) == 1.0  # column order does not matter
    assert row_f1([(1,), (1,)], [(1,)]) == pytest.approx(2 / 3)  # bags, not sets
    assert row_f1([(1,)], []) == 0.0 and row_f1([], []) == 1.0
