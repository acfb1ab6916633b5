"""Benchmark loaders: Spider, BIRD and plain SQLite folders, database lookup, and errors for bad input."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

from text2sql.core.errors import T2SError
from text2sql.data.benchmark import introspect_schema, load_benchmark
from text2sql.data.schema import ForeignKey
from text2sql.data.sqlite import connect_readonly

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _shape(schema) -> tuple:
    """What a schema says about tables, columns, keys: names compared case-insensitively, order kept."""
    tables = [
        (t.name.lower(), [c.name.lower() for c in t.columns], [k.lower() for k in t.primary_key])
        for t in schema.tables
    ]
    fks = {
        (f.table.lower(), f.column.lower(), f.ref_table.lower(), f.ref_column.lower())
        for f in schema.foreign_keys
    }
    return tables, fks


def _build_sqlite(script: Path, target: Path) -> Path:
    target.parent.mkdir(parents=True, exist_ok=True)
    con = sqlite3.connect(target)
    con.executescript(script.read_text(encoding="utf-8"))
    con.close()
    return target


@pytest.fixture
def sample_copy(sample_dir, tmp_path) -> Path:
    """A private copy of the sample benchmark that a test may damage."""
    dst = tmp_path / "sample"
    shutil.copytree(sample_dir, dst, ignore=shutil.ignore_patterns("tokenizer"))
    return dst


@pytest.fixture
def bird_dir(tmp_path) -> Path:
    dst = tmp_path / "bird"
    shutil.copytree(FIXTURES / "bird", dst)
    for script in dst.glob("dev_databases/*/*.sql"):
        _build_sqlite(script, script.with_suffix(".sqlite"))
    return dst


@pytest.fixture
def sqlite_dir(tmp_path) -> Path:
    dst = tmp_path / "plain"
    dst.mkdir()
    shutil.copy(FIXTURES / "sqlite" / "dev.json", dst)
    _build_sqlite(FIXTURES / "sqlite" / "shop.sql", dst / "shop.sqlite")
    _build_sqlite(FIXTURES / "sqlite" / "zoo.sql", dst / "nested" / "zoo.db")
    return dst


# -- Spider format (the bundled sample) -------------------------------------------------------------
def test_sample_is_spider_format_with_both_splits(sample_bench, sample_dir):
    assert sample_bench.format == "spider" and sample_bench.root == sample_dir
    train, dev = sample_bench.examples("train"), sample_bench.examples("dev")
    raw_train = json.loads((sample_dir / "train_spider.json").read_text())
    assert [(e.db_id, e.question, e.query) for e in train] == [
        (r["db_id"], r["question"], r["query"]) for r in raw_train
    ]
    assert [e.id for e in dev[:3]] == ["dev-0", "dev-1", "dev-2"] and len({e.id for e in dev}) == len(dev)
    assert all(e.evidence is None for e in dev)
    assert {e.db_id for e in train}.isdisjoint({e.db_id for e in dev})
    assert set(sample_bench.db_ids()) == {e.db_id for e in train} | {e.db_id for e in dev}


def test_train_split_appends_train_others(sample_copy):
    others = [
        {
            "db_id": "library",
            "question": "How many authors are there?",
            "query": "SELECT count(*) FROM author",
        }
    ]
    (sample_copy / "train_others.json").write_text(json.dumps(others))
    bench = load_benchmark(sample_copy)
    assert [p.name for p in bench.split_files("train")] == ["train_spider.json", "train_others.json"]
    train = bench.examples("train")
    n_spider = len(json.loads((sample_copy / "train_spider.json").read_text()))
    assert len(train) == n_spider + 1
    assert train[-1].question == "How many authors are there?" and train[-1].id == f"train-{n_spider}"


def test_tables_json_schemas_match_introspection(sample_bench):
    for db_id in sample_bench.db_ids():
        declared = sample_bench.schema(db_id)
        introspected = introspect_schema(sample_bench.db_path(db_id))
        assert introspected.db_id == db_id
        assert _shape(declared) == _shape(introspected), db_id
        assert declared.foreign_keys, db_id
    library = sample_bench.schema("library")
    assert library.table("MEMBER").column("dob").nl_name == "date of birth"
    assert library.table("member").column("dob").type == "time"
    assert ForeignKey("loan", "book_id", "book", "book_id") in library.foreign_keys
    assert sample_bench.schema("university").table("enrollment").primary_key == [
        "student_id",
        "course_id",
        "semester",
    ]


def test_db_folder_lookup_is_case_insensitive(sample_copy):
    (sample_copy / "database" / "library").rename(sample_copy / "database" / "Library")
    bench = load_benchmark(sample_copy)
    path = bench.db_path("library")
    assert path == sample_copy / "database" / "Library" / "library.sqlite"
    assert bench.db_path("LIBRARY") == path
    assert bench.schema("LIBRARY") is bench.schema("library")  # the tables.json entry, not an introspection
    assert bench.schema("Library").table("member").column("dob").nl_name == "date of birth"
    con = connect_readonly(path)
    assert con.execute("SELECT count(*) FROM book").fetchone()[0] > 0
    con.close()


def test_db_files_lists_the_named_database_first(sample_copy):
    folder = sample_copy / "database" / "library"
    for name in ("a_variant.sqlite", "library_2.sqlite", "zeta.db", "b.sqlite3", "UPPER.SQLITE"):
        shutil.copy(folder / "library.sqlite", folder / name)
    (folder / "notes.txt").write_text("not a database")
    bench = load_benchmark(sample_copy)
    # the official test-suite filter: names containing ".sqlite" (case-sensitive); .db is no variant
    assert [p.name for p in bench.db_files("library")] == [
        "library.sqlite",
        "a_variant.sqlite",
        "b.sqlite3",
        "library_2.sqlite",
    ]
    assert bench.db_path("library").name == "library.sqlite"


def test_test_suite_variants_match_the_official_listing(sample_copy):
    folder = sample_copy / "database" / "library"
    for name in ("v1.sqlite", "v2.db", "v3.sqlite3", "v4.Sqlite"):
        shutil.copy(folder / "library.sqlite", folder / name)
    (folder / "sub.sqlite").mkdir()  # a folder is no database
    official = sorted(os.path.join(folder, b) for b in os.listdir(folder) if ".sqlite" in b)  # exec_eval.py
    ours = load_benchmark(sample_copy).db_files("library")
    assert sorted(map(str, ours)) == [p for p in official if not p.endswith("sub.sqlite")]


def test_db_folder_with_only_other_suffixes_has_one_database(sample_copy):
    folder = sample_copy / "database" / "library"
    (folder / "library.sqlite").rename(folder / "library.db")
    shutil.copy(folder / "library.db", folder / "another.db")
    assert [p.name for p in load_benchmark(sample_copy).db_files("library")] == ["library.db"]


def test_db_folder_without_sqlite_is_an_error(sample_copy):
    (sample_copy / "database" / "library" / "library.sqlite").unlink()
    with pytest.raises(T2SError, match="holds no .sqlite file"):
        load_benchmark(sample_copy).db_path("library")


# -- BIRD format -------------------------------------------------------------------------------------
def test_bird_fixture(bird_dir):
    bench = load_benchmark(bird_dir)
    assert bench.format == "bird" and bench.db_ids() == ["bike_share"]
    examples = bench.examples("dev")
    assert len(examples) == 3
    first = examples[0]
    assert first.query.startswith("SELECT COUNT(T1.id) FROM trip") and "San Francisco" in first.evidence
    assert first.to_dict()["evidence"] == first.evidence
    schema = bench.schema("bike_share")
    assert schema.table("station").column("dock_count").nl_name == "dock count"
    assert schema.table("trip").primary_key == ["id"]
    assert ForeignKey("trip", "start_station_id", "station", "id") in schema.foreign_keys
    assert _shape(schema) == _shape(introspect_schema(bench.db_path("bike_share")))
    con = connect_readonly(bench.db_path("bike_share"))
    assert [con.execute(e.query).fetchall() for e in examples] == [[(3,)], [("Market at 4th",)], [(1099.0,)]]
    con.close()
    with pytest.raises(T2SError, match="split 'train' not found"):
        bench.examples("train")


# -- plain SQLite --------------------------------------------------------------------------------------
def test_sqlite_folder_is_introspected(sqlite_dir):
    bench = load_benchmark(sqlite_dir)
    assert bench.format == "sqlite" and bench.db_ids() == ["shop", "zoo"]
    shop = bench.schema("shop")
    assert shop.table_names == ["customer", "orders", "order_item"]
    assert shop.table("order_item").primary_key == ["order_id", "sku"]
    assert shop.table("customer").column("signup_date").type == "time"
    assert shop.table("orders").column("total").type == "number"
    assert set(shop.foreign_keys) == {
        ForeignKey("orders", "customer_id", "customer", "customer_id"),
        ForeignKey("order_item", "order_id", "orders", "order_id"),  # REFERENCES orders: its primary key
    }
    assert bench.db_path("zoo") == sqlite_dir / "nested" / "zoo.db"
    assert bench.schema("zoo").foreign_keys == []
    for ex in bench.examples("dev"):
        con = connect_readonly(bench.db_path(ex.db_id))
        assert con.execute(ex.query).fetchall()
        con.close()


def test_single_sqlite_file(sample_dir):
    path = sample_dir / "database" / "hospital" / "hospital.sqlite"
    bench = load_benchmark(path)
    assert bench.format == "sqlite" and bench.db_ids() == ["hospital"]
    assert bench.db_files("hospital") == [path]
    assert _shape(bench.schema("hospital")) == _shape(load_benchmark(None).schema("hospital"))


# -- bad input -----------------------------------------------------------------------------------------
def test_missing_path(tmp_path):
    with pytest.raises(T2SError, match="does not exist"):
        load_benchmark(tmp_path / "nowhere")


def test_unknown_db_id(sample_bench):
    with pytest.raises(T2SError, match="unknown db_id 'no_such_db'"):
        sample_bench.schema("no_such_db")
    with pytest.raises(T2SError, match="no database folder for db_id 'no_such_db'"):
        sample_bench.db_path("no_such_db")


def test_missing_split(sample_bench):
    with pytest.raises(T2SError, match=r"split 'test' not found .*test\.json"):
        sample_bench.examples("test")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("tables.json", "[{not json", "tables.json is not valid JSON"),
        ("tables.json", '{"db_id": "library"}', "must hold a JSON list of schema entries"),
        (
            "tables.json",
            '[{"db_id": "library", "table_names": []}]',
            "malformed tables.json entry for library",
        ),
        ("dev.json", '{"questions": []}', "must hold a JSON list of examples"),
        ("dev.json", '[{"db_id": "library"}]', "every example needs db_id and question"),
        ("dev.json", "", "dev.json is not valid JSON"),
    ],
)
def test_malformed_files(sample_copy, name, content, message):
    (sample_copy / name).write_text(content)
    with pytest.raises(T2SError, match=message):
        load_benchmark(sample_copy).examples("dev")


def test_not_a_benchmark(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(T2SError, match="no tables.json"):
        load_benchmark(tmp_path)
    with pytest.raises(T2SError, match="neither a benchmark folder nor a SQLite file"):
        load_benchmark(tmp_path / "notes.txt")


def test_corrupt_sqlite_file(tmp_path):
    bad = tmp_path / "broken.sqlite"
    bad.write_bytes(b"this is not a database" * 10)
    with pytest.raises(T2SError, match="broken.sqlite"):
        load_benchmark(bad).schema("broken")


# -- real Spider (skipped when ../shared is absent) ------------------------------------------------------
@pytest.mark.spider
def test_spider_integration(spider_dir):
    bench = load_benchmark(spider_dir)
    assert bench.format == "spider" and len(bench.schemas) == 166
    assert all(schema.tables for schema in bench.schemas.values())
    dev = bench.examples("dev")
    assert len(dev) == 1034
    for db_id in {e.db_id for e in dev}:
        assert bench.db_path(db_id).is_file()
        declared, _ = _shape(bench.schema(db_id))
        real, _ = _shape(introspect_schema(bench.db_path(db_id)))  # wta_1 has invalid UTF-8: must not raise
        declared = [t for t in declared if t[0] != "sqlite_sequence"]  # world_1 lists SQLite's own table
        assert sorted(t[:2] for t in declared) == sorted(t[:2] for t in real), db_id
    train = bench.examples("train")
    assert len(train) == 7000 + 1659
    missing = set()
    for db_id in {e.db_id for e in train}:
        try:
            bench.db_path(db_id)
        except T2SError:
            missing.add(db_id)
    assert missing == {"baseball_1", "soccer_1"}  # known gaps, see ../shared/README.md
