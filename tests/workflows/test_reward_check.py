"""`t2s reward`'s library side (text2sql/workflows/reward_check.py): the same numbers without the CLI, and
errors that name the settings, which the CLI shows as its flags."""

import json

import pytest
from cli_helpers import t2s

from text2sql.core.errors import T2SError
from text2sql.data.benchmark import load_benchmark
from text2sql.execution.rewards import RewardSettings
from text2sql.workflows.reward_check import RewardMix, check_rewards


def test_mix_errors_name_the_settings():
    with pytest.raises(T2SError, match="unknown `rewards` 'speed'"):
        RewardMix(["speed"]).validate()
    with pytest.raises(T2SError, match="2 `weights` values for 1 `rewards` names"):
        RewardMix(["execution"], [1.0, 2.0]).validate()
    RewardMix(["execution", "format"], [1.0, 0.5]).validate()


def test_check_rewards_scores_gold_and_wrong_completions(tmp_path):
    bench = load_benchmark(None)
    examples = bench.examples("dev")[:3]
    comps = tmp_path / "c.jsonl"
    texts = [examples[0].query, examples[1].query, "SELECT no_such_column FROM nowhere"]
    comps.write_text("".join(json.dumps({"id": i, "completion": t}) + "\n" for i, t in enumerate(texts)))
    settings = RewardSettings(timeout=5, workers=1, overlap=False)
    check = check_rewards(bench, "dev", comps, RewardMix(["execution", "format"], [1.0, 0.5]), settings)
    assert [r["correct"] for r in check.rows] == [True, True, False]
    assert [r["executed"] for r in check.rows] == [True, True, False]
    assert check.rows[0]["reward"] == pytest.approx(1.0 + 0.5 * check.rows[0]["rewards"]["format"])
    assert check.rows[2]["rewards"]["execution"] == 0.0
    assert "3 completions: mean reward" in check.summary_line() and "EX 66.67%" in check.summary_line()
    out = tmp_path / "o" / "r.jsonl"
    check.write(out)
    assert [json.loads(x)["id"] for x in out.read_text().splitlines()] == [0, 1, 2]


def test_cli_shows_the_flags_for_the_settings(tmp_path):
    comps = tmp_path / "c.jsonl"
    comps.write_text(json.dumps({"id": 0, "completion": "SELECT 1"}) + "\n")
    res = t2s("reward", "-c", str(comps), "--reward", "speed", check=False)
    assert res.returncode == 2 and "error: unknown --reward 'speed': use one of" in res.stderr
    res = t2s("reward", "-c", str(comps), "--weight", "1", "--weight", "2", check=False)
    assert res.returncode == 2 and "2 --weight values for 1 --reward names" in res.stderr
