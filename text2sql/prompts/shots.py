"""The shots of k-shot prompts: a selector over the train pool (checked to share no database with the
evaluated splits) and, for the similarity methods, each question's similarity to the pool."""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.data.schema import Example
from text2sql.prompts.config import PromptConfig
from text2sql.prompts.contents import db_path_or_none
from text2sql.prompts.linking import mask_question
from text2sql.prompts.selection import MASK, VALUE, ExampleSelector, check_no_leakage


def _leak_check(bench, split: str, pool: list[Example]) -> None:
    eval_dbs: set[str] = set()
    for s in {"dev", split} - {"train"}:
        try:
            eval_dbs |= {e.db_id for e in bench.examples(s)}
        except T2SError:
            pass  # no such split in this benchmark
    check_no_leakage(pool, eval_dbs)


def shot_selector(bench, split: str, config: PromptConfig, examples: list[Example]):
    """(selector, similarities of `examples` to the pool or None) for `config.shots` > 0."""
    pool = [e for e in bench.examples("train") if e.query]
    _leak_check(bench, split, pool)

    def masked(e):  # the question with schema words and values masked (DAIL's masked-question similarity)
        return mask_question(
            e.question,
            bench.schema(e.db_id),
            db_path_or_none(bench, e.db_id),
            mask_token=MASK,
            value_token=VALUE,
        )

    masked_pool = None
    if config.select in ("masked", "dail"):
        masked_pool = [masked(e) for e in pool]
    embedder = None
    if config.select in ("question", "masked", "dail"):
        from text2sql.prompts.selection import Embedder

        embedder = Embedder(config.embedding_model)
    selector = ExampleSelector(
        pool,
        config.select,
        seed=config.seed,
        embedder=embedder,
        masked_pool=masked_pool,
        threshold=config.dail_threshold,
    )
    sims = None
    if config.select in ("question", "masked", "dail"):
        texts = [e.question if config.select == "question" else masked(e) for e in examples]
        sims = selector.similarities(texts)
    return selector, sims
