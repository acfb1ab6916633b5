"""`t2s eval --backend gold/--model` and `t2s predict` through the CLI, as a user runs them."""

import json

import pytest
from cli_helpers import t2s

pytestmark = pytest.mark.require_train


def test_eval_gold_backend_scores_100_percent(tmp_path):
    t2s("eval", "--backend", "gold", "--output-dir", str(tmp_path / "e"), "--no-cache", "--workers", "1")
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    assert summary["ex"] == 1.0 and summary["count"] == 60
    assert summary["generation"]["backend"] == "gold" and summary["prompt_tokens_mean"] > 0
    first = json.loads((tmp_path / "e" / "results.jsonl").read_text().splitlines()[0])
    assert first["n_tokens"] > 0


def test_predict_replay_and_bad_input_is_one_line(tmp_path):
    t2s("predict", "--backend", "gold", "--output-dir", str(tmp_path / "g"), "--limit", "5")
    preds = tmp_path / "g" / "predictions.jsonl"
    t2s("predict", "--predictions", str(preds), "--output-dir", str(tmp_path / "r"), "--limit", "5")
    assert [
        json.loads(x)["sql"] for x in (tmp_path / "r" / "predictions.jsonl").read_text().splitlines()
    ] == [json.loads(x)["sql"] for x in preds.read_text().splitlines()]
    bad = t2s("predict", "--backend", "hf", "--output-dir", str(tmp_path / "x"), check=False)
    assert bad.returncode == 2 and "--model" in bad.stderr and "Traceback" not in bad.stderr
    bad = t2s("eval", "--backend", "vllm", "--model", "m", "--output-dir", str(tmp_path / "y"), check=False)
    assert bad.returncode == 2 and "vllm" in bad.stderr and "Traceback" not in bad.stderr


def test_eval_model_with_self_consistency_reports_greedy_and_voted(tmp_path):
    from text2sql.train import build_tiny_model

    model = build_tiny_model(tmp_path / "m", arch="micro")
    out = tmp_path / "e"
    args = [
        "eval",
        "--model",
        str(model),
        "--limit",
        "4",
        "--samples",
        "3",
        "--temperature",
        "1.0",
        "--max-new-tokens",
        "6",
        "--output-dir",
        str(out),
        "--no-cache",
        "--workers",
        "1",
    ]
    t2s(*args)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["voted_ex"] == summary["ex"] and "greedy_ex" in summary
    gen = summary["generation"]
    assert gen["decoding"]["samples"] == 3 and gen["model"] == str(model) and "torch" in gen["versions"]
    preds = [json.loads(x) for x in (out / "predictions.jsonl").read_text().splitlines()]
    assert len(preds) == 4 and all(len(p["candidates"]) == 3 and "greedy_sql" in p for p in preds)
    before = (out / "predictions.jsonl").read_text()
    t2s(*args)  # rerun: everything resumed, nothing regenerated
    assert (out / "predictions.jsonl").read_text() == before


def test_eval_replays_recorded_candidates_under_another_pick(tmp_path):
    """`t2s eval -p RUN --samples N` picks again among a sampled run's candidates without a model."""
    t2s("predict", "--backend", "gold", "--output-dir", str(tmp_path / "g"), "--limit", "3")
    gold = [json.loads(x) for x in (tmp_path / "g" / "predictions.jsonl").read_text().splitlines()]
    wrong = "SELECT 'not it'"
    sampled = tmp_path / "sampled.jsonl"
    # greedy wrong, two of three candidates right: the vote is right, the greedy pick is not
    sampled.write_text(
        "".join(
            json.dumps({"id": g["id"], "sql": g["sql"], "greedy_sql": wrong, "candidates": [g["sql"], wrong, g["sql"]]})
            + "\n"
            for g in gold
        )
    )
    common = ("eval", "-p", str(sampled), "--limit", "3", "--samples", "3")
    t2s(*common, "--pick", "vote", "--output-dir", str(tmp_path / "vote"))
    t2s(*common, "--pick", "greedy", "--output-dir", str(tmp_path / "greedy"))
    vote = json.loads((tmp_path / "vote" / "summary.json").read_text())
    greedy = json.loads((tmp_path / "greedy" / "summary.json").read_text())
    assert vote["ex"] == 1.0 and vote["greedy_ex"] == 0.0
    assert greedy["ex"] == 0.0 and greedy["voted_ex"] == 1.0
    replayed = [json.loads(x) for x in (tmp_path / "vote" / "predictions.jsonl").read_text().splitlines()]
    assert [r["candidates"] for r in replayed] == [[g["sql"], wrong, g["sql"]] for g in gold]
    short = t2s(*common[:-1], "4", "--output-dir", str(tmp_path / "x"), check=False)
    assert short.returncode == 2 and "--samples 4" in short.stderr and "Traceback" not in short.stderr


def test_eval_summary_seconds_is_the_whole_run_with_generation(tmp_path, monkeypatch):
    """Issue 18.10 (f): a ten-minute eval once recorded 5.1 s (the scoring alone); `seconds` is now the run's wall time."""
    import time

    from text2sql.cli import evaluate

    real = evaluate.run_generation

    def slow_generation(*args, **kwargs):  # stands in for loading a model and generating
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(evaluate, "run_generation", slow_generation)
    res = t2s("eval", "--backend", "gold", "--limit", "4", "--output-dir", str(tmp_path / "e"), "--workers", "1")
    summary = json.loads((tmp_path / "e" / "summary.json").read_text())
    assert 1.5 <= summary["seconds"] <= res.seconds
    assert summary["scoring_seconds"] < summary["seconds"] - 1.5 + 0.01
    assert "seconds" in summary["generation"]["timing"] and "questions_per_second" in summary["generation"]["timing"]
