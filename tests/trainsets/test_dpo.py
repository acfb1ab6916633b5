"""DPO data: corruptions are real AST edits and every kept negative is wrong under the EX metric."""

from __future__ import annotations

import json

import pytest

from text2sql.execution.executor import Executor
from text2sql.execution.verdict import classify_on_databases
from text2sql.prompts.builder import PromptConfig
from text2sql.trainsets.corruptions import corruptions
from text2sql.trainsets.dpo import build_dpo


@pytest.fixture(scope="module")
def tok():
    from text2sql.prompts.tokenizer import load_tokenizer

    return load_tokenizer(None)


def test_corruption_kinds(sample_bench):
    schema = sample_bench.schema("library")
    out = dict(
        corruptions(
            "SELECT genre, count(*) FROM book WHERE pages > 100 GROUP BY genre ORDER BY count(*) DESC LIMIT 1",
            schema,
        )
    )
    kinds = {
        k
        for k, _ in corruptions(
            "SELECT DISTINCT T1.name FROM author AS T1 JOIN book AS T2 ON T1.author_id = T2.author_id "
            "WHERE T2.pages > 100 AND T2.price < 20 ORDER BY T1.name LIMIT 5",
            schema,
        )
    }
    assert {
        "wrong_column",
        "drop_predicate",
        "flip_predicate",
        "wrong_join_key",
        "missing_distinct",
        "reversed_order",
        "changed_limit",
    } <= kinds
    all_kinds = {
        k
        for k, _ in corruptions(
            "SELECT genre, max(pages) FROM book WHERE pages > 100 GROUP BY genre ORDER BY count(*) DESC LIMIT 1",
            schema,
        )
    }
    assert {"wrong_aggregate", "missing_group_by"} <= all_kinds
    assert out  # a query with all clauses yields candidates


@pytest.fixture(scope="module")
def dpo(sample_bench, tok, tmp_path_factory):
    train = sample_bench.examples("train")[:30]
    cand = {train[0].id: [train[0].query, "SELECT 1", "SELECT nonsense FROM nowhere"]}
    return build_dpo(
        sample_bench, "train", PromptConfig(), limit=30, pairs_per_example=3, candidates=cand, tokenizer=tok
    )


@pytest.mark.require_train
def test_every_rejected_answer_is_wrong_by_execution(sample_bench, dpo):
    rows, stats = dpo
    assert rows and stats.to_dict()["pairs"] == len(rows)
    ex = Executor()
    for r in rows:
        dbs = [str(p) for p in sample_bench.db_files(r["db_id"])]
        gold = r["chosen"][0]["content"]
        correct, kind = classify_on_databases(dbs, gold, r["rejected"][0]["content"], ex.execute)
        assert not correct and kind in ("wrong_result", "empty_result", "order_mismatch")
        assert [m["role"] for m in r["prompt"]] == ["system", "user"]
        assert r["chosen"][0]["role"] == r["rejected"][0]["role"] == "assistant"
    assert len({r["rejected_kind"] for r in rows}) >= 4
    per_id = {}
    for r in rows:
        per_id[r["id"]] = per_id.get(r["id"], 0) + 1
    assert max(per_id.values()) <= 3
    json.dumps(rows)


@pytest.mark.require_train
def test_candidates_are_verified_and_errors_dropped(dpo, sample_bench):
    rows, stats = dpo
    first = sample_bench.examples("train")[0]
    cands = [r for r in rows if r["rejected_kind"] == "candidate"]
    assert all(r["id"] == first.id for r in cands)
    assert all("nonsense" not in r["rejected"][0]["content"] for r in rows)  # errors need --allow-errors
    assert all(r["rejected"][0]["content"].strip() != first.query.strip() for r in cands)  # gold is not wrong
    assert stats.generated["candidate"] == 3


@pytest.mark.require_train
def test_allow_errors_keeps_non_executable(sample_bench, tok):
    ex = sample_bench.examples("train")[0]
    rows, _ = build_dpo(
        sample_bench,
        "train",
        PromptConfig(),
        limit=1,
        pairs_per_example=50,
        candidates={ex.id: ["SELECT nonsense FROM nowhere"]},
        allow_errors=True,
        tokenizer=tok,
    )
    assert any("nonsense" in r["rejected"][0]["content"] for r in rows)


@pytest.mark.require_train
def test_cli_build_dpo(tmp_path):
    from typer.testing import CliRunner

    from text2sql.cli import app

    out = tmp_path / "d.jsonl"
    res = CliRunner().invoke(
        app, ["build-dpo", "--limit", "5", "--pairs-per-example", "1", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "verified wrong" in res.output and "pairs written" in res.output
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert 1 <= len(rows) <= 5
    assert {"prompt", "chosen", "rejected", "db_id", "rejected_kind", "id", "config_hash"} <= set(rows[0])


def test_equally_close_negatives_rotate_kinds_across_the_data_set():
    """One changed token is as close for a wrong column as for a wrong join key: the kind written less
    often so far wins the tie, so join-key negatives are not crowded out by whichever kind comes first."""
    from collections import Counter

    from text2sql.trainsets.dpo import _pick

    kept = [("wrong_column", "a", 0.9), ("wrong_join_key", "b", 0.9), ("drop_predicate", "c", 0.5)]
    assert [k for k, _, _ in _pick(kept, 1)] == ["wrong_column"]
    assert [k for k, _, _ in _pick(kept, 1, Counter(wrong_column=5))] == ["wrong_join_key"]
    # a strictly closer negative still beats balance
    kept.append(("flip_predicate", "d", 0.95))
    assert [k for k, _, _ in _pick(kept, 2, Counter(flip_predicate=9))] == ["flip_predicate", "wrong_column"]


def test_sampled_answers_are_picked_before_closer_corruptions():
    """On-policy negatives first: the model's own wrong answers outrank even a closer corruption, the
    closest of them first; corruptions fill the remaining places."""
    from text2sql.trainsets.dpo import CANDIDATE, _pick

    kept = [("wrong_column", "a", 0.95), (CANDIDATE, "far", 0.2), (CANDIDATE, "near", 0.6), ("drop_limit", "b", 0.9)]
    assert [sql for _, sql, _ in _pick(kept, 2)] == ["near", "far"]
    assert [sql for _, sql, _ in _pick(kept, 3)] == ["near", "far", "a"]
    assert [sql for _, sql, _ in _pick(kept[:1] + kept[3:], 2)] == ["a", "b"]  # no samples: corruptions as before
