"""Plausible wrong SQL made from a gold query by editing its sqlglot AST (DPO negatives).

Each corruption is one small, typical mistake: a wrong column of the same table, a dropped or
flipped predicate, a wrong aggregate, a wrong join key, a missing GROUP BY or DISTINCT, a reversed
ORDER BY or a changed LIMIT. Whether the result is really wrong is decided later by execution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from text2sql.data.schema import Schema

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


# -- the corruptions: each yields edited copies of the gold tree, which is never modified -----------------
@dataclass
class _Gold:
    tree: exp.Expression
    aliases: dict[str, str]  # alias or name (lower-case) -> real table name
    schema: Schema

    def nodes(self, kind) -> list:
        return list(self.tree.find_all(kind))


def _nth(tree: exp.Expression, kind, i: int):
    """The i-th `kind` node of a copy: the copy's counterpart of `gold.nodes(kind)[i]`."""
    return list(tree.find_all(kind))[i]


def wrong_column(gold: _Gold) -> Iterator[exp.Expression]:
    """A column of the SELECT list replaced by another column of the same table (three at most)."""
    for sel in gold.nodes(exp.Select):
        for i, proj in enumerate(sel.expressions):
            for col in list(proj.find_all(exp.Column)):
                owner = _owner(col, gold.aliases, gold.schema)
                if owner is None:
                    continue
                for other in _other_columns(gold.schema, owner, col.name)[:3]:
                    tree = gold.tree.copy()
                    target = _nth(tree, exp.Select, gold.nodes(exp.Select).index(sel)).expressions[i]
                    for c in target.find_all(exp.Column):
                        if c.name == col.name and c.table == col.table:
                            c.set("this", exp.to_identifier(other))
                            break
                    yield tree


def _conditions(where: exp.Where) -> list:
    return list(where.this.flatten()) if isinstance(where.this, exp.And) else [where.this]


def drop_predicate(gold: _Gold) -> Iterator[exp.Expression]:
    """One conjunct of a WHERE dropped (the WHERE itself when it was the only one)."""
    for w_i, where in enumerate(gold.nodes(exp.Where)):
        for c_i in range(len(_conditions(where))):
            tree = gold.tree.copy()
            w = _nth(tree, exp.Where, w_i)
            rest = [c for j, c in enumerate(_conditions(w)) if j != c_i]
            if rest:
                w.set("this", exp.and_(*rest))
            else:
                w.pop()
            yield tree


def flip_comparison(gold: _Gold) -> Iterator[exp.Expression]:
    """A comparison negated (`=` / `!=`, `>` / `<=`, `<` / `>=`)."""
    for kind, flip in _FLIP.items():
        for n_i, _ in enumerate(gold.nodes(kind)):
            tree = gold.tree.copy()
            target = _nth(tree, kind, n_i)
            target.replace(flip(this=target.this.copy(), expression=target.expression.copy()))
            yield tree


def negate_like(gold: _Gold) -> Iterator[exp.Expression]:
    """A LIKE turned into NOT LIKE."""
    for n_i, _ in enumerate(gold.nodes(exp.Like)):
        tree = gold.tree.copy()
        target = _nth(tree, exp.Like, n_i)
        target.replace(exp.Not(this=target.copy()))
        yield tree


def wrong_aggregate(gold: _Gold) -> Iterator[exp.Expression]:
    """An aggregate swapped (MAX / MIN, AVG / SUM, COUNT -> SUM), except over `*` or DISTINCT."""
    for kind, swap in _AGG_SWAP.items():
        for n_i, node in enumerate(gold.nodes(kind)):
            if isinstance(node.this, exp.Star) or isinstance(node.this, exp.Distinct):
                continue
            tree = gold.tree.copy()
            target = _nth(tree, kind, n_i)
            target.replace(swap(this=target.this.copy()))
            yield tree


def wrong_join_key(gold: _Gold) -> Iterator[exp.Expression]:
    """One side of an ON equality replaced by another column of that table (two at most)."""
    for j_i, join in enumerate(gold.nodes(exp.Join)):
        on = join.args.get("on")
        if on is None:
            continue
        for e_i, eq in enumerate(on.find_all(exp.EQ)):
            for side in ("this", "expression"):
                col = eq.args.get(side)
                if not isinstance(col, exp.Column):
                    continue
                owner = _owner(col, gold.aliases, gold.schema)
                if owner is None:
                    continue
                for other in _other_columns(gold.schema, owner, col.name)[:2]:
                    tree = gold.tree.copy()
                    teq = list(_nth(tree, exp.Join, j_i).args["on"].find_all(exp.EQ))[e_i]
                    teq.args[side].set("this", exp.to_identifier(other))
                    yield tree


def drop_group_by(gold: _Gold) -> Iterator[exp.Expression]:
    for n_i, _ in enumerate(gold.nodes(exp.Group)):
        tree = gold.tree.copy()
        _nth(tree, exp.Group, n_i).pop()
        yield tree


def drop_distinct(gold: _Gold) -> Iterator[exp.Expression]:
    for s_i, sel in enumerate(gold.nodes(exp.Select)):
        if sel.args.get("distinct"):
            tree = gold.tree.copy()
            _nth(tree, exp.Select, s_i).set("distinct", None)
            yield tree


def reverse_order(gold: _Gold) -> Iterator[exp.Expression]:
    for o_i, _ in enumerate(gold.nodes(exp.Ordered)):
        tree = gold.tree.copy()
        o = _nth(tree, exp.Ordered, o_i)
        o.set("desc", not o.args.get("desc"))
        yield tree


def change_limit(gold: _Gold) -> Iterator[exp.Expression]:
    """An integer LIMIT n changed to n + 1, n - 1 (at least 0), and 3 for 1 or else 1, in that sorted order."""
    for l_i, lim in enumerate(gold.nodes(exp.Limit)):
        value = lim.expression
        if isinstance(value, exp.Literal) and value.is_int:
            n = int(value.this)
            for new in sorted({n + 1, max(n - 1, 0), 3 if n == 1 else 1} - {n}):
                tree = gold.tree.copy()
                _nth(tree, exp.Limit, l_i).set("expression", exp.Literal.number(new))
                yield tree


# The table: (kind, corruption), applied in this order; the order fixes which duplicate wins and so the
# DPO data set (tests/trainsets/test_dpo_determinism.py).
CORRUPTIONS: tuple[tuple[str, Callable[[_Gold], Iterator[exp.Expression]]], ...] = (
    ("wrong_column", wrong_column),
    ("drop_predicate", drop_predicate),
    ("flip_predicate", flip_comparison),
    ("flip_predicate", negate_like),
    ("wrong_aggregate", wrong_aggregate),
    ("wrong_join_key", wrong_join_key),
    ("missing_group_by", drop_group_by),
    ("missing_distinct", drop_distinct),
    ("reversed_order", reverse_order),
    ("changed_limit", change_limit),
)
KINDS = tuple(dict.fromkeys(kind for kind, _ in CORRUPTIONS))


def _variants(sql: str, schema: Schema) -> Iterator[tuple[str, exp.Expression]]:
    try:
        base = sqlglot.parse_one(sql, read="sqlite")
    except sqlglot.errors.ParseError:
        return
    if base is None:
        return
    gold = _Gold(base, _alias_map(base, schema), schema)
    for kind, corrupt in CORRUPTIONS:
        for tree in corrupt(gold):
            yield kind, tree


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
