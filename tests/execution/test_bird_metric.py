"""BIRD's official EX and R-VES on a BIRD-format fixture, checked against a re-implementation of BIRD's script."""

from __future__ import annotations

import json
import math
import sqlite3
import subprocess
import sys

import pytest

from text2sql.core.errors import T2SError
from text2sql.data.benchmark import load_benchmark
from text2sql.eval.evaluate import evaluate
from text2sql.eval.predictions import align_predictions, read_predictions
from text2sql.eval.ves import clean_abnormal, ves_reward
from text2sql.execution.executor import Executor
from text2sql.execution.verdict import classify_on_databases


def official_bird_ex(db_path, predicted_sql: str, ground_truth: str) -> int:
    """BIRD's evaluation.py `execute_sql`, verbatim in behaviour: plain connection, set of fetched rows."""
    conn = sqlite3.connect(db_path)
    try:
        cursor = conn.cursor()
        cursor.execute(predicted_sql)
        predicted_res = cursor.fetchall()
        cursor.execute(ground_truth)
        ground_truth_res = cursor.fetchall()
        return int(set(predicted_res) == set(ground_truth_res))
    except Exception:  # the official's execute_model: any failure scores 0
        return 0
    finally:
        conn.close()


# (gold, prediction): each case is scored differently by at least one of Spider's rules and BIRD's.
CASES = [
    ("SELECT COUNT(DISTINCT city) FROM shop", "SELECT COUNT(city) FROM shop"),  # BIRD: wrong
    ("SELECT DISTINCT city FROM shop", "SELECT city FROM shop GROUP BY city"),  # BIRD: right
    ("SELECT DISTINCT city FROM shop", "SELECT city FROM shop"),  # duplicates: right under set
    ("SELECT city FROM shop", "SELECT DISTINCT city FROM shop"),
    ("SELECT name, city FROM shop", "SELECT city, name FROM shop"),  # column order counts
    ("SELECT city FROM shop ORDER BY city", "SELECT city FROM shop ORDER BY city DESC"),  # order ignored
    ("SELECT name FROM shop WHERE city = 'Oslo'", "SELECT name FROM shop WHERE city = 'Rome'"),
    ("SELECT name FROM shop WHERE city = 'Nowhere'", "SELECT name FROM shop WHERE 0"),  # both empty
    ("SELECT name FROM shop", "SELECT name FROM shop WHERE 0"),
    ("SELECT COUNT(*) FROM shop", "SELECT COUNT(*) FROM nope"),
    ("SELECT AVG(staff) FROM shop", "SELECT SUM(staff) * 1.0 / COUNT(*) FROM shop"),
    ("SELECT staff FROM shop WHERE name = 'A'", "SELECT staff * 1.0 FROM shop WHERE name = 'A'"),  # 3 == 3.0
    ("SELECT name FROM shop ORDER BY staff DESC LIMIT 1", "SELECT name FROM shop ORDER BY staff LIMIT 1"),
    (
        "SELECT T1.name FROM shop AS T1 JOIN sale AS T2 ON T1.id = T2.shop_id",
        "SELECT name FROM shop WHERE id IN (SELECT shop_id FROM sale)",  # a bag differs, a set does not
    ),
    ("SELECT city, COUNT(*) FROM shop GROUP BY city", "SELECT city, COUNT(city) FROM shop GROUP BY city"),
    ("SELECT name FROM shop", "this is not sql"),
    ("SELECT amount FROM sale WHERE shop_id = 1", "SELECT amount FROM sale WHERE shop_id = 1 UNION SELECT 5"),
]


def _make_db(path, rows_shop, rows_sale):
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE shop (id INTEGER PRIMARY KEY, name TEXT, city TEXT, staff INTEGER)")
    con.execute(
        "CREATE TABLE sale (id INTEGER PRIMARY KEY, shop_id INTEGER REFERENCES shop(id), amount REAL)"
    )
    con.executemany("INSERT INTO shop VALUES (?, ?, ?, ?)", rows_shop)
    con.executemany("INSERT INTO sale VALUES (?, ?, ?)", rows_sale)
    con.commit()
    con.close()


