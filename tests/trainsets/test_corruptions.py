"""The corruption table: each entry is one small edit of the gold AST, applied in a fixed order."""

from __future__ import annotations

import sqlglot

from text2sql.trainsets.corruptions import CORRUPTIONS, KINDS, _alias_map, _Gold, corruptions


def _gold(sql: str, schema) -> _Gold:
    tree = sqlglot.parse_one(sql, read="sqlite")
    return _Gold(tree, _alias_map(tree, schema), schema)


def _run(name: str, sql: str, schema) -> list[str]:
    fn = dict((f.__name__, f) for _, f in CORRUPTIONS)[name]
    gold = _gold(sql, schema)
    before = gold.tree.sql(dialect="sqlite")
    out = [t.sql(dialect="sqlite") for t in fn(gold)]
    assert gold.tree.sql(dialect="sqlite") == before  # edits copies, never the gold tree
    return out


def test_the_table_names_every_kind_in_order():
    assert KINDS == (
        "wrong_column",
        "drop_predicate",
        "flip_predicate",
        "wrong_aggregate",
        "wrong_join_key",
        "missing_group_by",
        "missing_distinct",
        "reversed_order",
        "changed_limit",
    )
    assert [f.__name__ for k, f in CORRUPTIONS if k == "flip_predicate"] == ["flip_comparison", "negate_like"]


def test_each_corruption_makes_its_one_edit(sample_bench):
    schema = sample_bench.schema("library")
    assert _run("change_limit", "SELECT title FROM book LIMIT 1", schema) == [
        "SELECT title FROM book LIMIT 0",
        "SELECT title FROM book LIMIT 2",
        "SELECT title FROM book LIMIT 3",
    ]
    assert _run("negate_like", "SELECT title FROM book WHERE title LIKE 'a%'", schema) == [
        "SELECT title FROM book WHERE NOT title LIKE 'a%'"
    ]
    assert _run("drop_predicate", "SELECT title FROM book WHERE pages > 1 AND price < 2", schema) == [
        "SELECT title FROM book WHERE price < 2",
        "SELECT title FROM book WHERE pages > 1",
    ]
    assert _run("flip_comparison", "SELECT title FROM book WHERE pages > 1", schema) == [
        "SELECT title FROM book WHERE pages <= 1"
    ]
    assert _run("wrong_aggregate", "SELECT max(pages), count(*) FROM book", schema) == [
        "SELECT MIN(pages), COUNT(*) FROM book"
    ]
    assert _run("reverse_order", "SELECT title FROM book ORDER BY pages", schema) == [
        "SELECT title FROM book ORDER BY pages DESC NULLS FIRST"  # NULLs stay where SQLite put them
    ]
    assert _run("drop_distinct", "SELECT DISTINCT genre FROM book", schema) == ["SELECT genre FROM book"]
    assert _run("drop_group_by", "SELECT genre FROM book GROUP BY genre", schema) == ["SELECT genre FROM book"]
    wrong = _run("wrong_column", "SELECT title FROM book", schema)
    assert 1 <= len(wrong) <= 3 and all(w.startswith("SELECT ") and "title" not in w for w in wrong)


def test_corruptions_follow_the_table_order_and_drop_duplicates(sample_bench):
    schema = sample_bench.schema("library")
    sql = "SELECT DISTINCT genre FROM book WHERE pages > 100 GROUP BY genre ORDER BY genre LIMIT 1"
    out = corruptions(sql, schema)
    order = [k for k, _ in out]
    assert order == sorted(order, key=KINDS.index)  # kinds appear in the table's order
    assert len({t for _, t in out}) == len(out) and sql not in {t for _, t in out}
