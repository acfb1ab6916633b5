"""Plausible wrong SQL made from a gold query by editing its sqlglot AST (DPO negatives).

Each corruption is one small, typical mistake: a wrong column of the same table, a dropped or
flipped predicate, a wrong aggregate, a wrong join key, a missing GROUP BY or DISTINCT, a reversed
ORDER BY or a changed LIMIT. Whether the result is really wrong is decided later by execution.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlglot
from sqlglot import exp

from text2sql.data.schema import Schema

KINDS = (
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

_FLIP = {exp.EQ: exp.NEQ, exp.NEQ: exp.EQ, exp.GT: exp.LTE, exp.LTE: exp.GT, exp.LT: exp.GTE, exp.GTE: exp.LT}
_AGG_SWAP = {exp.Max: exp.Min, exp.Min: exp.Max, exp.Avg: exp.Sum, exp.Sum: exp.Avg, exp.Count: exp.Sum}


def _sql(tree: exp.Expression) -> str:
    return tree.sql(dialect="sqlite")


def _alias_map(tree: exp.Expression, schema: Schema) -> dict[str, str]:
    """Alias or name (lower-case) -> real table name, for every table in the query."""
    out = {}
    for t in tree.find_all(exp.Table):
        real = schema.table(t.name)
        if real is not None:
            out[t.name.lower()] = real.name
            if t.alias:
                out[t.alias.lower()] = real.name
    return out


def _owner(col: exp.Column, aliases: dict[str, str], schema: Schema) -> str | None:
    if col.table:
        return aliases.get(col.table.lower())
    # FROM order, not a set: a set of strings iterates in a per-process hash order, so an unqualified
    # column present in two tables got a different owner (and different negatives) from run to run
    for name in dict.fromkeys(aliases.values()):
        t = schema.table(name)
        if t is not None and t.column(col.name) is not None:
            return t.name
    return None


def _other_columns(schema: Schema, table: str, col: str) -> list[str]:
    t = schema.table(table)
    return [c.name for c in t.columns if c.name.lower() != col.lower()] if t else []


def _variants(sql: str, schema: Schema) -> Iterator[tuple[str, exp.Expression]]:
    try:
        base = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return
    if base is None:
        return
    aliases = _alias_map(base, schema)

    def nodes(kind):
        return list(base.find_all(kind))

    # wrong column of the same table, in the SELECT list
    for sel in nodes(exp.Select):
        for i, proj in enumerate(sel.expressions):
            for col in list(proj.find_all(exp.Column)):
                owner = _owner(col, aliases, schema)
                if owner is None:
                    continue
                for other in _other_columns(schema, owner, col.name)[:3]:
                    tree = base.copy()
                    target = list(tree.find_all(exp.Select))[nodes(exp.Select).index(sel)].expressions[i]
                    for c in target.find_all(exp.Column):
                        if c.name == col.name and c.table == col.table:
                            c.set("this", exp.to_identifier(other))
                            break
                    yield "wrong_column", tree
    # dropped / flipped predicates
    for w_i, where in enumerate(nodes(exp.Where)):
        conds = list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]
        for c_i in range(len(conds)):
            tree = base.copy()
            w = list(tree.find_all(exp.Where))[w_i]
            tconds = list(w.this.flatten()) if isinstance(w.this, exp.And) else [w.this]
            rest = [c for j, c in enumerate(tconds) if j != c_i]
            if rest:
                w.set("this", exp.and_(*rest))
            else:
                w.pop()
            yield "drop_predicate", tree
    for kind, flip in _FLIP.items():
        for n_i, _node in enumerate(nodes(kind)):
            tree = base.copy()
            target = list(tree.find_all(kind))[n_i]
            target.replace(flip(this=target.this.copy(), expression=target.expression.copy()))
            yield "flip_predicate", tree
    for n_i, _ in enumerate(nodes(exp.Like)):
        tree = base.copy()
        target = list(tree.find_all(exp.Like))[n_i]
        target.replace(exp.Not(this=target.copy()))
        yield "flip_predicate", tree
    # aggregates
    for kind, swap in _AGG_SWAP.items():
        for n_i, node in enumerate(nodes(kind)):
            if isinstance(node.this, exp.Star) or isinstance(node.this, exp.Distinct):
                continue
            tree = base.copy()
            target = list(tree.find_all(kind))[n_i]
            target.replace(swap(this=target.this.copy()))
            yield "wrong_aggregate", tree
    # join keys: replace one side of an ON equality by another column of that table
    for j_i, join in enumerate(nodes(exp.Join)):
        on = join.args.get("on")
        if on is None:
            continue
        for e_i, eq in enumerate(on.find_all(exp.EQ)):
            for side in ("this", "expression"):
                col = eq.args.get(side)
                if not isinstance(col, exp.Column):
                    continue
                owner = _owner(col, aliases, schema)
                if owner is None:
                    continue
                for other in _other_columns(schema, owner, col.name)[:2]:
                    tree = base.copy()
                    teq = list(list(tree.find_all(exp.Join))[j_i].args["on"].find_all(exp.EQ))[e_i]
                    teq.args[side].set("this", exp.to_identifier(other))
                    yield "wrong_join_key", tree
    for n_i, _ in enumerate(nodes(exp.Group)):
        tree = base.copy()
        list(tree.find_all(exp.Group))[n_i].pop()
        yield "missing_group_by", tree
    for s_i, sel in enumerate(nodes(exp.Select)):
        if sel.args.get("distinct"):
            tree = base.copy()
            list(tree.find_all(exp.Select))[s_i].set("distinct", None)
            yield "missing_distinct", tree
    for o_i, _ in enumerate(nodes(exp.Ordered)):
        tree = base.copy()
        o = list(tree.find_all(exp.Ordered))[o_i]
        o.set("desc", not o.args.get("desc"))
        yield "reversed_order", tree
    for l_i, lim in enumerate(nodes(exp.Limit)):
        value = lim.expression
        if isinstance(value, exp.Literal) and value.is_int:
            n = int(value.this)
            for new in sorted({n + 1, max(n - 1, 0), 3 if n == 1 else 1} - {n}):
                tree = base.copy()
                list(tree.find_all(exp.Limit))[l_i].set("expression", exp.Literal.number(new))
                yield "changed_limit", tree


def corruptions(sql: str, schema: Schema) -> list[tuple[str, str]]:
    """Distinct (kind, corrupted SQL) pairs, none textually equal to the gold after normalisation."""
    seen = set()
    try:
        gold_norm = _sql(sqlglot.parse_one(sql, read="sqlite"))
    except sqlglot.errors.ParseError:
        return []
    seen.add(gold_norm)
    out = []
    for kind, tree in _variants(sql, schema):
        try:
            text = _sql(tree)
        except Exception:  # an edit sqlglot cannot print is simply not a candidate
            continue
        if text not in seen:
            seen.add(text)
            out.append((kind, text))
    return out
