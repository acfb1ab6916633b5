"""Prompt building on the bundled sample: representations, switches, chat rendering, budget, CLI."""

from __future__ import annotations

import json

import pytest

from text2sql.core.errors import T2SError
from text2sql.prompts.builder import PromptConfig, build_prompts
from text2sql.prompts.representations import REPRESENTATIONS, load_template, strip_foreign_keys


@pytest.fixture(scope="module")
def tok():
    from text2sql.prompts.tokenizer import load_tokenizer

    return load_tokenizer(None)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path / "cache"))


@pytest.mark.require_train
@pytest.mark.parametrize("name", REPRESENTATIONS)
def test_every_representation_renders_every_dev_database(sample_bench, tok, name):
    dev = sample_bench.examples("dev")
    first = {}
    for ex in dev:
        first.setdefault(ex.db_id, ex)
    recs = build_prompts(sample_bench, "dev", PromptConfig(repr=name), tokenizer=tok)
    assert len(recs) == len(dev)
    by_db = {r["db_id"]: r for r in recs}
    assert set(by_db) == set(first)
    for db_id, rec in by_db.items():
        user = rec["messages"][1]["content"]
        for table in sample_bench.schema(db_id).tables:
            assert table.name in user
            if name != "code":  # code uses the database's DDL; columns are checked via names there too
                assert all(c.name in user for c in table.columns)
        assert rec["messages"][0]["role"] == "system" and rec["messages"][1]["role"] == "user"
        assert rec["question"] in user


@pytest.mark.require_train
def test_dail_wording_and_switches(sample_bench, tok):
    ex = sample_bench.examples("dev")[0]

    def user(**kw):
        return build_prompts(sample_bench, "dev", PromptConfig(**kw), limit=1, tokenizer=tok)[0]["messages"][
            1
        ]["content"]

    openai = user(repr="openai")
    assert openai.startswith("### Complete sqlite SQL query only and with no explanation\n")
    assert "### Their foreign keys:" in openai and openai.endswith(f"### {ex.question}")
    assert user(repr="openai", rule=False).startswith("### Complete sqlite SQL query\n")
    assert "Foreign_keys" not in user(repr="openai", fk=False)
    assert user(repr="code").endswith(f"/* Answer the following with no explanation: {ex.question} */")
    assert user(repr="code", rule=False).endswith(f"/* Answer the following: {ex.question} */")
    assert "REFERENCES" in user(repr="code") and "REFERENCES" not in user(repr="code", fk=False)
    norm = user(repr="code", ddl="normalized")
    assert "PRIMARY KEY" in norm and "FOREIGN KEY" in norm
    assert user(repr="text").startswith("Given the following database schema:\n")
    assert user(repr="basic").endswith(f'Q: "{ex.question}" with no explanation')
    assert user(repr="alpaca").endswith("### Response:")
    assert "example rows from table" in user(repr="code", rows=2)
    assert "values of" in user(repr="code", values=2)


def test_strip_foreign_keys_keeps_valid_layout():
    ddl = "CREATE TABLE a (\n  id INTEGER PRIMARY KEY,\n  b_id INTEGER REFERENCES b(id),\n  FOREIGN KEY (b_id) REFERENCES b(id)\n)"
    out = strip_foreign_keys(ddl)
    assert "REFERENCES" not in out and "FOREIGN" not in out
    import sqlite3

    sqlite3.connect(":memory:").execute(out)  # still valid SQL


@pytest.mark.require_train
def test_token_counts_equal_a_recount(sample_bench, tok):
    recs = build_prompts(
        sample_bench, "dev", PromptConfig(repr="openai", shots=2, select="random"), limit=5, tokenizer=tok
    )
    for r in recs:
        ids = tok.apply_chat_template(r["messages"], add_generation_prompt=True, tokenize=True)
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        assert r["n_tokens"] == len(ids)
        assert r["prompt"] == tok.apply_chat_template(
            r["messages"], add_generation_prompt=True, tokenize=False
        )


