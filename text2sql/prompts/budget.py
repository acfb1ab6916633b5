"""Fit a prompt into `max_tokens`: drop shots first, then the tables that are neither linked to the
question nor on a foreign-key path between linked ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from text2sql.prompts.linking import link, linked_tables_with_paths


class Fitted(NamedTuple):
    messages: list[dict]
    text: str
    n_tokens: int
    k: int  # shots kept
    pruned: list[str]  # tables dropped


def fit_budget(
    render: Callable[[int, list[str]], tuple[list[dict], str, int]],
    k: int,
    tables: list[str],
    budget: int | None,
    question: str,
    schema,
    db_path,
) -> Fitted:
    """The prompt `render(k shots, tables)` gives once it fits `budget` (or once nothing is left to drop)."""
    messages, text, n_tokens = render(k, tables)
    pruned: list[str] = []
    if budget is not None:
        while n_tokens > budget and k > 0:  # examples go first
            k -= 1
            messages, text, n_tokens = render(k, tables)
        if n_tokens > budget:  # then tables neither linked nor on a foreign-key path between linked ones
            linked = link(question, schema, db_path).tables
            keep = linked_tables_with_paths(schema, linked) if linked else set(tables)
            kept = [t for t in tables if t in keep]
            if len(kept) < len(tables):
                pruned = [t for t in tables if t not in keep]
                tables = kept
                messages, text, n_tokens = render(k, tables)
    return Fitted(messages, text, n_tokens, k, pruned)
