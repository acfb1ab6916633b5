"""Hostile storage (issue 17): WAL databases, planted cache files, endless views, concurrent runs,
damaged run files and broken gold. Each case: one clear line, bounded time, nothing written beside
the benchmark."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from text2sql.core.errors import T2SError
from text2sql.data.benchmark import load_benchmark
from text2sql.eval.evaluate import evaluate
from text2sql.eval.gold_cache import RESULTS_SUFFIX, GoldCache


def _copy_sample(sample_dir: Path, tmp_path: Path) -> Path:
    root = tmp_path / "bench"
    shutil.copytree(sample_dir, root)
    return root


def _listing(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")}


def _gold_eval(root: Path, cache: Path, **kw):
    bench = load_benchmark(root)
    examples = bench.examples("dev")
    return evaluate(bench, examples, [e.query for e in examples], workers=1, cache_dir=cache, **kw)


# -- row 0: WAL journal mode --------------------------------------------------------------------
def test_wal_database_gets_no_side_files_and_scores_the_same_twice(sample_dir, tmp_path):
    root = _copy_sample(sample_dir, tmp_path)
    for db in root.rglob("*.sqlite"):
        con = sqlite3.connect(db)
        con.execute("PRAGMA journal_mode=wal")
        con.close()  # the last close checkpoints and removes -wal/-shm; the file stays in WAL mode
    before = _listing(root)
    first = _gold_eval(root, tmp_path / "c1")
    second = _gold_eval(root, tmp_path / "c2")
    assert _listing(root) == before, "a read-only open wrote beside the benchmark"
    assert first.summary["ex"] == second.summary["ex"] == 1.0
    assert second.summary["gold_errors"]["count"] == 0


def test_side_files_never_count_as_test_suite_variants(sample_dir, tmp_path):
    root = _copy_sample(sample_dir, tmp_path)
    bench = load_benchmark(root)
    db = bench.db_path("university")
    for suffix in ("-shm", "-journal"):
        db.with_name(db.name + suffix).write_bytes(b"junk")
    db.with_name(db.name + "-wal").write_bytes(b"")
    assert load_benchmark(root).db_files("university") == [db]


def test_a_wal_file_with_content_is_refused_in_one_line(sample_dir, tmp_path):
    root = _copy_sample(sample_dir, tmp_path)
    db = load_benchmark(root).db_path("university")
    db.with_name(db.name + "-wal").write_bytes(b"\x00" * 64)
    with pytest.raises(T2SError, match="uncommitted WAL content") as e:
        _gold_eval(root, tmp_path / "c")
    assert "\n" not in str(e.value)


# -- row 3: a file planted in the gold cache -----------------------------------------------------
def test_planted_cache_files_are_data_never_code(sample_dir, tmp_path, capsys):
    import pickle

    cache = tmp_path / "cache"
    first = _gold_eval(sample_dir, cache)
    digest = GoldCache(cache).db_hash(str(load_benchmark(sample_dir).db_path("university")))
    marker = tmp_path / "pwned"

    class Payload:
        def __reduce__(self):
            return (os.system, (f"touch {marker}",))

    (cache / f"{digest}.pkl").write_bytes(pickle.dumps(Payload()))  # the old cache name
    (cache / f"{digest}{RESULTS_SUFFIX}").write_bytes(pickle.dumps(Payload()))
    again = _gold_eval(sample_dir, cache)
    assert not marker.exists()
    assert again.summary["ex"] == first.summary["ex"] == 1.0
    assert "damaged gold cache file" in capsys.readouterr().err
    # recomputed and rewritten as JSON: the next run reads it without a warning
    json.loads((cache / f"{digest}{RESULTS_SUFFIX}").read_text())
    for bad in ('[1, 2]', '{"SELECT 1": {"rows": [[{"$x": 1}]], "columns": ["a"]}}'):
        (cache / f"{digest}{RESULTS_SUFFIX}").write_text(bad)
        assert _gold_eval(sample_dir, cache).summary["ex"] == 1.0


def test_blob_cells_survive_the_json_cache():
    from text2sql.eval.gold_cache import decode_results, encode_results

    table = {"q": ([(1, 2.5, "x", None, b"\x00\xff")], ["a", "b", "c", "d", "e"])}
    assert decode_results(encode_results(table)) == table


# -- row 4: an endless view listed in the schema -------------------------------------------------
def test_endless_view_contents_are_skipped_within_the_deadline(tmp_path, monkeypatch, capsys):
    from text2sql.prompts import contents as rep

    db = tmp_path / "endless.sqlite"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE t (a TEXT)")
    con.execute("INSERT INTO t VALUES ('x')")
    con.execute(
        "CREATE VIEW v AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) "
        "SELECT x, 'same' AS s FROM c"
    )
    con.commit()
    con.close()
    monkeypatch.setattr(rep, "CONTENT_TIMEOUT", 1.0)
    monkeypatch.setattr(rep, "_content_executor", None)
    start = time.monotonic()
    assert rep.distinct_values(str(db), "v", "s", 5) == ()  # one distinct value, found forever
    assert rep.distinct_values(str(db), "v", "x", 5) == ()  # the table is known slow: not run again
    assert time.monotonic() - start < 5
    assert {(str(db), "v", "s"), (str(db), "v", "x")} <= rep.content_skipped
    assert rep.distinct_values(str(db), "t", "a", 5) == ("x",)
    assert capsys.readouterr().err.count("warning: skipping the contents of 'v'") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["endless.sqlite"]


def test_schema_introspection_runs_under_the_authorizer(tmp_path):
    from text2sql.data.benchmark import introspect_schema

    db = tmp_path / "q.sqlite"
    con = sqlite3.connect(db)
    con.execute('CREATE TABLE "we""ird" (id INTEGER PRIMARY KEY, name TEXT)')
    con.close()
    schema = introspect_schema(db)
    assert [t.name for t in schema.tables] == ['we"ird'] and schema.tables[0].primary_key == ["id"]


# -- row 6: two writers into one run folder --------------------------------------------------------
def test_a_second_writer_stops_with_one_line_naming_the_first(tmp_path):
    from text2sql.generation.runner import PredictionWriter

    out = tmp_path / "run" / "predictions.jsonl"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from text2sql.generation.runner import PredictionWriter; "
            f"PredictionWriter({str(out)!r}, {{}}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])},
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(T2SError, match=f"in use by pid {holder.pid}") as e:
            PredictionWriter(out, {})
        assert "\n" not in str(e.value)
    finally:
        holder.kill()
        holder.wait(10)
    PredictionWriter(out, {}).close()  # the kernel dropped the dead holder's lock


# -- row 7: damaged run files on resume -----------------------------------------------------------
@pytest.mark.parametrize(
    "content, line",
    [
        (b'{"id": "a", "sql": "SELECT 1"}\n{"id": "b", "sq\n{"id": "c", "sql": "SELECT 1"}\n', ":2"),
        (b'{"id": "a", "sql": "SELECT 1"}\n[1, 2]\n', ":2"),
    ],
)
def test_damaged_predictions_give_one_line_with_the_line_number(tmp_path, content, line):
    from text2sql.generation.runner import PredictionWriter

    out = tmp_path / "predictions.jsonl"
    out.write_bytes(content)
    with pytest.raises(T2SError, match=f"predictions.jsonl{line} is damaged") as e:
        PredictionWriter(out, {})
    assert "\n" not in str(e.value) and "--overwrite" in str(e.value)


def test_nul_filled_tail_is_cut_and_the_rest_resumes(tmp_path):
    from text2sql.generation.runner import PredictionWriter

    out = tmp_path / "predictions.jsonl"
    out.write_bytes(b'{"id": "a", "sql": "SELECT 1"}\n' + b"\x00" * 4096)
    w = PredictionWriter(out, {})
    w.close()
    assert list(w.done) == ["a"] and out.read_bytes().endswith(b"}\n")


def test_truncated_meta_gives_one_line(tmp_path):
    from text2sql.generation.runner import PredictionWriter

    out = tmp_path / "predictions.jsonl"
    out.write_text('{"id": "a", "sql": "SELECT 1"}\n')
    (tmp_path / "predictions.jsonl.meta.json").write_text('{"decoding": {"temper')
    with pytest.raises(T2SError, match="meta.json is damaged") as e:
        PredictionWriter(out, {})
    assert "\n" not in str(e.value)


# -- rows 12, 13: broken databases and gold --------------------------------------------------------
@pytest.mark.parametrize("content", [b"", b"garbage that is not sqlite" * 100])
def test_empty_or_garbled_database_is_one_line(sample_dir, tmp_path, content):
    root = _copy_sample(sample_dir, tmp_path)
    load_benchmark(root).db_path("university").write_bytes(content)
    with pytest.raises(T2SError, match="cannot read database .*university") as e:
        _gold_eval(root, tmp_path / "c")
    assert "\n" not in str(e.value)


def test_broken_gold_is_loud(sample_dir, tmp_path):
    root = _copy_sample(sample_dir, tmp_path)
    dev = json.loads((root / "dev.json").read_text())
    dev[0]["query"] = "SELECT 1; SELECT 2"
    dev[1]["query"] = "DELETE FROM student"
    (root / "dev.json").write_text(json.dumps(dev))
    bench = load_benchmark(root)
    examples = bench.examples("dev")
    preds = ["SELECT 1", *[e.query for e in examples[1:]]]
    report = evaluate(bench, examples, preds, workers=1, cache_dir=tmp_path / "c")
    bad = report.summary["gold_errors"]
    assert bad == {"count": 2, "ids": [examples[0].id, examples[1].id]}
    assert report.results[0]["error"] == "gold_error" and "2 statements" in report.results[0]["message"]

    cli = [sys.executable, "-m", "text2sql.cli", "eval", "--data", str(root), "--workers", "1"]
    preds_file = tmp_path / "p.txt"
    preds_file.write_text("\n".join(preds) + "\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2]), "COLUMNS": "200"}
    args = [*cli, "-p", str(preds_file), "--output-dir", str(tmp_path / "out")]
    loose = subprocess.run(args, capture_output=True, text=True, env=env, timeout=120)
    assert loose.returncode == 0 and "2 gold queries failed to run" in loose.stdout
    strict = subprocess.run([*args, "--strict"], capture_output=True, text=True, env=env, timeout=120)
    assert strict.returncode == 2 and strict.stderr.strip().startswith("error: --strict: 2 gold queries")
    assert "Traceback" not in strict.stderr
