"""Schema linking and question masking on the bundled sample."""

from __future__ import annotations

from text2sql.data.schema import ForeignKey, Schema, Table
from text2sql.prompts.linking import link, linked_tables_with_paths, mask_question


def test_links_tables_columns_and_values(sample_bench):
    ex = next(e for e in sample_bench.examples("train") if e.db_id == "library")
    schema, db = sample_bench.schema("library"), sample_bench.db_path("library")
    genre = None
    from text2sql.prompts.representations import distinct_values

    genre = distinct_values(str(db), "book", "genre", 5)[0]
    q = f"List the titles of all {genre} books written by each author."
    res = link(q, schema, db)
    assert {"book", "author"} <= res.tables
    assert ("book", "title") in res.columns
    masked = mask_question(q, schema, db)
    assert genre.lower() not in masked.lower() and "<unk>" in masked and "<mask>" in masked
    assert "title" not in masked
    assert ex.db_id == "library"


def test_numbers_and_quotes_become_value_tokens(sample_bench):
    schema = sample_bench.schema("library")
    masked = mask_question('Books with more than 300 pages named "Dune"', schema, None)
    assert masked.count("<unk>") == 2 and "300" not in masked and "Dune" not in masked


def test_fk_path_tables_are_kept():
    s = Schema(
        "x",
        tables=[Table("a"), Table("b"), Table("c"), Table("d")],
        foreign_keys=[ForeignKey("b", "a_id", "a", "id"), ForeignKey("b", "c_id", "c", "id")],
    )
    assert linked_tables_with_paths(s, {"a", "c"}) == {"a", "b", "c"}
    assert linked_tables_with_paths(s, {"a"}) == {"a"}
