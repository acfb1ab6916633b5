"""Integration on Spider from ../shared (skipped when absent), with the real Qwen2.5 tokenizer."""

from __future__ import annotations

import pytest

from text2sql.prompts.builder import PromptConfig, build_prompts
from text2sql.prompts.representations import REPRESENTATIONS

pytestmark = [pytest.mark.spider, pytest.mark.require_train]


@pytest.fixture(scope="module")
def spider(spider_dir):
    from text2sql.data.benchmark import load_benchmark

    return load_benchmark(spider_dir)


@pytest.fixture(scope="module")
def qwen(qwen_tokenizer_dir):
    from text2sql.prompts.tokenizer import load_tokenizer

    return load_tokenizer(qwen_tokenizer_dir)


@pytest.mark.parametrize("name", REPRESENTATIONS)
def test_all_representations_render_every_spider_dev_database(spider, qwen, name):
    dev = spider.examples("dev")
    seen, picks = set(), []
    for i, ex in enumerate(dev):
        if ex.db_id not in seen:
            seen.add(ex.db_id)
            picks.append(i)
    assert len(picks) == 20
    recs = build_prompts(spider, "dev", PromptConfig(repr=name), tokenizer=qwen, limit=max(picks) + 1)
    for i in picks:
        r = recs[i]
        user = r["messages"][1]["content"]
        assert all(t.name in user for t in spider.schema(r["db_id"]).tables)
        ids = qwen.apply_chat_template(r["messages"], add_generation_prompt=True, tokenize=True)
        ids = ids["input_ids"] if hasattr(ids, "keys") else ids
        assert r["n_tokens"] == len(ids)


def test_spider_pool_has_no_dev_database(spider, qwen, tmp_path, monkeypatch):
    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path))
    recs = build_prompts(
        spider, "dev", PromptConfig(repr="openai", shots=3, select="random"), tokenizer=qwen, limit=40
    )
    dev_dbs = {e.db_id for e in spider.examples("dev")}
    assert all(s["db_id"] not in dev_dbs for r in recs for s in r["shots"])


def test_bird_text_only_prompts_carry_evidence(qwen):
    from conftest import BIRD_DIR

    from text2sql.data.benchmark import load_benchmark

    if not (BIRD_DIR / "dev_tables.json").exists():
        pytest.skip(f"BIRD not found at {BIRD_DIR}")
    bird = load_benchmark(BIRD_DIR)
    ex = bird.examples("dev")[0]
    for name in REPRESENTATIONS:  # no databases on disk: `code` falls back to DDL from the schema
        r = build_prompts(bird, "dev", PromptConfig(repr=name), tokenizer=qwen, limit=1)[0]
        assert ex.evidence and ex.evidence in r["messages"][1]["content"]
        assert all(t.name in r["messages"][1]["content"] for t in bird.schema(ex.db_id).tables)
