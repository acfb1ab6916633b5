"""Executor safety: hostile predictions change nothing, write nothing and return within deadline + margin."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time

import pytest

from text2sql.data.sqlite import connect_readonly
from text2sql.execution.executor import Executor, execute_many

TIMEOUT = 0.5
MARGIN = 1.5  # seconds beyond the deadline a hostile query may take to come back


@pytest.fixture()
def db(tmp_path, sample_dir):
    """A private copy of the sample university database in a folder of its own."""
    folder = tmp_path / "db"
    folder.mkdir()
    path = folder / "university.sqlite"
    shutil.copy(sample_dir / "database" / "university" / "university.sqlite", path)
    return path


def _digest(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _snapshot(*folders) -> dict:
    return {str(p): p.stat().st_mtime_ns for f in folders for p in f.rglob("*")}


def hostile(folder) -> dict[str, tuple[str, ...]]:
    """Hostile prediction -> acceptable error kinds."""
    target = folder / "stolen.sqlite"
    forbidden = ("forbidden",)
    return {
        "DELETE FROM student": forbidden,
        "UPDATE student SET gpa = 0": forbidden,
        "INSERT INTO student (student_id, name) VALUES (999, 'x')": forbidden,
        "REPLACE INTO department VALUES (1, 'x', 'y', 0)": forbidden,
        "DROP TABLE student": forbidden,
        "ALTER TABLE student ADD COLUMN x": forbidden,
        "CREATE TABLE t (a)": forbidden,
        "CREATE TEMP TABLE t (a)": forbidden,
        "CREATE INDEX i ON student(name)": forbidden,
        "CREATE VIEW v AS SELECT 1": forbidden,
        "CREATE TRIGGER tr AFTER INSERT ON student BEGIN SELECT 1; END": forbidden,
        f"ATTACH DATABASE '{target}' AS x": forbidden,
        f"VACUUM INTO '{target}'": forbidden,
        "VACUUM": forbidden,
        "REINDEX": ("parse_error", "forbidden"),
        "ANALYZE": forbidden,
        "BEGIN": forbidden,
        "SAVEPOINT s": forbidden,
        "PRAGMA journal_mode = WAL": forbidden,
        "PRAGMA query_only = 0": forbidden,
        "PRAGMA writable_schema = 1": forbidden,
        "SELECT load_extension('/tmp/evil')": forbidden,
        "SELECT 1; DELETE FROM student": forbidden,
        "SELECT count(*) FROM student; SELECT 2": forbidden,
        "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r": (
            "timeout",
        ),
        "WITH RECURSIVE r(s) AS (SELECT 'ab' UNION ALL SELECT s || s FROM r) SELECT length(s) FROM r": (
            "resource_limit",
            "timeout",
        ),
        "SELECT randomblob(1000000000)": ("resource_limit",),
        "SELECT zeroblob(2000000000)": ("resource_limit",),
        "SELECT replace(hex(zeroblob(40000000)), '0', 'ab')": ("resource_limit",),
        "SELECT * FROM student a, student b, student c, student d, student e": ("resource_limit", "timeout"),
        "SELECT count(*) FROM student a, student b, student c, student d, student e, student f, student g": (
            "timeout",
        ),
        "SELECT a.name FROM student a, student b, student c, student d, student e ORDER BY random() LIMIT 1": (
            "timeout",
            "resource_limit",
        ),
        "SELECT " + "(" * 3000 + "1" + ")" * 3000: ("resource_limit", "parse_error", "runtime_error"),
        "SELECT " + " + ".join(["1"] * 5000): ("resource_limit",),
        "SELECT * FROM " + "(SELECT * FROM " * 400 + "student" + ")" * 400: (
            "resource_limit",
            "parse_error",
            "runtime_error",
        ),
        "SELECT 1 WHERE 1 IN " + "(SELECT 1 WHERE 1 IN " * 300 + "(1)" + ")" * 300: (
            "resource_limit",
            "parse_error",
            "runtime_error",
        ),
        "": ("parse_error",),
        "   \n ": ("parse_error",),
        "-- just a comment": ("parse_error",),
        "I could not find an answer to this question.": ("parse_error",),
        "The answer is SELECT name FROM student": ("parse_error",),
        "SELECT nope FROM student": ("unknown_table_column",),
        "SELECT name FROM nope": ("unknown_table_column",),
        "SELECT abs(-9223372036854775807 - 1)": ("runtime_error",),
    }


def test_hostile_predictions_are_contained(db, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # anything written relative to the working directory would show up here
    before_hash, before_files = _digest(db), _snapshot(tmp_path)
    ex = Executor(timeout=TIMEOUT)
    cases = hostile(db.parent)
    for sql, kinds in cases.items():
        start = time.monotonic()
        res = ex.execute(db, sql)
        took = time.monotonic() - start
        assert res.rows is None and res.error in kinds, (sql[:80], res.error, res.message)
        assert took < TIMEOUT + MARGIN, (sql[:80], took)
    ex.close()
    assert _digest(db) == before_hash
    assert _snapshot(tmp_path) == before_files, "a hostile query wrote a file"
    assert sorted(os.listdir(db.parent)) == ["university.sqlite"]
    # The connection still works after all that.
    assert Executor().execute(db, "SELECT count(*) FROM student").rows[0][0] > 0


def test_hostile_predictions_in_worker_pool(db):
    cases = list(hostile(db.parent).items())
    before = _digest(db)
    results = execute_many([(db, sql) for sql, _ in cases], workers=2, timeout=TIMEOUT)
    for (sql, kinds), res in zip(cases, results, strict=True):
        assert res.error in kinds, (sql[:80], res.error, res.message)
        assert res.seconds < TIMEOUT + MARGIN, (sql[:80], res.seconds)
    assert _digest(db) == before
    assert sorted(os.listdir(db.parent)) == ["university.sqlite"]


def test_results_columns_and_order(db):
    ex = Executor()
    res = ex.execute(db, "SELECT name, gpa FROM student ORDER BY student_id LIMIT 3")
    assert res.ok and res.columns == ["name", "gpa"] and len(res.rows) == 3
    assert res.seconds >= 0
    assert ex.execute(db, "SELECT 1;").rows == [(1,)]  # a trailing semicolon is one statement
    assert ex.execute(db, "SELECT name FROM student WHERE 0").rows == []
    # read-only introspection is allowed
    assert ex.execute(db, "PRAGMA table_info(student)").ok


def test_row_cap(db):
    res = Executor(max_rows=10).execute(db, "SELECT * FROM student a, student b")
    assert res.error == "resource_limit" and "10 rows" in res.message
    assert Executor(max_rows=10).execute(db, "SELECT * FROM student LIMIT 10").ok


def test_invalid_utf8_text_is_tolerated(tmp_path):
    path = tmp_path / "bad.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE p (id INTEGER, name TEXT)")
    con.execute("INSERT INTO p VALUES (1, CAST(X'4a6fe9' AS TEXT)), (2, 'ok')")  # 'Jo' + a lone latin-1 byte
    con.commit()
    con.close()
    res = Executor().execute(path, "SELECT name FROM p ORDER BY id")
    assert res.ok and res.rows[0][0].startswith("Jo") and res.rows[1] == ("ok",)
    assert connect_readonly(path).execute("SELECT name FROM p").fetchone()[0].startswith("Jo")


def test_missing_database_is_an_error_not_a_file(tmp_path):
    res = Executor().execute(tmp_path / "absent.sqlite", "SELECT 1")
    assert res.error == "runtime_error"
    assert not (tmp_path / "absent.sqlite").exists()


def test_execute_many_keeps_input_order(db):
    sqls = [f"SELECT {i}, count(*) FROM student" for i in range(40)]
    serial = execute_many([(db, s) for s in sqls], workers=1)
    parallel = execute_many([(db, s) for s in sqls], workers=2)
    assert [r.rows for r in serial] == [r.rows for r in parallel]
    assert [r.rows[0][0] for r in parallel] == list(range(40))


@pytest.fixture()
def tricky_names(tmp_path):
    """Identifiers that read like SQLite error messages: labels must come from codes, not text."""
    path = tmp_path / "names.sqlite"
    con = sqlite3.connect(path)
    con.execute('CREATE TABLE "string too big" (interrupted INTEGER, readonly INTEGER, "syntax error" TEXT)')
    con.execute("INSERT INTO \"string too big\" VALUES (1, 0, 'x')")
    con.commit()
    con.close()
    return path


def test_error_kinds_come_from_codes_not_identifiers(tricky_names):
    ex = Executor(timeout=5)
    cases = {
        # unknown names that look like other kinds' messages
        "SELECT * FROM t WHERE interrupted = 1": "unknown_table_column",
        "SELECT readonly FROM nope": "unknown_table_column",
        'SELECT * FROM "interrupted"': "unknown_table_column",
        'SELECT [too many terms] FROM "string too big"': "unknown_table_column",
        'SELECT [not authorized] FROM "string too big"': "unknown_table_column",
        'SELECT x FROM "no such table: y"': "unknown_table_column",
        # a syntax error whose token is one of those words
        'SELECT interrupted readonly nope FROM "string too big"': "parse_error",
        "SELECT 'interrupted": "parse_error",
    }
    for sql, kind in cases.items():
        res = ex.execute(tricky_names, sql)
        assert res.error == kind, (sql, res.error, res.message)
    # the same names, spelled correctly, simply work
    ok = ex.execute(tricky_names, 'SELECT interrupted, readonly, "syntax error" FROM "string too big"')
    assert ok.rows == [(1, 0, "x")]


def test_timeout_only_from_our_own_deadline(tricky_names):
    ex = Executor(timeout=0.2)
    slow = "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r"
    assert ex.execute(tricky_names, slow).error == "timeout"
    # the flag is reset per query: the next fast failure is not a timeout
    assert ex.execute(tricky_names, "SELECT * FROM interrupted").error == "unknown_table_column"


def test_classify_error_from_codes():
    from text2sql.execution.executor import classify_error

    def err(cls, code, msg):
        e = cls(msg)
        e.sqlite_errorcode = code
        return e

    assert classify_error(err(sqlite3.OperationalError, sqlite3.SQLITE_INTERRUPT, "interrupted")) == (
        "runtime_error"  # an interrupt we did not ask for
    )
    assert classify_error(sqlite3.OperationalError("anything"), timed_out=True) == "timeout"
    assert (
        classify_error(err(sqlite3.DataError, sqlite3.SQLITE_TOOBIG, "no such table: a")) == "resource_limit"
    )
    assert classify_error(err(sqlite3.DatabaseError, sqlite3.SQLITE_AUTH, "x")) == "forbidden"
    assert classify_error(err(sqlite3.OperationalError, sqlite3.SQLITE_READONLY_DBMOVED, "x")) == "forbidden"
    assert classify_error(err(sqlite3.OperationalError, sqlite3.SQLITE_ERROR, "readonly too big")) == (
        "runtime_error"
    )
    assert classify_error(MemoryError()) == "resource_limit"
