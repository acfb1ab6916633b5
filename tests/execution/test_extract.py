import pytest

from text2sql.execution.extraction import extract_sql


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


# -- real output shapes --------------------------------------------------------------------------
QWEN_CODER_FENCED = """```sql
SELECT T1.name, count(*) FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.singer_id
GROUP BY T1.singer_id;
```"""

QWEN_CODER_PLAIN = "SELECT count(*) FROM singer WHERE age > 40"

R1_DISTILL = """<think>
Okay, let's see. The user wants the names of singers older than 40. I think we select name from
the singer table, maybe something like SELECT name FROM singer WHERE age >= 40? No, strictly older.
```sql
SELECT name FROM singer WHERE age >= 40
```
Wait, that's wrong, it should be > 40.
</think>

To find the singers older than 40, filter the `singer` table on `age`:

```sql
SELECT name FROM singer WHERE age > 40;
```"""

# the chat template put <think> into the prompt, so the completion starts inside the reasoning
R1_OPEN_IN_PROMPT = (
    "The user asks for a count; we select count(*) from singer.\n</think>\n\nSELECT count(*) FROM singer"
)

OMNISQL = """Let me think step by step.
1. The question asks for the stadium with the most concerts, so we select name from stadium
   after joining with concert.
2. A first attempt:
```sql
SELECT name FROM stadium
```
This misses the count. Final query:
```sql
SELECT T2.name FROM concert AS T1 JOIN stadium AS T2 ON T1.stadium_id = T2.stadium_id
GROUP BY T1.stadium_id ORDER BY count(*) DESC LIMIT 1
```"""


def test_qwen_coder_fenced_and_plain():
    assert extract_sql(QWEN_CODER_FENCED) == (
        "SELECT T1.name, count(*) FROM singer AS T1 JOIN concert AS T2 ON T1.singer_id = T2.singer_id "
        "GROUP BY T1.singer_id"
    )
    assert extract_sql(QWEN_CODER_PLAIN) == QWEN_CODER_PLAIN


def test_think_block_removed_and_final_block_wins():
    assert extract_sql(R1_DISTILL) == "SELECT name FROM singer WHERE age > 40"


def test_think_opened_by_the_prompt():
    assert extract_sql(R1_OPEN_IN_PROMPT) == "SELECT count(*) FROM singer"


def test_unclosed_think_gives_no_sql_from_the_reasoning():
    assert extract_sql("<think>\nmaybe SELECT name FROM singer, or not. Let me check the") == ""


def test_omnisql_last_sql_block_wins():
    assert extract_sql(OMNISQL).startswith("SELECT T2.name FROM concert AS T1")
    assert extract_sql(OMNISQL).endswith("ORDER BY count(*) DESC LIMIT 1")


def test_prose_that_merely_says_select_is_not_sql():
    text = "To answer, we select name from the singer table:\n\nSELECT name FROM singer ORDER BY age"
    assert extract_sql(text) == "SELECT name FROM singer ORDER BY age"
    text = "We select the names of singers. SELECT name FROM singer\n\nThis query lists every singer."
    assert extract_sql(text) == "SELECT name FROM singer"


def test_prose_without_any_query_is_not_cut_at_select():
    text = "I cannot answer; you could select rows where age > 3 yourself"
    assert extract_sql(text) == text.split(";")[0]


def test_last_parsable_untagged_block():
    text = "```\nSELECT a FROM t\n```\nand the fixed one\n```\nSELECT b FROM t\n```\n```\nDone!\n```"
    assert extract_sql(text) == "SELECT b FROM t"


def test_never_raises_and_is_deterministic():
    odd = ["", "```", "</think>", "<think>", "SELECT", "WITH", "select ( ( (", "\x00\ufffd```sql\n", None, 42]
    for text in odd:
        assert isinstance(extract_sql(text), str)  # type: ignore[arg-type]
        assert extract_sql(text) == extract_sql(text)  # type: ignore[arg-type]


def test_prose_query_spanning_lines_and_enclosing_queries():
    text = "The query:\nSELECT a\nFROM t\nWHERE b = 1\nThis returns the a values of rows where b is 1."
    assert extract_sql(text) == "SELECT a FROM t WHERE b = 1"
    assert extract_sql("Answer: WITH a AS (SELECT 1 FROM t) SELECT * FROM a") == (
        "WITH a AS (SELECT 1 FROM t) SELECT * FROM a"
    )
    draft_then_final = "First SELECT x FROM t1\nthen better:\nSELECT y FROM t2 WHERE z IN (SELECT z FROM t3)"
    assert extract_sql(draft_then_final) == "SELECT y FROM t2 WHERE z IN (SELECT z FROM t3)"


def test_long_chatty_prose_stays_bounded():
    line = "We select the rows with the highest value from the table and then we select the best one\n"
    assert extract_sql("Let me think.\n" + line * 200 + "SELECT a FROM t") == "SELECT a FROM t"


@pytest.mark.parametrize(
    "answer, expected",
    [
        ("name FROM singer", "SELECT name FROM singer"),  # continues the cue: put back
        ("count(*) FROM t WHERE a > 1", "SELECT count(*) FROM t WHERE a > 1"),
        ("SELECT name FROM singer", "SELECT name FROM singer"),  # repeated it
        ("The answer is: 42", "The answer is: 42"),  # prose is not made into `SELECT The answer ...`
        ("INSERT INTO t VALUES (1)", "INSERT INTO t VALUES (1)"),  # nor a write into `SELECT INSERT ...`
        ("I think the query is SELECT a FROM b", "SELECT a FROM b"),
    ],
)
def test_select_cue_is_restored_only_where_the_answer_continues_a_query(answer, expected):
    assert extract_sql(answer, "SELECT") == expected
