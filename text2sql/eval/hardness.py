"""Official Spider hardness levels (easy / medium / hard / extra) computed from SQL text with sqlglot.

The official `eval_hardness` counts components of the Spider parser's `sql` dict. We rebuild the
same counts from a sqlglot tree, including the official quirks that change levels:
- only the first SELECT of a compound query counts; INTERSECT/UNION/EXCEPT add one nested query;
- subqueries count only as condition values (WHERE/HAVING/ON), never in FROM;
- "aggregations" in WHERE are negated conditions (`not_op` sits where the code expects an agg id),
  and in HAVING every AND/OR connector and negation counts, while real aggregates there do not;
- an ON clause is read only up to its first OR (what the released dev.json parses record);
- a SELECT or ORDER BY item carries the aggregate of its leftmost operand (`max(a) - b` has one).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

LEVELS = ("easy", "medium", "hard", "extra")
_AGGS = (exp.Count, exp.Max, exp.Min, exp.Sum, exp.Avg)
_ARITH = (exp.Add, exp.Sub, exp.Mul, exp.Div)


@dataclass
class _Cond:
    node: exp.Expression  # the condition without its NOT
    negated: bool


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _flatten(node: exp.Expression | None) -> tuple[list[_Cond], list[str]]:
    """Conditions and their AND/OR connectors in textual order, as the Spider parser lists them."""
    if node is None:
        return [], []
    node = _unparen(node)
    if isinstance(node, exp.And | exp.Or):
        lc, lo = _flatten(node.this)
        rc, ro = _flatten(node.expression)
        return lc + rc, lo + ["and" if isinstance(node, exp.And) else "or"] + ro
    if isinstance(node, exp.Not):
        return [_Cond(_unparen(node.this), True)], []
    return [_Cond(node, False)], []


def _leftmost_agg(node: exp.Expression | None) -> bool:
    node = _unparen(node.this if isinstance(node, exp.Alias) else node) if node is not None else None
    while isinstance(node, _ARITH):
        node = _unparen(node.this)
    return isinstance(node, _AGGS)


def _val_unit_aggs(node: exp.Expression) -> int:
    """Aggregates of a Spider val_unit: its leftmost operand, plus the right one of a binary op."""
    node = _unparen(node)
    if isinstance(node, _ARITH):
        return int(_leftmost_agg(node.this)) + int(_leftmost_agg(node.expression))
    return int(_leftmost_agg(node))


def _nested_values(cond: _Cond) -> int:
    """Subqueries used as a condition's values (Spider's val1/val2); the left operand cannot be one."""
    node = cond.node
    if isinstance(node, exp.Exists):
        return 1
    values = [node.args.get(k) for k in ("expression", "query", "low", "high")]
    values += list(node.args.get("expressions") or [])
    return sum(1 for v in values if v is not None and isinstance(_unparen(v), exp.Subquery | exp.Select))


def _main_select(tree: exp.Expression) -> tuple[exp.Select | None, int]:
    """The SELECT the Spider parser reads first, and 1 if a set operation follows it."""
    nested = 0
    while isinstance(tree, exp.SetOperation | exp.Subquery | exp.Paren):
        if isinstance(tree, exp.SetOperation):
            nested = 1
        tree = tree.this
    return (tree if isinstance(tree, exp.Select) else None), nested


def components(sql: str) -> tuple[int, int, int]:
    """The official (count_component1, count_component2, count_others) of a query."""
    tree = sqlglot.parse_one(sql, read="sqlite")
    select, comp2 = _main_select(tree)
    if select is None:
        raise ValueError(f"not a SELECT query: {sql[:80]}")
    where_c, where_o = _flatten(select.args.get("where") and select.args["where"].this)
    having_c, having_o = _flatten(select.args.get("having") and select.args["having"].this)
    joins = select.args.get("joins") or []
    from_c: list[_Cond] = []
    from_o: list[str] = []
    for join in joins:
        c, o = _flatten(join.args.get("on"))
        if "or" in o:  # the released Spider parse keeps an ON clause only up to its first OR
            c, o = c[: o.index("or") + 1], o[: o.index("or")]
        if c and from_c:
            from_o.append("and")
        from_c, from_o = from_c + c, from_o + o
    group = select.args.get("group")
    group_items = list(group.expressions) if group else []
    order = select.args.get("order")
    order_items = [o.this for o in order.expressions] if order else []

    conds = from_c + where_c + having_c
    comp1 = sum(bool(x) for x in (where_c, group_items, order_items))
    comp1 += select.args.get("limit") is not None
    comp1 += len(joins) if select.args.get("from_") or select.args.get("from") else 0
    comp1 += (from_o + where_o + having_o).count("or")
    comp1 += sum(isinstance(c.node, exp.Like) for c in conds)
    comp2 += sum(_nested_values(c) for c in conds)

    agg = sum(_leftmost_agg(e) for e in select.expressions)
    agg += sum(c.negated for c in where_c)
    agg += sum(_leftmost_agg(g) for g in group_items)
    agg += sum(_val_unit_aggs(o) for o in order_items)
    agg += len(having_o) + sum(c.negated for c in having_c)
    others = (
        int(agg > 1) + int(len(select.expressions) > 1) + int(len(where_c) > 1) + int(len(group_items) > 1)
    )
    return comp1, comp2, others


def level_from_counts(comp1: int, comp2: int, others: int) -> str:
    """The official `eval_hardness` decision rules."""
    if comp1 <= 1 and others == 0 and comp2 == 0:
        return "easy"
    if (others <= 2 and comp1 <= 1 and comp2 == 0) or (comp1 <= 2 and others < 2 and comp2 == 0):
        return "medium"
    if (
        (others > 2 and comp1 <= 2 and comp2 == 0)
        or (2 < comp1 <= 3 and others <= 2 and comp2 == 0)
        or (comp1 <= 1 and others == 0 and comp2 <= 1)
    ):
        return "hard"
    return "extra"


def hardness(sql: str) -> str:
    """Spider hardness of a gold query; "extra" when sqlglot cannot parse it (the official would crash)."""
    try:
        return level_from_counts(*components(sql))
    except (sqlglot.errors.SqlglotError, ValueError):
        return "extra"
