"""Row 16 of issue 17: slow completions of one database spread over the reward workers."""

from __future__ import annotations

from text2sql.execution.rewards import RewardScorer, RewardSettings

ENDLESS = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c"


def test_prompts_of_one_database_use_every_worker(sample_bench):
    examples = [e for e in sample_bench.examples("dev") if e.db_id == "university"][:4]
    assert len({e.query for e in examples}) == 4
    settings = RewardSettings(timeout=0.3, gold_timeout=10, workers=2, overlap=False)
    with RewardScorer(sample_bench, settings) as sc:
        verdicts = sc.judge([e.db_id for e in examples], [e.query for e in examples], [ENDLESS] * 4)
        assert [v.error for v in verdicts] == ["timeout"] * 4
        assert sorted(sc._pool.load) == [2, 2], "one database's prompts all went to one worker"
