"""Execution accuracy with the official Spider / test-suite semantics (test-suite-sql-eval `exec_eval.py`),
or BIRD's official EX (`evaluation.py` of the BIRD benchmark).

Two metrics, chosen by name (`METRICS`):
- `spider`: the test-suite evaluator, described below;
- `bird`: BIRD's `set(predicted_res) == set(ground_truth_res)` on the raw fetched rows: the SQL is
  executed exactly as written (no DISTINCT removal, no other rewriting), duplicates and row order
  are ignored, columns are compared in their order (no permutations).

`results_equal` is a faithful port of the official `result_eq`: bag semantics over rows, any
column permutation, row order only when asked. Values compare with Python `==` exactly as the
official does: `1 == 1.0`, `None == None`, no float tolerance, `'1' != 1`.
The query normalisation (`postprocess`, `remove_distinct`, `replace_cur_year`, `order_matters`)
is the official one too; see docs/evaluation.md for the one official step we do not copy.
The verdict over a database's test-suite files is `text2sql.execution.verdict`.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache
from itertools import chain, product

from text2sql.core.errors import T2SError
from text2sql.execution.executor import EXEC_ERRORS, ExecResult

EMPTY_RESULT = "empty_result"
WRONG_RESULT = "wrong_result"
ORDER_MISMATCH = "order_mismatch"
GOLD_ERROR = "gold_error"
ERROR_KINDS = (*EXEC_ERRORS, EMPTY_RESULT, WRONG_RESULT, ORDER_MISMATCH, GOLD_ERROR)
SPIDER, BIRD = "spider", "bird"
METRICS = (SPIDER, BIRD)


def check_metric(metric: str) -> str:
    if metric not in METRICS:
        raise T2SError(f"unknown metric {metric!r}: choose one of {', '.join(METRICS)}")
    return metric


def default_metric(bench) -> str:
    """BIRD-format data is scored with BIRD's official EX, everything else with Spider's."""
    return BIRD if getattr(bench, "format", None) == "bird" else SPIDER


# -- query normalisation (official) ---------------------------------------------------------------

def postprocess(query: str) -> str:
    """Official: join comparison operators a tokenizer split apart."""
    return query.replace("> =", ">=").replace("< =", "<=").replace("! =", "!=")


@lru_cache(maxsize=65536)
def remove_distinct(query: str) -> str:
    """Official: drop every `distinct` token of sqlparse's FIRST statement (string literals untouched).

    Keeping only the first statement is an official side effect we reproduce: without
    --keep-distinct, `SELECT 1; SELECT 2` is scored as `SELECT 1;`.
    """
    low = query.lower()
    if "distinct" not in low and ";" not in query and "go" not in low:
        return query  # one statement, nothing to drop: sqlparse would give the input back unchanged
    import sqlparse

    try:
        statements = sqlparse.parse(query)
    except Exception:  # sqlparse refuses pathological input by raising; the official would crash
        return query
    if not statements:
        return query
    return "".join(t.value for t in statements[0].flatten() if t.value.lower() != "distinct")


_CUR_YEAR = re.compile(r"YEAR\s*\(\s*CURDATE\s*\(\s*\)\s*\)\s*", re.IGNORECASE)


def replace_cur_year(query: str) -> str:
    """Official: MySQL's YEAR(CURDATE()) becomes the constant 2020 before execution."""
    return _CUR_YEAR.sub("2020", query)


def normalize_sql(query: str, keep_distinct: bool = False, metric: str = SPIDER) -> str:
    """The exact string the official evaluator executes (for both gold and prediction).

    BIRD's evaluator executes the SQL as written.
    """
    if metric == BIRD:
        return query
    query = postprocess(query)
    if not keep_distinct:
        query = remove_distinct(query)
    return replace_cur_year(query)


def order_matters(gold: str, metric: str = SPIDER) -> bool:
    """Official: a plain substring test on the (post-processed) gold, e.g. `order\\nby` does not count.

    BIRD compares sets of rows: order never matters.
    """
    return metric != BIRD and "order by" in gold.lower()


# -- result comparison (official result_eq) --------------------------------------------------------
def permute_tuple(element: Sequence, perm: Sequence[int]) -> tuple:
    assert len(perm) == len(element)
    return tuple(element[i] for i in perm)


def unorder_row(row: Sequence) -> tuple:
    return tuple(sorted(row, key=lambda x: str(x) + str(type(x))))


def row_f1(gold_rows: Sequence[Sequence], pred_rows: Sequence[Sequence]) -> float:
    """F1 of the bag of predicted rows against the bag of gold rows (cells within a row in any order):
    the RL rewards' dense `result_overlap`, with the metric's own row key."""
    if not gold_rows and not pred_rows:
        return 1.0
    if not gold_rows or not pred_rows:
        return 0.0
    common = sum((Counter(map(unorder_row, gold_rows)) & Counter(map(unorder_row, pred_rows))).values())
    if not common:
        return 0.0
    precision, recall = common / len(pred_rows), common / len(gold_rows)
    return 2 * precision * recall / (precision + recall)