@pytest.fixture()
def bird(tmp_path):
    """A BIRD-format folder: dev.json (SQL, evidence, difficulty), dev_tables.json, dev_databases/."""
    root = tmp_path / "bird"
    for db_id, shops in {
        "retail": [(1, "A", "Oslo", 3), (2, "B", "Oslo", 5), (3, "C", "Rome", 2), (4, "D", "Paris", 5)],
        "market": [(1, "X", "Lima", 7), (2, "Y", "Lima", 1)],
    }.items():
        folder = root / "dev_databases" / db_id
        folder.mkdir(parents=True)
        _make_db(folder / f"{db_id}.sqlite", shops, [(1, 1, 10.0), (2, 1, 5.0), (3, 2, 7.5)])
    tables = []
    for db_id in ("retail", "market"):
        tables.append(
            {
                "db_id": db_id,
                "table_names_original": ["shop", "sale"],
                "table_names": ["shop", "sale"],
                "column_names_original": [
                    [-1, "*"],
                    [0, "id"],
                    [0, "name"],
                    [0, "city"],
                    [0, "staff"],
                    [1, "id"],
                    [1, "shop_id"],
                    [1, "amount"],
                ],
                "column_names": [
                    [-1, "*"],
                    [0, "id"],
                    [0, "name"],
                    [0, "city"],
                    [0, "staff"],
                    [1, "id"],
                    [1, "shop id"],
                    [1, "amount"],
                ],
                "column_types": ["text", "number", "text", "text", "number", "number", "number", "number"],
                "primary_keys": [1, 5],
                "foreign_keys": [[6, 1]],
            }
        )
    (root / "dev_tables.json").write_text(json.dumps(tables))
    levels = ["simple", "moderate", "challenging"]
    dev = [
        {
            "question_id": i,
            "db_id": "retail" if i % 4 else "market",
            "question": f"question {i}",
            "evidence": "staff refers to the number of employees",
            "SQL": gold,
            "difficulty": levels[i % 3],
        }
        for i, (gold, _) in enumerate(CASES)
    ]
    (root / "dev.json").write_text(json.dumps(dev))
    return root


def test_bird_format_defaults_to_bird_metric_and_matches_official(bird, tmp_path):
    bench = load_benchmark(bird)
    examples = bench.examples("dev")
    assert [ex.difficulty for ex in examples[:3]] == ["simple", "moderate", "challenging"]
    preds = [pred for _, pred in CASES]
    report = evaluate(bench, examples, preds, workers=1, cache_dir=tmp_path / "cache", timeout=5)
    official = [
        official_bird_ex(bench.db_path(ex.db_id), p, ex.query) for ex, p in zip(examples, preds, strict=True)
    ]
    ours = [int(r["correct"]) for r in report.results]
    assert ours == official
    assert 0 < sum(official) < len(CASES)  # the fixture holds both verdicts
    assert official[:3] == [0, 1, 1]  # COUNT(city) fails, GROUP BY rewrite and duplicates pass
    spider = evaluate(
        bench, examples, preds, workers=1, cache_dir=tmp_path / "cache", timeout=5, metric="spider"
    )
    differ = sum(a != b["correct"] for a, b in zip(official, spider.results, strict=True))
    assert differ == 5, "the fixture must separate the two metrics"
    s = report.summary
    assert s["metric"] == "bird" and s["settings"]["metric"] == "bird"
    assert all(r["metric"] == "bird" for r in report.results)
    assert spider.summary["metric"] == "spider"
    assert list(s["by_difficulty"]) == ["simple", "moderate", "challenging"]
    assert sum(b["count"] for b in s["by_difficulty"].values()) == len(CASES)
    simple = [o for o, ex in zip(official, examples, strict=True) if ex.difficulty == "simple"]
    assert s["by_difficulty"]["simple"]["ex"] == pytest.approx(sum(simple) / len(simple))


