from text2sql.eval.extraction import extract_sql


def test_plain_sql_is_kept_and_whitespace_normalised():
    assert extract_sql("SELECT name\n  FROM singer") == "SELECT name FROM singer"


def test_sql_code_fence_wins_over_surrounding_prose():
    text = "Here is the query:\n```sql\nSELECT count(*) FROM singer;\n```\nIt counts singers."
    assert extract_sql(text) == "SELECT count(*) FROM singer"


def test_tagged_fence_preferred_over_untagged():
    text = "```\nnot sql\n```\n```sql\nSELECT 1\n```"
    assert extract_sql(text) == "SELECT 1"


def test_unclosed_fence_still_extracted():
    assert extract_sql("```sql\nSELECT a FROM t") == "SELECT a FROM t"


def test_dail_prefix_put_back_unless_repeated():
    assert extract_sql(" count(*) FROM singer", response_prefix="SELECT") == "SELECT count(*) FROM singer"
    assert (
        extract_sql("SELECT count(*) FROM singer", response_prefix="SELECT") == "SELECT count(*) FROM singer"
    )


def test_cut_at_first_statement_but_not_inside_strings():
    assert extract_sql("SELECT 'a;b' FROM t; DROP TABLE t") == "SELECT 'a;b' FROM t"


def test_stops_at_chat_end_token_and_skips_leading_prose():
    assert extract_sql("The answer is SELECT x FROM y<|im_end|>garbage") == "SELECT x FROM y"
    assert extract_sql("SQL: SELECT x FROM y") == "SELECT x FROM y"


def test_with_clause_kept():
    assert extract_sql("WITH a AS (SELECT 1) SELECT * FROM a") == "WITH a AS (SELECT 1) SELECT * FROM a"