def quick_rejection(result1: list, result2: list, order_matters: bool) -> bool:
    """True when the rows, each sorted internally, can still match (a cheap necessary condition)."""
    if order_matters:  # the official `s1 == s2` on lists, evaluated lazily: stops at the first difference
        return len(result1) == len(result2) and all(
            unorder_row(a) == unorder_row(b) for a, b in zip(result1, result2, strict=True)
        )
    return {unorder_row(row) for row in result1} == {unorder_row(row) for row in result2}


def multiset_eq(l1: list, l2: list) -> bool:
    if len(l1) != len(l2):
        return False
    d: dict = defaultdict(int)
    for e in l1:
        d[e] += 1
    for e in l2:
        d[e] -= 1
        if d[e] < 0:
            return False
    return True


def get_constraint_permutation(tab1_sets_by_columns: list[set], result2: list):
    """Candidate column permutations; pruning by 20 sampled rows only removes impossible ones."""
    num_cols = len(result2[0])
    perm_constraints = [set(range(num_cols)) for _ in range(num_cols)]
    if num_cols <= 3:
        return product(*perm_constraints)
    rng = random.Random(0)  # the official uses the global RNG; pruning is sound either way
    for _ in range(20):
        random_tab2_row = rng.choice(result2)
        for tab1_col in range(num_cols):
            for tab2_col in set(perm_constraints[tab1_col]):
                if random_tab2_row[tab2_col] not in tab1_sets_by_columns[tab1_col]:
                    perm_constraints[tab1_col].remove(tab2_col)
    return product(*perm_constraints)


def _typed(rows: list) -> list:
    return [(row, tuple(map(type, row))) for row in rows]


def results_equal(gold_rows: list, pred_rows: list, order_matters: bool) -> bool:
    """Official `result_eq(gold, pred, order_matters)`: same bag of rows up to a column permutation."""
    result1, result2 = gold_rows, pred_rows
    if len(result1) == 0 and len(result2) == 0:
        return True
    if len(result1) != len(result2):
        return False
    num_cols = len(result1[0])
    if len(result2[0]) != num_cols:
        return False
    # Shortcuts (not in the official code, same answers). Rows equal with the same cell types pass
    # quick_rejection and the identity permutation; a column permutation can only make the results
    # equal if both hold the same multiset of cells.
    if result1 == result2 and _typed(result1) == _typed(result2):
        return True
    if not order_matters and Counter(result1) == Counter(result2):
        if Counter(_typed(result1)) == Counter(_typed(result2)):
            return True
    if Counter(chain.from_iterable(result1)) != Counter(chain.from_iterable(result2)):
        return False
    if not quick_rejection(result1, result2, order_matters):
        return False
    # Shortcut: the identity permutation is always among the official candidates, so identical rows
    # pass. Only after quick_rejection, which can reject `(1, '1.0')` against `(1.0, '1.0')`.
    if result1 == result2 or (not order_matters and Counter(result1) == Counter(result2)):
        return True
    tab1_sets_by_columns = [{row[i] for row in result1} for i in range(num_cols)]
    for perm in get_constraint_permutation(tab1_sets_by_columns, result2):
        if len(perm) != len(set(perm)):
            continue
        result2_perm = result2 if num_cols == 1 else [permute_tuple(e, perm) for e in result2]
        if order_matters:
            if result1 == result2_perm:
                return True
        elif set(result1) == set(result2_perm) and multiset_eq(result1, result2_perm):
            return True
    return False


def bird_results_equal(gold_rows: list, pred_rows: list) -> bool:
    """BIRD's official EX: `set(predicted_res) == set(ground_truth_res)`."""
    return set(map(tuple, pred_rows)) == set(map(tuple, gold_rows))


# -- per-example verdict -------------------------------------------------------------------------
def classify(
    gold: ExecResult, pred: ExecResult, order_matters: bool, metric: str = SPIDER
) -> tuple[bool, str | None]:
    """Verdict on one database file: (correct, error kind or None)."""
    if not gold.ok:
        return False, GOLD_ERROR
    if not pred.ok:
        return False, pred.error
    g, p = [tuple(r) for r in gold.rows], [tuple(r) for r in pred.rows]
    if metric == BIRD:
        if bird_results_equal(g, p):
            return True, None
        return False, EMPTY_RESULT if not p else WRONG_RESULT
    if results_equal(g, p, order_matters):
        return True, None
    if not p:
        return False, EMPTY_RESULT
    if order_matters and results_equal(g, p, False):
        return False, ORDER_MISMATCH
    return False, WRONG_RESULT


@lru_cache(maxsize=65536)
def statement_count(sql: str) -> int:
    """How many non-empty statements `sql` holds, split on sqlglot's `;` tokens (strings and comments
    excluded); text sqlglot cannot tokenize counts as one, for SQLite to judge."""
    import sqlglot
    from sqlglot.tokens import TokenType

    try:
        tokens = sqlglot.tokenize(sql, read="sqlite")
    except (sqlglot.errors.TokenError, ValueError, RecursionError):
        return 1
    count, current = 0, 0
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            count += current > 0
            current = 0
        else:
            current += 1
    return count + (current > 0)
