"""End to end: evaluate() on the bundled sample, prediction formats and `t2s eval` (the gold cache's own
tests are in test_gold_cache.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from db_helpers import NUMS_TABLE, nums_benchmark

from text2sql.core.errors import T2SError
from text2sql.eval.console import render
from text2sql.eval.evaluate import evaluate
from text2sql.eval.predictions import align_predictions, read_predictions

RESULT_KEYS = {"index", "db_id", "question", "gold", "pred", "hardness", "correct", "error", "seconds"}


@pytest.fixture(scope="module")
def dev(sample_bench):
    return sample_bench.examples("dev")


def _db_listing(sample_dir):
    return sorted(str(p.relative_to(sample_dir)) for p in (sample_dir / "database").rglob("*"))


def test_gold_against_gold_is_perfect_and_cached(sample_bench, sample_dir, dev, tmp_path):
    before = _db_listing(sample_dir)
    golds = [ex.query for ex in dev]
    first = evaluate(sample_bench, dev, golds, workers=2, cache_dir=tmp_path / "cache", timeout=5)
    assert first.summary["ex"] == 1.0 and first.summary["count"] == len(dev)
    assert first.summary["gold_cache"]["hits"] == 0 and first.summary["gold_cache"]["misses"] > 0
    assert all(r["correct"] and r["error"] is None and RESULT_KEYS <= r.keys() for r in first.results)
    assert sum(v["count"] for v in first.summary["by_hardness"].values()) == len(dev)
    again = evaluate(sample_bench, dev, golds, workers=1, cache_dir=tmp_path / "cache", timeout=5)
    assert again.summary["gold_cache"] == {"hits": first.summary["gold_cache"]["misses"], "misses": 0}
    assert [r["correct"] for r in again.results] == [r["correct"] for r in first.results]
    assert _db_listing(sample_dir) == before, "evaluation wrote next to the databases"


def test_errors_are_classified(sample_bench, dev, tmp_path):
    preds = [ex.query for ex in dev]
    preds[0] = "SELECT count(*) FROM no_such_table"
    preds[1] = "I think the answer is 42."
    preds[2] = "DELETE FROM student"
    preds[3] = "SELECT 1 FROM student WHERE 0"
    preds[4] = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r"
    preds[5] = "SELECT -12345"
    report = evaluate(sample_bench, dev, preds, workers=2, cache_dir=tmp_path, timeout=0.5)
    kinds = [r["error"] for r in report.results[:6]]
    assert kinds == [
        "unknown_table_column",
        "parse_error",
        "forbidden",
        "empty_result",
        "timeout",
        "wrong_result",
    ]
    assert report.summary["correct"] == len(dev) - 6
    assert report.summary["errors"]["timeout"] == 1 and report.summary["errors"]["order_mismatch"] == 0
    out = report.write(tmp_path / "out")
    lines = (out / "results.jsonl").read_text().splitlines()
    assert len(lines) == len(dev) and json.loads(lines[1])["error"] == "parse_error"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["settings"]["timeout"] == 0.5 and summary["settings"]["keep_distinct"] is False
    from rich.console import Console

    console = Console(record=True, width=100)
    render(report, console)
    text = console.export_text()
    assert "timeout" in text and "easy" in text


def test_order_only_mismatch(sample_bench, dev, tmp_path):
    idx = next(i for i, ex in enumerate(dev) if "ORDER BY" in ex.query and "LIMIT" not in ex.query)
    gold = dev[idx].query
    flipped = gold.replace(" DESC", " ASC") if " DESC" in gold else gold + " DESC"
    preds = [ex.query for ex in dev]
    preds[idx] = flipped
    report = evaluate(sample_bench, dev, preds, workers=1, cache_dir=tmp_path)
    assert report.results[idx]["error"] == "order_mismatch", (gold, flipped)


def test_prediction_count_mismatch(sample_bench, dev, tmp_path):
    with pytest.raises(T2SError, match="predictions for"):
        evaluate(sample_bench, dev, ["SELECT 1"], cache_dir=tmp_path)


def test_read_predictions_formats(tmp_path, dev):
    sqls = ["SELECT 1", "SELECT name FROM student", ""]
    (tmp_path / "p.sql").write_text("SELECT 1\tuniversity\nSELECT name FROM student\n\n\n")
    assert read_predictions(tmp_path / "p.sql") == sqls[:2]  # trailing blank lines are not predictions
    (tmp_path / "q.sql").write_text("SELECT 1\n\nSELECT 2\n")
    assert read_predictions(tmp_path / "q.sql") == ["SELECT 1", "", "SELECT 2"]  # an inner blank line is kept
    (tmp_path / "p.jsonl").write_text("\n".join(json.dumps({"sql": s}) for s in sqls) + "\n")
    assert read_predictions(tmp_path / "p.jsonl") == sqls
    (tmp_path / "p.json").write_text(json.dumps(sqls))
    assert read_predictions(tmp_path / "p.json") == sqls
    with_ids = [{"id": dev[1].id, "sql": "B"}, {"id": dev[0].id, "sql": "A"}]
    (tmp_path / "ids.json").write_text(json.dumps(with_ids))
    assert align_predictions(read_predictions(tmp_path / "ids.json"), dev[:2]) == ["A", "B"]
    with pytest.raises(T2SError, match="no prediction"):
        align_predictions(read_predictions(tmp_path / "ids.json"), dev[:3])
    (tmp_path / "bad.jsonl").write_text('{"sql": "SELECT 1"}\n{oops\n')
    with pytest.raises(T2SError, match="not valid JSON"):
        read_predictions(tmp_path / "bad.jsonl")
    with pytest.raises(T2SError, match="does not exist"):
        read_predictions(tmp_path / "absent.sql")


def _t2s(*args, tmp_path):
    env = dict(os.environ, T2S_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run(
        [sys.executable, "-m", "text2sql", "eval", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )


def test_cli_eval(tmp_path, dev):
    preds = tmp_path / "preds.sql"
    preds.write_text("\n".join(ex.query for ex in dev) + "\n")
    out = tmp_path / "out"
    run = _t2s(
        "--predictions",
        str(preds),
        "--limit",
        "10",
        "--workers",
        "1",
        "--output-dir",
        str(out),
        tmp_path=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "EX" in run.stdout and "100.0" in run.stdout
    summary = json.loads((out / "summary.json").read_text())
    assert summary["count"] == 10 and summary["ex"] == 1.0 and summary["settings"]["limit"] == 10
    assert (tmp_path / "cache" / "gold").is_dir()

    bad = tmp_path / "bad.sql"
    bad.write_text("SELECT 1\n")
    for args, message in [
        (["--predictions", str(tmp_path / "absent.sql")], "does not exist"),
        (["--predictions", str(bad)], "1 predictions for"),
        (["--predictions", str(preds), "--data", str(tmp_path / "nowhere")], "does not exist"),
        (["--predictions", str(preds), "--split", "nosuch"], "not found"),
    ]:
        run = _t2s(*args, tmp_path=tmp_path)
        assert run.returncode == 2, (args, run.stdout, run.stderr)
        assert message in run.stderr and "Traceback" not in run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr


def test_unknown_db_and_unreadable_database(tmp_path):
    from text2sql.data.benchmark import load_benchmark

    root = tmp_path / "bench"
    (root / "database" / "broken").mkdir(parents=True)
    (root / "database" / "broken" / "broken.sqlite").write_bytes(b"this is not a database" * 100)
    (root / "tables.json").write_text(json.dumps([{**NUMS_TABLE, "db_id": "broken"}]))
    (root / "dev.json").write_text(
        json.dumps([{"db_id": "broken", "question": "q", "query": "SELECT a FROM t"}])
    )
    (root / "other.json").write_text(json.dumps([{"db_id": "ghost", "question": "q", "query": "SELECT 1"}]))
    bench = load_benchmark(root)
    with pytest.raises(T2SError, match="cannot read database"):
        evaluate(bench, bench.examples("dev"), ["SELECT a FROM t"], cache_dir=tmp_path / "c")
    with pytest.raises(T2SError, match="ghost"):
        evaluate(bench, bench.examples("other"), ["SELECT 1"], cache_dir=tmp_path / "c")


@pytest.mark.spider
def test_spider_dev_gold_vs_gold(spider_dir, tmp_path):
    from text2sql.data.benchmark import load_benchmark

    bench = load_benchmark(spider_dir)
    examples = bench.examples("dev")
    report = evaluate(bench, examples, [ex.query for ex in examples], workers=2, cache_dir=tmp_path)
    assert report.summary["count"] == 1034
    assert report.summary["ex"] == 1.0, [r for r in report.results if not r["correct"]][:3]
    counts = {k: v["count"] for k, v in report.summary["by_hardness"].items()}
    assert counts == {"easy": 248, "medium": 446, "hard": 174, "extra": 166}


def test_test_suite_folder_needs_every_file(tmp_path):
    """A database folder with several .sqlite files: the prediction must match on each of them."""
    from text2sql.data.benchmark import load_benchmark

    root = tmp_path / "suite"
    gold = "SELECT a FROM t WHERE a < 3"
    folder = nums_benchmark(root, {"nums.sqlite": [1, 2], "nums_alt.sqlite": [1, 3]}, gold, copies=3)
    bench = load_benchmark(root)
    preds = [
        gold,
        "SELECT a FROM t WHERE a <= 2",
        "SELECT a FROM t WHERE a < 5",
    ]  # the last is right on nums only
    report = evaluate(bench, bench.examples("dev"), preds, workers=1, cache_dir=tmp_path / "c")
    assert [r["correct"] for r in report.results] == [True, True, False]
    assert report.results[2]["error"] == "wrong_result"
    assert report.summary["settings"]["test_suite"] is True
    assert sorted(p.name for p in folder.iterdir()) == ["nums.sqlite", "nums_alt.sqlite"]
