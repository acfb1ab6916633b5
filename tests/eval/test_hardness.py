"""Hardness: our sqlglot counts against the official `eval_hardness` run on Spider's own parsed `sql` dicts."""

from __future__ import annotations

import json

import pytest

from text2sql.eval.hardness import components, hardness, level_from_counts

# -- reference: the official evaluation.py functions, verbatim in logic, over the parsed dict --------
WHERE_OPS = ("not", "between", "=", ">", "<", ">=", "<=", "!=", "in", "like", "is", "exists")
AGG_NONE = 0


def _has_agg(unit) -> bool:
    return unit[0] != AGG_NONE


def _count_agg(units) -> int:
    return len([u for u in units if _has_agg(u)])


def _nested(sql) -> list:
    nested = []
    for cond_unit in sql["from"]["conds"][::2] + sql["where"][::2] + sql["having"][::2]:
        if type(cond_unit[3]) is dict:
            nested.append(cond_unit[3])
        if type(cond_unit[4]) is dict:
            nested.append(cond_unit[4])
    for op in ("intersect", "except", "union"):
        if sql[op] is not None:
            nested.append(sql[op])
    return nested


def _component1(sql) -> int:
    count = 0
    count += len(sql["where"]) > 0
    count += len(sql["groupBy"]) > 0
    count += len(sql["orderBy"]) > 0
    count += sql["limit"] is not None
    if len(sql["from"]["table_units"]) > 0:
        count += len(sql["from"]["table_units"]) - 1
    ao = sql["from"]["conds"][1::2] + sql["where"][1::2] + sql["having"][1::2]
    count += len([t for t in ao if t == "or"])
    cond_units = sql["from"]["conds"][::2] + sql["where"][::2] + sql["having"][::2]
    count += len([c for c in cond_units if c[1] == WHERE_OPS.index("like")])
    return count


def _others(sql) -> int:
    count = 0
    agg_count = _count_agg(sql["select"][1])
    agg_count += _count_agg(sql["where"][::2])
    agg_count += _count_agg(sql["groupBy"])
    if len(sql["orderBy"]) > 0:
        agg_count += _count_agg(
            [u[1] for u in sql["orderBy"][1] if u[1]] + [u[2] for u in sql["orderBy"][1] if u[2]]
        )
    agg_count += _count_agg(sql["having"])
    count += agg_count > 1
    count += len(sql["select"][1]) > 1
    count += len(sql["where"]) > 1
    count += len(sql["groupBy"]) > 1
    return count


def official_counts(sql) -> tuple[int, int, int]:
    return _component1(sql), len(_nested(sql)), _others(sql)


# -- tests ------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "sql, level",
    [
        ("SELECT count(*) FROM singer", "easy"),
        ("SELECT name FROM singer WHERE age > 20", "easy"),
        ("SELECT name, age FROM singer WHERE age > 20", "medium"),
        ("SELECT T1.name FROM a AS T1 JOIN b AS T2 ON T1.id = T2.id WHERE T2.x = 1", "medium"),
        ("SELECT name FROM singer WHERE age > (SELECT avg(age) FROM singer)", "hard"),
        ("SELECT a FROM t WHERE x = 1 OR y LIKE '%z%' ORDER BY a LIMIT 1", "extra"),
        ("SELECT name FROM a INTERSECT SELECT name FROM b", "hard"),
        ("SELECT name, count(*) FROM a JOIN b ON a.id = b.id GROUP BY name HAVING count(*) > 1", "medium"),
        ("SELECT a, b FROM t WHERE a NOT IN (SELECT a FROM s) AND b > 1", "extra"),
    ],
)
def test_hardness_levels(sql, level):
    assert hardness(sql) == level


def test_quirks_of_the_official_counts():
    # HAVING: every connector and negation is an "aggregation", the aggregate itself is not.
    assert components("SELECT a FROM t GROUP BY a HAVING count(*) > 1")[2] == 0
    assert components("SELECT a, max(b) FROM t GROUP BY a HAVING count(*) > 1 AND sum(b) > 2")[2] == 2
    # WHERE: negated conditions count as aggregations; a FROM subquery is not nested.
    assert components("SELECT max(a) FROM t WHERE b NOT IN (SELECT b FROM s)") == (1, 1, 1)
    assert components("SELECT a FROM (SELECT a FROM t)")[1] == 0
    # Leftmost-operand aggregate: `max(a) - min(a)` is one select aggregation.
    assert components("SELECT max(a) - min(a) FROM t") == (0, 0, 0)
    assert level_from_counts(4, 0, 0) == "extra"


def test_unparsable_sql_is_extra():
    assert hardness("this is not sql ((") == "extra"


@pytest.mark.spider
def test_agrees_with_official_on_spider_dev(spider_dir):
    examples = json.loads((spider_dir / "dev.json").read_text())
    mismatches = [
        (ex["query"], official_counts(ex["sql"]), components(ex["query"]))
        for ex in examples
        if level_from_counts(*official_counts(ex["sql"])) != hardness(ex["query"])
    ]
    assert len(examples) == 1034
    assert mismatches == [], f"{len(mismatches)} of 1034 differ, e.g. {mismatches[:3]}"
