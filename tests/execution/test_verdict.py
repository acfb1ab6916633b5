"""The verdict engine: gold once per file and cached, every test-suite file checked, the first failure decides."""

from __future__ import annotations

import pytest
from db_helpers import write_ints

from text2sql.core.errors import T2SError
from text2sql.execution.executor import Executor
from text2sql.execution.verdict import Judge, classify_on_databases


def _dbs(tmp_path, contents: list[list[int]]) -> list[str]:
    return [str(write_ints(tmp_path / f"db{i}.sqlite", rows)) for i, rows in enumerate(contents)]


class Recorded:
    """An execute function that records each (db, sql) it runs: what ran, and so what a cache saved."""

    def __init__(self, execute):
        self.execute, self.calls = execute, []

    def __call__(self, db: str, sql: str):
        self.calls.append((db, sql))
        return self.execute(db, sql)

    @property
    def sqls(self) -> list[str]:
        return [sql for _, sql in self.calls]


def test_distinct_removed_on_both_sides_unless_kept(tmp_path):
    path = write_ints(tmp_path / "d.sqlite", [1, 1, 2])
    ex = Executor()
    gold, pred = "SELECT DISTINCT a FROM t", "SELECT a FROM t"
    assert classify_on_databases([str(path)], gold, pred, ex.execute) == (True, None)
    assert classify_on_databases([str(path)], gold, pred, ex.execute, keep_distinct=True) == (
        False,
        "wrong_result",
    )


def test_test_suite_requires_every_database(tmp_path):
    paths = _dbs(tmp_path, [[1, 2], [1, 3]])
    ex = Executor()
    gold, pred = "SELECT a FROM t WHERE a < 3", "SELECT a FROM t WHERE a IN (1, 2)"
    assert classify_on_databases(paths[:1], gold, pred, ex.execute) == (True, None)
    assert classify_on_databases(paths, gold, pred, ex.execute) == (True, None)
    pred_wrong = "SELECT a FROM t WHERE a < 5"  # right on db0, wrong on db1
    assert classify_on_databases(paths[:1], gold, pred_wrong, ex.execute) == (True, None)
    assert classify_on_databases(paths, gold, pred_wrong, ex.execute) == (False, "wrong_result")


def test_gold_runs_once_per_file_and_the_first_failing_file_decides(tmp_path):
    paths = _dbs(tmp_path, [[1, 2], [1, 3], [4]])
    ex = Executor()
    counted = Recorded(ex.execute)
    judge = Judge(ex.execute, counted)
    gold = "SELECT a FROM t WHERE a < 3"
    right = judge(paths[:2], gold, "SELECT a FROM t WHERE a IN (1, 2)")
    assert right.verdict == (True, None) and right.message == ""
    assert right.gold.rows == [(1,), (2,)] and right.pred.rows == [(1,), (2,)]  # the first file's results
    wrong = judge(paths, gold, "SELECT a FROM t WHERE a < 5")  # right on db0, wrong on db1: db2 never runs
    assert wrong.verdict == (False, "wrong_result") and wrong.executed
    assert wrong.pred.rows == [(1,), (2,)]
    assert counted.calls == [(paths[0], gold), (paths[1], gold)]  # cached across predictions, db2 untouched
    failed = judge(paths, gold, "SELECT nope FROM t")
    assert failed.verdict == (False, "unknown_table_column") and not failed.executed
    assert "no such column" in failed.message and len(counted.calls) == 2


def test_the_gold_itself_reuses_its_result_and_a_failing_gold_is_gold_error(tmp_path):
    paths = _dbs(tmp_path, [[1]])
    ex = Executor()
    execute = Recorded(ex.execute)
    judge = Judge(execute, ex.execute)
    assert judge(paths, "SELECT a FROM t WHERE a > = 1", "SELECT a FROM t WHERE a >= 1").verdict == (True, None)
    assert execute.sqls == []  # normalised, the prediction is the gold: its cached result, no second run
    bad = judge(paths, "SELECT b FROM t", "SELECT a FROM t")
    assert bad.verdict == (False, "gold_error") and "no such column: b" in bad.message and not bad.executed
    several = judge(paths, "SELECT 1; SELECT 2", "SELECT 1")
    assert several.verdict == (False, "gold_error") and several.message == "gold holds 2 statements; t2s runs one"


def test_gold_cache_is_bounded(tmp_path):
    paths = _dbs(tmp_path, [[1]])
    ex = Executor()
    gold = Recorded(ex.execute)
    judge = Judge(ex.execute, gold, cache_size=2)
    for g in ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 3", "SELECT 1"]:
        assert judge(paths, g, g.replace("SELECT ", "SELECT 0 + ")).correct
    assert gold.sqls == ["SELECT 1", "SELECT 2", "SELECT 3", "SELECT 1"] and len(judge.cache) == 2
    uncached = Judge(ex.execute, gold, cache_size=0)
    uncached(paths, "SELECT 1", "SELECT 1")
    assert not uncached.cache


def test_bird_metric_and_an_unknown_metric(tmp_path):
    paths = _dbs(tmp_path, [[1, 1, 2]])
    ex = Executor()
    assert Judge(ex.execute, metric="bird")(paths, "SELECT a FROM t", "SELECT DISTINCT a FROM t").correct
    assert not Judge(ex.execute)(paths, "SELECT a FROM t", "SELECT a FROM t WHERE a = 1").correct
    with pytest.raises(T2SError, match="unknown metric"):
        Judge(ex.execute, metric="nope")