@pytest.mark.require_train
def test_budget_drops_examples_then_prunes_tables(sample_bench, tok):
    full = build_prompts(sample_bench, "dev", PromptConfig(shots=3, select="random"), limit=8, tokenizer=tok)
    zero = build_prompts(sample_bench, "dev", PromptConfig(), limit=8, tokenizer=tok)
    budget = min(r["n_tokens"] for r in zero) - 1  # below every 0-shot prompt: shots go, then tables
    recs = build_prompts(
        sample_bench, "dev", PromptConfig(shots=3, select="random", max_tokens=budget), limit=8, tokenizer=tok
    )
    assert all(len(r["shots"]) == 0 and r["shots_dropped"] == 3 for r in recs)
    assert any(r["pruned_tables"] for r in recs)
    for r, f in zip(recs, full, strict=True):
        assert r["question"] in r["messages"][1]["content"]  # the question is never cut
        assert r["n_tokens"] < f["n_tokens"]
        assert r["over_budget"] == (r["n_tokens"] > budget)
    mid = build_prompts(
        sample_bench,
        "dev",
        PromptConfig(shots=3, select="random", max_tokens=full[0]["n_tokens"] - 1),
        limit=1,
        tokenizer=tok,
    )[0]
    assert (
        0 < mid["shots_dropped"] < 3
        and not mid["pruned_tables"]
        and mid["n_tokens"] <= full[0]["n_tokens"] - 1
    )


def test_config_hash_is_stable_and_sensitive():
    a, b = PromptConfig(), PromptConfig()
    assert a.hash() == b.hash() and len(a.hash()) == 12
    assert PromptConfig(fk=False).hash() != a.hash()
    assert PromptConfig(system_prompt="x").hash() != a.hash()


@pytest.mark.require_train
def test_select_cue_and_sft_rows(sample_bench, tok):
    from text2sql.trainsets.sft import build_sft

    rows, skipped = build_sft(sample_bench, "train", PromptConfig(), limit=4, tokenizer=tok)
    assert skipped == 0 and [m["role"] for m in rows[0]["messages"]] == ["system", "user", "assistant"]
    gold = sample_bench.examples("train")[0].query
    assert rows[0]["messages"][2]["content"] == gold.strip()
    cue_rows, _ = build_sft(sample_bench, "train", PromptConfig(select_cue=True), limit=1, tokenizer=tok)
    assert cue_rows[0]["messages"][1]["content"].endswith("\nSELECT")
    assert "SELECT " + cue_rows[0]["messages"][2]["content"] == gold.strip()


@pytest.mark.require_train
def test_bad_options_are_one_line_errors(sample_bench, tok):
    with pytest.raises(T2SError):
        PromptConfig(repr="nope").validate()
    with pytest.raises(T2SError):
        PromptConfig(select="nope").validate()
    with pytest.raises(T2SError, match="^`select` query needs `pre_predictions`"):  # fields, not flags
        build_prompts(sample_bench, "dev", PromptConfig(shots=1, select="query"), limit=1, tokenizer=tok)


@pytest.mark.require_train
def test_user_template_file(tmp_path, sample_bench, tok):
    src = load_template("openai").source.replace("### Complete sqlite SQL query", "### Write SQLite")
    path = tmp_path / "mine.toml"
    path.write_text(src)
    rec = build_prompts(sample_bench, "dev", PromptConfig(repr=str(path)), limit=1, tokenizer=tok)[0]
    assert rec["messages"][1]["content"].startswith("### Write SQLite only and with no explanation")
    assert rec["config_hash"] != PromptConfig(repr="openai").hash()


@pytest.mark.require_train
def test_cli_build_prompts_and_sft(tmp_path):
    from typer.testing import CliRunner

    from text2sql.cli import app

    out = tmp_path / "p.jsonl"
    res = CliRunner().invoke(
        app, ["build-prompts", "--repr", "text", "--values", "--limit", "4", "--output", str(out)]
    )
    assert res.exit_code == 0, res.output
    assert "4 prompts, mean" in res.output
    recs = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(recs) == 4
    assert recs[0]["config"]["values"] == 3 and "values of" in recs[0]["messages"][1]["content"]
    for key in (
        "id",
        "db_id",
        "question",
        "messages",
        "prompt",
        "gold",
        "n_tokens",
        "shots",
        "config",
        "config_hash",
    ):
        assert key in recs[0]
    sft = tmp_path / "s.jsonl"
    res = CliRunner().invoke(app, ["build-sft", "--limit", "3", "--output", str(sft)])
    assert res.exit_code == 0, res.output
    assert [json.loads(x)["id"] for x in sft.read_text().splitlines()] == ["train-0", "train-1", "train-2"]
    res = CliRunner().invoke(app, ["build-prompts", "--repr", "bogus", "--output", str(out)])
    assert res.exit_code != 0


