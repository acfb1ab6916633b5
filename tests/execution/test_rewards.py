"""RL rewards: the verdict equals `t2s eval`'s on the same text, hostile SQL scores 0 and is counted, a dead
worker costs one completion, and the format / overlap rewards say what they claim."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time

import pytest
from conftest import SPIDER_DIR
from db_helpers import nums_benchmark

from text2sql.execution.extraction import extract_sql
from text2sql.execution.rewards import (
    CRASHED,
    RewardScorer,
    RewardSettings,
    execution,
    format_,
    format_ok,
    result_overlap,
    reward_functions,
)

HOSTILE = [
    "DELETE FROM student",
    "ATTACH DATABASE '/tmp/x.sqlite' AS x",
    "WITH RECURSIVE r(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r) SELECT count(*) FROM r",
    "PRAGMA writable_schema = 1",
    "SELECT * FROM student a, student b, student c, student d, student e, student f, student g",
]


def _mixed_completions(
    bench, split: str, limit: int | None = None, hostile: int = 4
) -> list[tuple[int, str, str | None]]:
    """(index, raw completion, response prefix): gold in fences, corruptions, prose, hostile SQL, cue answers."""
    from text2sql.trainsets.corruptions import corruptions

    out = []
    examples = bench.examples(split)[:limit]
    for i, ex in enumerate(examples):
        cands = [c for _, c in corruptions(ex.query, bench.schema(ex.db_id))][:3]
        out.append((i, f"Here it is:\n```sql\n{ex.query}\n```", None))
        out += [(i, c, None) for c in cands]
        out.append((i, "I am not sure which table holds this.", None))
        out.append((i, HOSTILE[i % hostile], None))  # the first 4 have a fixed verdict, never "slow enough"
        body = ex.query.strip()
        if body.upper().startswith("SELECT"):  # the continuation a --select-cue prompt gets
            out.append((i, body[len("SELECT") :].lstrip() + "<|im_end|>", "SELECT"))
        out.append((i, ex.query.replace("SELECT", "SELECT DISTINCT", 1), None))
    return out


def _eval_verdicts(bench, split, items, timeout):
    from text2sql.eval.evaluate import evaluate

    examples = bench.examples(split)
    sqls = [extract_sql(text, prefix) for _, text, prefix in items]
    report = evaluate(
        bench, [examples[i] for i, _, _ in items], sqls, timeout=timeout, workers=2, use_cache=False
    )
    return [(r["correct"], r["error"]) for r in report.results]


def _reward_verdicts(bench, split, items, timeout, workers=2):
    examples = bench.examples(split)
    with RewardScorer(bench, RewardSettings(timeout=timeout, gold_timeout=timeout, workers=workers)) as sc:
        vs = sc.score(
            [t for _, t, _ in items],
            [examples[i].db_id for i, _, _ in items],
            [examples[i].query for i, _, _ in items],
            [p for _, _, p in items],
        )
    return [(v.correct, v.error) for v in vs]


def test_reward_verdict_equals_eval_verdict_on_the_sample(sample_bench):
    items = _mixed_completions(sample_bench, "dev")
    assert len(items) > 300
    theirs = _eval_verdicts(sample_bench, "dev", items, timeout=0.3)
    ours = _reward_verdicts(sample_bench, "dev", items, timeout=0.3)
    assert ours == theirs
    kinds = {k for _, k in ours}
    assert {None, "forbidden", "timeout", "parse_error", "wrong_result"} <= kinds, kinds
    assert 0 < sum(c for c, _ in ours) < len(ours)


@pytest.mark.skipif(not SPIDER_DIR.is_dir(), reason=f"real Spider not found at {SPIDER_DIR}")
def test_reward_verdict_equals_eval_verdict_on_spider_dev():
    from text2sql.data.benchmark import load_benchmark

    bench = load_benchmark(SPIDER_DIR)
    items = _mixed_completions(bench, "dev", limit=200, hostile=2)  # write attempts, no deadline waits
    assert _reward_verdicts(bench, "dev", items, 2.0) == _eval_verdicts(bench, "dev", items, 2.0)


def _cli(*args, tmp_path):
    env = dict(os.environ, T2S_CACHE_DIR=str(tmp_path / "cache"))
    return subprocess.run([sys.executable, "-m", "text2sql", *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("shift", [0, 3])
def test_t2s_reward_and_t2s_eval_agree_on_every_completion(sample_bench, tmp_path, shift):
    """The CLI parity check: `t2s reward --output` against `t2s eval --predictions` of the extracted SQL."""
    items = [it for it in _mixed_completions(sample_bench, "dev") if it[2] is None]
    by_example: dict[int, list[str]] = {}
    for i, text, _ in items:
        by_example.setdefault(i, []).append(text)
    # one completion per example (t2s eval scores one prediction per question), kinds rotating
    chosen = [(i, texts[(i + shift) % len(texts)]) for i, texts in sorted(by_example.items())]
    comps = tmp_path / "completions.jsonl"
    comps.write_text("".join(json.dumps({"id": i, "completion": t}) + "\n" for i, t in chosen))
    out = tmp_path / "rewards.jsonl"
    r = _cli(
        "reward",
        "--completions",
        str(comps),
        "--split",
        "dev",
        "--timeout",
        "0.3",
        "-o",
        str(out),
        tmp_path=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    summary = r.stdout
    rewards = [json.loads(line) for line in out.read_text().splitlines()]
    assert [row["id"] for row in rewards] == [i for i, _ in chosen]
    preds = tmp_path / "preds.jsonl"
    preds.write_text("".join(json.dumps({"id": i, "sql": extract_sql(t)}) + "\n" for i, t in chosen))
    r = _cli(
        "eval",
        "-p",
        str(preds),
        "--split",
        "dev",
        "--timeout",
        "0.3",
        "--output-dir",
        str(tmp_path / "ev"),
        tmp_path=tmp_path,
    )
    assert r.returncode == 0, r.stderr
    results = [json.loads(line) for line in (tmp_path / "ev" / "results.jsonl").read_text().splitlines()]
    assert [(x["correct"], x["error"]) for x in rewards] == [(x["correct"], x["error"]) for x in results]
    assert len({x["error"] for x in rewards}) >= 4
    mean = sum(x["reward"] for x in rewards) / len(rewards)
    ex_rate = 100 * sum(x["correct"] for x in rewards) / len(rewards)
    assert f"mean reward {mean:.4f}, EX {ex_rate:.2f}%, executable" in summary


def test_test_suite_every_file_must_match(tmp_path):
    from text2sql.data.benchmark import load_benchmark

    root = tmp_path / "suite"
    gold = "SELECT a FROM t WHERE a < 3"
    nums_benchmark(root, {"nums.sqlite": [1, 2], "nums_alt.sqlite": [1, 3]}, gold)
    preds = [gold, "SELECT a FROM t WHERE a <= 2", "SELECT a FROM t WHERE a < 5", "SELECT b FROM t"]
    with RewardScorer(load_benchmark(root), RewardSettings(workers=0)) as sc:
        rewards = execution(None, preds, db_id=["nums"] * 4, gold=[gold] * 4, scorer=sc)
        overlap = result_overlap(None, preds, db_id=["nums"] * 4, gold=[gold] * 4, scorer=sc)
    assert rewards == [1.0, 1.0, 0.1, 0.0]  # the third is right on nums.sqlite only
    assert overlap == [1.0, 1.0, 1.0, 0.0]  # overlap looks at the first file only: dense, not the verdict


def test_hostile_sql_scores_zero_is_counted_and_changes_nothing(sample_bench, sample_dir):
    def digest():
        return [hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(sample_dir.rglob("*.sqlite"))]

    before = digest()
    ex = sample_bench.examples("dev")[0]
    logged: dict[str, float] = {}
    settings = RewardSettings(timeout=0.5, workers=2)
    with RewardScorer(sample_bench, settings) as sc:
        rewards = execution(
            None,
            [*HOSTILE, ex.query],
            db_id=[ex.db_id] * 6,
            gold=[ex.query] * 6,
            scorer=sc,
            log_metric=logged.__setitem__,
        )
        stats = sc.last_stats
    assert rewards == [0.0] * 5 + [1.0]
    assert stats.forbidden >= 3 and stats.timeouts + stats.resource_limits >= 1, stats
    assert logged["reward/ex"] == pytest.approx(1 / 6) and logged["reward/executable"] == pytest.approx(1 / 6)
    assert logged["reward/forbidden"] == stats.forbidden and logged["reward/seconds"] > 0
    assert digest() == before


def test_a_killed_worker_costs_one_completion_and_is_replaced(sample_bench):
    ex = sample_bench.examples("dev")[0]
    slow = HOSTILE[2]  # runs until its deadline: long enough to kill the worker under it
    sqls = [slow, ex.query, ex.query + " ", "SELECT 1"]
    with RewardScorer(sample_bench, RewardSettings(timeout=20, gold_timeout=20, workers=1)) as sc:
        pool = sc._pool
        pid = pool.workers[0].proc.pid

        def kill():
            time.sleep(1.5)
            os.kill(pid, 9)

        t = threading.Thread(target=kill)
        t.start()
        start = time.monotonic()
        vs = sc.judge([ex.db_id] * 4, [ex.query] * 4, sqls)
        elapsed = time.monotonic() - start
        t.join()
        assert [v.error for v in vs] == [CRASHED, None, None, "wrong_result"]
        assert sc.last_stats.crashed == 1 and pool.restarts == 1 and elapsed < 15
        assert pool.workers[0].proc.pid != pid
        again = sc.judge([ex.db_id], [ex.query], [ex.query])  # the new worker serves the next step
        assert again[0].correct


def test_reward_values_are_configurable_and_reuse_one_execution(sample_bench):
    ex = sample_bench.examples("dev")[1]
    table = sample_bench.schema(ex.db_id).tables[0].name
    comps = [ex.query, f"SELECT 12345 FROM {table} LIMIT 1", "no sql here"]
    # SQL that reads no table of the schema runs, but earns nothing (issue 19: no reward for doing nothing)
    comps += ["SELECT 12345", "SELECT count(*) FROM sqlite_master"]
    cols = dict(db_id=[ex.db_id] * 5, gold=[ex.query] * 5)
    with RewardScorer(sample_bench, RewardSettings(correct=2.0, executes=0.5, fails=-1.0, workers=0)) as sc:
        ex_fn, ov_fn = reward_functions(["execution", "result_overlap"], sc)
        assert ex_fn(None, comps, **cols) == [2.0, 0.5, -1.0, -1.0, -1.0]
        first = sc.last_stats
        assert ov_fn(None, comps, **cols) == [1.0, 0.0, 0.0, 0.0, 0.0]
        assert sc.last_stats is first, "the second reward of a step re-executed the SQL"
    with pytest.raises(Exception, match="fails <= executes <= correct"):
        RewardScorer(sample_bench, RewardSettings(correct=0.0, executes=0.5, workers=0))


def test_conversational_completions_and_missing_columns(sample_bench):
    from text2sql.core.errors import T2SError

    ex = sample_bench.examples("dev")[0]
    with RewardScorer(sample_bench, RewardSettings(workers=0)) as sc:
        msgs = [[{"role": "assistant", "content": f"```sql\n{ex.query}\n```"}]]
        assert execution(None, msgs, db_id=[ex.db_id], gold=[ex.query], scorer=sc) == [1.0]
        with pytest.raises(T2SError, match="gold"):
            execution(None, msgs, db_id=[ex.db_id], scorer=sc)


def test_format_reward():
    q = "SELECT name FROM singer"
    assert format_ok(q) and format_ok(f"```sql\n{q}\n```") and format_ok(f"```sql\n{q};\n```")
    assert not format_ok(f"Sure! ```sql\n{q}\n``` Hope it helps.")  # prose around the block
    assert not format_ok(f"```sql\n{q}\n```\n```sql\n{q}\n```")  # two answers
    assert not format_ok("The answer is the name column.")
    assert not format_ok(f"{q}; SELECT 1")
    assert format_ok("name FROM singer", response_prefix="SELECT")
    think = f"<think>The singer table has names.</think>\n```sql\n{q}\n```"
    assert format_ok(think, "think") and not format_ok(f"```sql\n{q}\n```", "think")
    assert not format_ok(think, "sql")  # reasoning where the prompt asked for SQL only
    assert not format_ok(f"<think>a</think><think>b</think>```sql\n{q}\n```", "think")
    assert not format_ok(f"<think>unfinished ```sql\n{q}\n```", "think")
    assert format_(None, [q, think], answer_format=["sql", "think"]) == [1.0, 1.0]


@pytest.mark.require_train
def test_answer_format_think_prompts(sample_bench):
    from text2sql.core.errors import T2SError
    from text2sql.prompts.builder import PromptConfig, build_prompts

    plain = PromptConfig()
    assert "answer_format" not in plain.text_fields()  # prompts built before the option keep their hash
    think = PromptConfig(answer_format="think")
    assert think.hash() != plain.hash()
    [rec] = build_prompts(sample_bench, "dev", think, limit=1)
    system, user = rec["messages"][0]["content"], rec["messages"][1]["content"]
    assert "<think>" in system and "```sql" in system and "nothing else" not in system
    assert "no explanation" not in user  # the rule would contradict the reasoning
    assert rec["config"]["answer_format"] == "think"
    # the config names its fields; `t2s build-prompts` shows them as flags (tests/generation/test_base.py)
    with pytest.raises(T2SError, match="`select_cue`"):
        PromptConfig(answer_format="think", select_cue=True).validate()
    with pytest.raises(T2SError, match="`answer_format`"):
        PromptConfig(answer_format="cot").validate()
    answer = f"<think>Count the rows of student.</think>\n```sql\n{rec['gold']}\n```"
    assert extract_sql(answer) == " ".join(rec["gold"].split()) and format_ok(answer, "think")


def test_a_judging_bug_scores_crashed_and_warns_once(sample_bench, capsys):
    ex = sample_bench.examples("dev")[0]
    with RewardScorer(sample_bench, RewardSettings(workers=0)) as sc:
        sc._executor.execute = None  # any exception inside the judge
        vs = sc.judge([ex.db_id] * 2, [ex.query] * 2, [ex.query, "SELECT 1"])
        sc.judge([ex.db_id], [ex.query], ["SELECT 2"])
    assert [v.error for v in vs] == [CRASHED, CRASHED] and sc.total.crashed == 3
    assert capsys.readouterr().err.count("warning: the reward raised") == 1


def test_reads_schema_table_decides_the_partial_reward():
    from text2sql.execution.rewards import reads_schema_table

    tables = frozenset({"singer", "concert"})
    assert reads_schema_table("SELECT name FROM Singer", tables)
    assert reads_schema_table("SELECT count(*) FROM singer AS s JOIN concert c ON 1", tables)
    assert not reads_schema_table("SELECT 1", tables)
    assert not reads_schema_table("SELECT count(*) FROM sqlite_master", tables)
    assert not reads_schema_table("WITH singer AS (SELECT 1) SELECT * FROM singer", tables)
    assert not reads_schema_table("SELEC nonsense", tables)
