"""The bundled sample benchmark: sizes, split by database, gold queries that run, schemas that match the DDL."""

from __future__ import annotations

import importlib.util
import json
import re
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from text2sql.data.sqlite import connect_readonly

REPO = Path(__file__).resolve().parents[2]
SPLITS = ("train_spider.json", "dev.json")
LEVELS = {"easy", "medium", "hard", "extra"}


def _load(sample_dir: Path, name: str) -> list[dict]:
    return json.loads((sample_dir / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def splits(sample_dir) -> dict[str, list[dict]]:
    return {name: _load(sample_dir, name) for name in SPLITS}


@pytest.fixture(scope="module")
def tables(sample_dir) -> dict[str, dict]:
    return {e["db_id"]: e for e in _load(sample_dir, "tables.json")}


def _db(sample_dir: Path, db_id: str) -> Path:
    return sample_dir / "database" / db_id / f"{db_id}.sqlite"


def _contents(path: Path) -> dict[str, list[tuple]]:
    con = connect_readonly(path)
    try:
        names = [
            r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        ]
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in names}
    finally:
        con.close()


def test_counts_and_split_by_database(splits, tables):
    train, dev = splits["train_spider.json"], splits["dev.json"]
    assert len(train) >= 140 and len(dev) >= 55 and len(train) + len(dev) >= 200
    train_dbs, dev_dbs = {e["db_id"] for e in train}, {e["db_id"] for e in dev}
    assert len(train_dbs) == 5 and len(dev_dbs) == 2
    assert not train_dbs & dev_dbs, "a database appears in both splits"
    assert train_dbs | dev_dbs == set(tables)
    for ex in train + dev:
        assert set(ex) == {"db_id", "question", "query"}
        assert ex["question"].strip() and ex["query"].strip()
    questions = Counter((e["db_id"], e["question"].lower()) for e in train + dev)
    assert questions.most_common(1)[0][1] == 1, "duplicate question"


def test_databases_are_small_and_realistic(sample_dir, tables):
    total = sum(p.stat().st_size for p in sample_dir.rglob("*") if p.is_file() and "tokenizer" not in p.parts)
    assert total < 1.5 * 1024 * 1024
    for db_id in tables:
        path = _db(sample_dir, db_id)
        assert path.stat().st_size < 100 * 1024, db_id
        contents = _contents(path)
        assert 3 <= len(contents) <= 6, db_id
        for table, rows in contents.items():
            assert 10 <= len(rows) <= 60, (db_id, table, len(rows))
        cells = [v for rows in contents.values() for row in rows for v in row]
        assert None in cells, f"{db_id} has no NULLs"
        assert any(isinstance(v, str) for v in cells) and any(isinstance(v, float) for v in cells)


def test_gold_queries_execute_and_mostly_return_rows(sample_dir, splits):
    examples = splits["train_spider.json"] + splits["dev.json"]
    empty, cons = [], {}
    try:
        for ex in examples:
            con = cons.setdefault(ex["db_id"], connect_readonly(_db(sample_dir, ex["db_id"])))
            try:
                rows = con.execute(ex["query"]).fetchall()
            except sqlite3.Error as e:
                pytest.fail(f"{ex['db_id']}: {ex['query']} fails: {e}")
            if not rows or all(v is None for v in rows[0]):
                empty.append(ex["query"])
    finally:
        for con in cons.values():
            con.close()
    assert len(empty) <= 0.05 * len(examples), empty


def test_queries_are_written_in_spider_style(splits):
    queries = [e["query"] for name in SPLITS for e in splits[name]]
    assert not [q for q in queries if "'" in q], "string literals use double quotes, as in Spider"
    assert not [q for q in queries if re.search(r"\b(COUNT|SUM|AVG|MIN|MAX)\(", q)], "lower-case aggregates"
    assert not [q for q in queries if q.rstrip().endswith(";")]
    for name in SPLITS:
        qs = [e["query"] for e in splits[name]]
        for keyword in ("ORDER BY", "DISTINCT", "GROUP BY", "JOIN", "NOT IN", "HAVING"):
            assert any(keyword in q for q in qs), f"{name} has no query with {keyword}"
        for setop in ("UNION", "INTERSECT", "EXCEPT"):
            assert any(f" {setop} SELECT" in q for q in qs), f"{name} has no {setop}"


def test_tables_json_matches_the_databases(sample_dir, tables):
    for db_id, entry in tables.items():
        assert entry["column_names"][0] == [-1, "*"] and entry["column_names_original"][0] == [-1, "*"]
        n = len(entry["column_names_original"])
        assert len(entry["column_names"]) == len(entry["column_types"]) == n
        assert set(entry["column_types"]) <= {"text", "number", "time", "boolean", "others"}
        assert len(entry["table_names"]) == len(entry["table_names_original"])
        cols = entry["column_names_original"]

        con = connect_readonly(_db(sample_dir, db_id))
        try:
            real = [
                r[0]
                for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY rowid")
            ]
            assert entry["table_names_original"] == real
            expected_cols, expected_pks, expected_fks = [[-1, "*"]], [], set()
            for ti, t in enumerate(real):
                info = con.execute(f"PRAGMA table_info({t})").fetchall()
                expected_cols += [[ti, r[1]] for r in info]
                pk = [cols.index([ti, r[1]]) for r in sorted((r for r in info if r[5]), key=lambda r: r[5])]
                expected_pks.append(pk[0] if len(pk) == 1 else pk)
                for r in con.execute(f"PRAGMA foreign_key_list({t})"):
                    expected_fks.add((cols.index([ti, r[3]]), cols.index([real.index(r[2]), r[4]])))
            assert cols == expected_cols
            assert entry["primary_keys"] == expected_pks
            assert {tuple(fk) for fk in entry["foreign_keys"]} == expected_fks and expected_fks
            ddl = "\n".join(r[0] for r in con.execute("SELECT sql FROM sqlite_master WHERE type = 'table'"))
        finally:
            con.close()
        assert "PRIMARY KEY" in ddl and "FOREIGN KEY" in ddl and "\n    " in ddl  # readable, as models see it
    # natural-language names are not just the raw names
    nl = [c[1] for e in tables.values() for c in e["column_names"]]
    assert "date of birth" in nl and all("_" not in name for name in nl)


def test_every_hardness_level_in_both_splits(splits):
    hardness_mod = pytest.importorskip("text2sql.eval.hardness", reason="text2sql/eval/hardness.py missing")
    for name in SPLITS:
        counts = Counter(hardness_mod.hardness(e["query"]) for e in splits[name])
        assert set(counts) == LEVELS, (name, counts)
        assert min(counts.values()) >= 0.08 * len(splits[name]), (name, counts)


def test_build_script_is_deterministic(sample_dir, tmp_path):
    spec = importlib.util.spec_from_file_location("build_sample", REPO / "scripts" / "build_sample.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.build(tmp_path)
    for name in (*SPLITS, "tables.json"):
        assert (tmp_path / name).read_text(encoding="utf-8") == (sample_dir / name).read_text(
            encoding="utf-8"
        ), f"{name} differs from a fresh build: rerun scripts/build_sample.py and commit"
    for db in (sample_dir / "database").iterdir():
        assert _contents(tmp_path / "database" / db.name / f"{db.name}.sqlite") == _contents(
            db / f"{db.name}.sqlite"
        )


@pytest.fixture(scope="module")
def builder():
    spec = importlib.util.spec_from_file_location(
        "build_sample_sources", REPO / "scripts" / "build_sample.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_question_files_hold_the_splits_in_order(builder, splits):
    """scripts/sample/<db>/questions.sql lists every question and gold query of the split files, in order."""
    for name, dbs in (("train_spider.json", builder.TRAIN_DBS), ("dev.json", builder.DEV_DBS)):
        expected = [(e["db_id"], e["question"], e["query"]) for e in splits[name]]
        read = [
            (db, q, sql)
            for db in dbs
            for q, sql in builder.read_questions(builder.SOURCE / db / "questions.sql")
        ]
        assert read == expected, name
        # the comment lines alone, read without the builder's parser, are the questions in order
        comments = [
            (db, line[2:].strip())
            for db in dbs
            for line in (builder.SOURCE / db / "questions.sql").read_text(encoding="utf-8").splitlines()
            if line.startswith("--")
        ]
        assert comments == [(db, q) for db, q, _ in expected], name


def test_schema_files_are_the_committed_ddl(builder, sample_dir, tables):
    for db_id in tables:
        con = sqlite3.connect(":memory:")
        try:
            con.executescript((builder.SOURCE / db_id / "schema.sql").read_text(encoding="utf-8"))
            fresh = con.execute("SELECT name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        finally:
            con.close()
        con = connect_readonly(_db(sample_dir, db_id))
        try:
            committed = con.execute("SELECT name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        finally:
            con.close()
        assert fresh == committed, db_id


def test_question_reader(builder, tmp_path):
    path = tmp_path / "questions.sql"
    path.write_text(
        '-- Which books mention "a;b"?\nSELECT title FROM book\n    WHERE note = "a;b";\n\n'
        "-- How many books?\nSELECT count(*) FROM book;\n",
        encoding="utf-8",
    )
    assert builder.read_questions(path) == [
        ('Which books mention "a;b"?', 'SELECT title FROM book WHERE note = "a;b"'),
        ("How many books?", "SELECT count(*) FROM book"),
    ]
    bad = {
        "-- one?\n-- two?\nSELECT 1;\n": "has no query",
        "SELECT 1;\n": "without a `-- question` line",
        "-- one?\nSELECT 1\n-- stray\nFROM t;\n": "comment line inside the query",
        "-- one?\nSELECT 1\n": "has no complete",
    }
    for text, message in bad.items():
        path.write_text(text, encoding="utf-8")
        with pytest.raises(builder.SampleDataError, match=re.escape(message)):
            builder.read_questions(path)