def test_config_hash_names_the_prompt_text_not_irrelevant_options():
    """SFT data built with Qwen's tokenizer and eval prompts counted with another must not look
    different to the adapter check unless a budget lets the tokenizer change the text."""
    from text2sql.prompts.builder import PromptConfig

    base = PromptConfig()
    assert PromptConfig(tokenizer="Qwen/Qwen2.5-Coder-7B-Instruct").hash() == base.hash()
    assert PromptConfig(seed=7, select="masked").hash() == base.hash()  # zero-shot: selection unused
    assert PromptConfig(ddl="normalized", repr="openai").hash() == PromptConfig(repr="openai").hash()
    assert PromptConfig(max_tokens=900, tokenizer="a").hash() != PromptConfig(max_tokens=900).hash()
    assert (
        PromptConfig(shots=3, select="random", seed=1).hash() != PromptConfig(shots=3, select="random").hash()
    )
    assert (
        PromptConfig(shots=3, seed=1).hash() == PromptConfig(shots=3).hash()
    )  # question similarity: no seed
    assert (
        PromptConfig(fk=False).hash() != base.hash() and PromptConfig(ddl="normalized").hash() != base.hash()
    )


@pytest.mark.require_train
@pytest.mark.parametrize("repr_name", ["basic", "text", "openai", "code", "alpaca"])
def test_sql_only_organisation_uses_dails_prefix_for_every_representation(sample_bench, repr_name):
    """DAIL's SqlExampleStyle has one prefix whatever the representation (prompt/ExampleFormatTemplate.py)."""
    from text2sql.prompts.builder import PromptConfig, build_prompts

    cfg = PromptConfig(repr=repr_name, shots=2, select="random", org="sql")
    rec = build_prompts(sample_bench, "dev", cfg, limit=1)[0]
    user = rec["messages"][-1]["content"]
    assert "/* Some SQL examples are provided based on similar problems: */\n" in user
    assert rec["shots"][0]["query"] in user


@pytest.mark.parametrize("select", ["dail", "query"])
def test_select_needing_pre_predictions_fails_first_and_says_how_to_make_them(tmp_path, monkeypatch, select):
    """Issue 18.10 (d): refused before the embedder, the tokenizer or the similarities, naming the command."""
    from cli_helpers import t2s

    from text2sql.prompts import selection, tokenizer

    def expensive(*args, **kwargs):
        raise AssertionError("expensive work started before the missing --pre-predictions was refused")

    monkeypatch.setattr(selection, "Embedder", expensive)
    monkeypatch.setattr(tokenizer, "load_tokenizer", expensive)
    out = tmp_path / "p.jsonl"
    res = t2s("build-prompts", "--shots", "2", "--select", select, "--output", str(out), check=False)
    (line,) = res.stderr.strip().splitlines()
    assert res.returncode == 2 and line.startswith(f"error: --select {select} needs --pre-predictions")
    assert "t2s predict --model M --split dev --output-dir runs/zero-shot" in line
    assert "--pre-predictions runs/zero-shot/predictions.jsonl" in line and not out.exists()


@pytest.mark.require_train
def test_pre_predictions_from_t2s_predict_feed_dail_selection(tmp_path, monkeypatch):
    """The command the error names writes a file that --pre-predictions reads (gold stands in for a model)."""
    from cli_helpers import t2s

    monkeypatch.chdir(tmp_path)
    t2s("predict", "--backend", "gold", "--limit", "3", "--output-dir", "runs/zero-shot")
    t2s(
        "build-prompts", "--shots", "1", "--select", "query", "--limit", "3",
        "--pre-predictions", "runs/zero-shot/predictions.jsonl", "--output", "p.jsonl",
    )  # fmt: skip
    recs = [json.loads(x) for x in (tmp_path / "p.jsonl").read_text().splitlines()]
    assert len(recs) == 3 and all(len(r["shots"]) == 1 for r in recs)
