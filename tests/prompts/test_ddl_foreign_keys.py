"""`--no-fk` with the `code` representation: foreign keys removed by sqlglot's tokenizer, DDL still valid SQLite."""

import sqlite3

import pytest

from text2sql.prompts.representations import original_ddl, strip_foreign_keys


def assert_valid_without_fk(ddl: str) -> None:
    con = sqlite3.connect(":memory:")
    try:
        con.execute(ddl)  # raises on anything SQLite cannot parse
        (table,) = con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchone()
        assert con.execute("SELECT count(*) FROM pragma_foreign_key_list(?)", (table,)).fetchone() == (0,)
    finally:
        con.close()


@pytest.mark.parametrize(
    ("ddl", "expected"),
    [
        (  # a comma at the start of each line, as in Spider's voter_1
            "CREATE TABLE `V` (\n  `a` int\n,  `b` int\n, \tFOREIGN KEY (`a`) REFERENCES `X`(`a`)\n)",
            "CREATE TABLE `V` (\n  `a` int\n,  `b` int\n)",
        ),
        (  # the FOREIGN KEY clause on the line of the closing parenthesis
            "CREATE TABLE t (\n  a int,\n  b int,\n  FOREIGN KEY (a) REFERENCES x(y))",
            "CREATE TABLE t (\n  a int,\n  b int)",
        ),
        (  # one-line DDL, inline REFERENCES with actions, a named constraint
            "CREATE TABLE t (a int REFERENCES x(y) ON DELETE CASCADE NOT NULL, "
            "b int CONSTRAINT fk REFERENCES z, c int, FOREIGN KEY (c) REFERENCES q(w))",
            "CREATE TABLE t (a int NOT NULL, b int, c int)",
        ),
        (  # table constraints without commas between them (SQLite accepts this; Spider's college_1)
            "CREATE TABLE t (\nc int,\nd int,\nFOREIGN KEY (c) REFERENCES q(w)\nFOREIGN KEY (d) REFERENCES r(s)\n)",
            "CREATE TABLE t (\nc int,\nd int\n)",
        ),
        (
            "CREATE TABLE t (c int, d int, PRIMARY KEY (c) FOREIGN KEY (c) REFERENCES q(w) UNIQUE (d))",
            "CREATE TABLE t (c int, d int, PRIMARY KEY (c) UNIQUE (d))",
        ),
        (  # commented-out foreign keys inside the removed clause go with it (Spider's college_2)
            "CREATE TABLE c\n\t(id int,\n\t primary key (id),\n  FOREIGN KEY (id)\n  REFERENCES d (id)\n"
            "  ON DELETE SET NULL\n-- foreign key (id) references d\n   )",
            "CREATE TABLE c\n\t(id int,\n\t primary key (id)\n   )",
        ),
        ("CREATE TABLE t (a int, b text)", "CREATE TABLE t (a int, b text)"),  # nothing to remove
    ],
)
def test_strip_foreign_keys_keeps_layout_and_parses(ddl, expected):
    out = strip_foreign_keys(ddl)
    assert out == expected
    assert_valid_without_fk(out)


def test_no_fk_code_ddl_is_valid_sqlite_for_every_sample_database(sample_bench):
    stripped = 0
    for db_id in sample_bench.db_ids():
        for path in sample_bench.db_files(db_id):
            for ddl in original_ddl(str(path)):
                out = strip_foreign_keys(ddl)
                stripped += out != ddl
                assert_valid_without_fk(out)
    assert stripped > 0  # the sample has foreign keys, so something was removed


@pytest.mark.require_train
def test_no_fk_prompt_mentions_no_foreign_key(sample_bench):
    from text2sql.prompts.builder import PromptConfig, build_prompts

    with_fk = build_prompts(sample_bench, "dev", PromptConfig(repr="code", fk=True), limit=20)
    without = build_prompts(sample_bench, "dev", PromptConfig(repr="code", fk=False), limit=20)
    assert any("REFERENCES" in r["prompt"].upper() for r in with_fk)
    assert not any("REFERENCES" in r["prompt"].upper() for r in without)


@pytest.mark.spider
def test_no_fk_code_ddl_is_valid_sqlite_for_every_spider_database(spider_dir):
    checked = 0
    for path in sorted((spider_dir / "database").glob("*/*.sqlite")):
        for ddl in original_ddl(str(path)):
            if ddl.lower().startswith("create table sqlite_"):  # SQLite's own bookkeeping table
                continue
            assert_valid_without_fk(strip_foreign_keys(ddl))
            checked += 1
    assert checked > 800