def test_classify_on_databases_bird_keyword(bird):
    bench = load_benchmark(bird)
    dbs = [str(bench.db_path("retail"))]
    ex = Executor(timeout=5)
    gold, pred = "SELECT COUNT(DISTINCT city) FROM shop", "SELECT COUNT(city) FROM shop"
    assert classify_on_databases(dbs, gold, pred, ex.execute) == (True, None)  # Spider strips DISTINCT
    assert classify_on_databases(dbs, gold, pred, ex.execute, metric="bird") == (False, "wrong_result")
    with pytest.raises(T2SError):
        classify_on_databases(dbs, gold, pred, ex.execute, metric="nope")


def test_predict_dev_json(bird, tmp_path):
    bench = load_benchmark(bird)
    examples = bench.examples("dev")
    sep = "\t----- bird -----\t"
    path = tmp_path / "predict_dev.json"
    path.write_text(
        json.dumps(
            {
                str(i): f"{p}{sep}{ex.db_id}"
                for i, ((_, p), ex) in enumerate(zip(CASES, examples, strict=True))
            }
        )
    )
    preds = align_predictions(read_predictions(path), examples)
    assert preds == [p for _, p in CASES]
    path.write_text(json.dumps({"a": f"SELECT 1{sep}retail"}))
    with pytest.raises(T2SError, match="question index"):
        read_predictions(path)


def test_ves_reward_buckets_and_outliers():
    assert [ves_reward(r) for r in (0, 0.1, 0.25, 0.5, 0.99, 1, 1.99, 2, 5)] == [
        0,
        0.25,
        0.5,
        0.75,
        0.75,
        1,
        1,
        1.25,
        1.25,
    ]
    ratios = [1.0] * 20 + [50.0]
    assert clean_abnormal(ratios) == [1.0] * 20  # the outlier lies beyond mean + 3 std
    assert clean_abnormal([2.0, 2.0]) == [2.0, 2.0]


def test_ves_on_fixture(bird, tmp_path):
    bench = load_benchmark(bird)
    examples = bench.examples("dev")
    preds = [pred for _, pred in CASES]
    report = evaluate(bench, examples, preds, workers=1, cache_dir=tmp_path, timeout=5, ves=True, ves_runs=5)
    for r in report.results:
        assert (r["ves_reward"] > 0) == r["correct"]
        assert r["ves_reward"] in (0, 0.25, 0.5, 0.75, 1, 1.25)
    expected = sum(100 * math.sqrt(r["ves_reward"]) for r in report.results) / len(report.results)
    assert report.summary["ves"] == pytest.approx(expected)
    assert "ves" in report.summary["by_difficulty"]["moderate"]


def test_cli_metric_option(bird, tmp_path):
    preds = tmp_path / "preds.txt"
    preds.write_text("\n".join(p for _, p in CASES) + "\n")
    base = [sys.executable, "-m", "text2sql", "eval", "--data", str(bird), "-p", str(preds), "--workers", "1"]
    run = subprocess.run(
        [*base, "--output-dir", str(tmp_path / "b"), "--ves", "--ves-runs", "2"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert "R-VES" in run.stdout
    summary = json.loads((tmp_path / "b" / "summary.json").read_text())
    assert (
        summary["settings"]["metric"] == "bird" and summary["settings"]["ves_runs"] == 2 and "ves" in summary
    )
    assert "bird" in run.stdout and "difficulty" in run.stdout and "EX (bird)" in run.stdout
    run = subprocess.run(
        [*base, "--output-dir", str(tmp_path / "s"), "--metric", "spider"], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    summary = json.loads((tmp_path / "s" / "summary.json").read_text())
    assert summary["settings"]["metric"] == "spider"
    run = subprocess.run([*base, "--metric", "nope"], capture_output=True, text=True)
    assert run.returncode != 0 and "error:" in run.stderr + run.stdout and "Traceback" not in run.stderr
