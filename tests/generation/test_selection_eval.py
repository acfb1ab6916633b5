"""Best-of-N selection: the pick rules on hand-made groups and scores, then `t2s eval --samples 3 --pick
verifier` end to end with a tiny generation model and a tiny reward model trained for real."""

import json

import pytest
from cli_helpers import t2s
from train_helpers import dpo_rows, write_jsonl

from text2sql.core.errors import T2SError
from text2sql.generation.picking import check_pick, pick_index, sigmoid


def test_vote_picks_the_largest_group_first_member():
    assert pick_index("vote", [1, 0, 0, None], None) == 1
    assert pick_index("vote", [None, None], None) == -1  # nothing executed: the runner keeps candidate 0


def test_verifier_prefers_executing_candidates_then_the_highest_score():
    groups, scores = [None, 0, 1, 0], [9.0, 0.5, 2.0, 0.7]
    assert pick_index("verifier", groups, scores) == 2  # 9.0 fails to execute
    assert pick_index("verifier", [None, None], [0.1, 0.3]) == 1  # none executes: best score overall
    assert pick_index("verifier", [0, 0], [0.3, 0.3]) == 0  # ties: the earlier candidate


def test_vote_plus_verifier_weights_groups_by_verifier_confidence():
    # group 0 has two members the verifier distrusts; group 1 one it trusts: 2*sigmoid(-3) < sigmoid(4)
    groups, scores = [0, 1, 0], [-3.0, 4.0, -3.0]
    assert 2 * sigmoid(-3.0) < sigmoid(4.0)
    assert pick_index("vote+verifier", groups, scores) == 1
    assert pick_index("vote", groups, scores) == 0
    # with equal trust the larger group wins, and inside it the higher-scored member answers
    assert pick_index("vote+verifier", [0, 1, 0], [1.0, 1.0, 1.5]) == 2
    # nothing executed: as verifier
    assert pick_index("vote+verifier", [None, None, None], [0.0, 2.0, 1.0]) == 1


def test_greedy_pick_and_the_argument_checks():
    assert pick_index("greedy", [0, 0], [1.0, 2.0]) == -1
    check_pick("vote", 1, False)  # the default with one sample: nothing to pick, no error
    check_pick("greedy", 3, True)
    for method, samples, has in (("verifier", 3, False), ("vote+verifier", 1, True), ("best", 3, False)):
        with pytest.raises(T2SError):
            check_pick(method, samples, has)


def test_bad_pick_is_one_error_line(tmp_path):
    res = t2s("eval", "--backend", "gold", "--samples", "3", "--temperature", "1", "--pick", "verifier",
              "--output-dir", str(tmp_path / "e"), "--limit", "2", check=False)  # fmt: skip
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "error: --pick verifier needs a verifier: set --verifier to a model from task_type reward" in res.stderr


def test_ablation_accepts_the_pick_axis():
    from text2sql.workflows.ablation import arms, split_settings

    spec = {"base": {"samples": 3, "temperature": 0.8, "verifier": "rm"},
            "grid": {"pick": ["greedy", "vote", "verifier", "vote+verifier"]}}  # fmt: skip
    plan = arms(spec)
    assert [n for n, _ in plan] == ["pick=greedy", "pick=vote", "pick=verifier", "pick=vote+verifier"]
    _, decoding, gen = split_settings(plan[2][1])
    assert gen == {"pick": "verifier", "verifier": "rm"} and decoding.samples == 3


def test_old_pick_names_and_spec_keys_still_work_for_one_release(capsys):
    from text2sql.workflows.ablation import arms, split_settings

    assert pick_index("reward", [None, 0, 1, 0], [9.0, 0.5, 2.0, 0.7]) == 2
    assert pick_index("vote+reward", [0, 1, 0], [-3.0, 4.0, -3.0]) == 1
    with pytest.raises(T2SError, match="needs a verifier"):
        check_pick("reward", 3, False)
    spec = {"base": {"samples": 3, "temperature": 0.8, "reward_model": "rm"},
            "grid": {"pick": ["vote", "reward", "vote+reward"]}}  # fmt: skip
    plan = arms(spec)
    assert [n for n, _ in plan] == ["pick=vote", "pick=reward", "pick=vote+reward"]  # folders keep their names
    _, _, gen = split_settings(plan[1][1])
    assert gen == {"pick": "verifier", "verifier": "rm"}
    notes = capsys.readouterr().err.splitlines()
    assert "note: ablation setting 'reward_model' is now 'verifier'; the old name goes in the next release" in notes
    assert "note: pick 'reward' is now 'verifier'; the old name goes in the next release" in notes
    assert len(notes) == 3  # once each, not once per arm


@pytest.fixture(scope="module")
def tiny_verifier(tmp_path_factory):
    """A real reward adapter: a micro model trained a few steps on preference pairs (quality not needed)."""
    from train_helpers import base_config

    from text2sql.train import build_tiny_model
    from text2sql.train.trainer import train

    tmp = tmp_path_factory.mktemp("verifier")
    base = build_tiny_model(tmp / "base", arch="micro")
    data = write_jsonl(tmp / "pairs.jsonl", dpo_rows(8))
    cfg = base_config(base, data, tmp / "rm", task_type="reward", train_mode="lora", max_steps=2)
    return train(cfg)


@pytest.mark.require_train
def test_eval_samples_pick_verifier_end_to_end(tmp_path, tiny_verifier):
    from text2sql.train import build_tiny_model

    model = build_tiny_model(tmp_path / "gen", arch="micro")
    out = tmp_path / "e"
    t2s("eval", "--model", str(model), "--limit", "3", "--samples", "3", "--temperature", "1.0",
        "--max-new-tokens", "6", "--pick", "verifier", "--verifier", str(tiny_verifier),
        "--output-dir", str(out), "--no-cache", "--workers", "1")  # fmt: skip
    summary = json.loads((out / "summary.json").read_text())
    assert summary["pick"]["method"] == "verifier"
    assert summary["pick"]["verifier_adapter"] == str(tiny_verifier)
    assert summary["generation"]["pick"] == "verifier"
    assert {"greedy_ex", "voted_ex", "picked_ex"} <= set(summary) and summary["picked_ex"] == summary["ex"]
    assert summary["ex"] <= summary["oracle_ex"] and summary["voted_ex"] <= summary["oracle_ex"]
    results = [json.loads(x) for x in (out / "results.jsonl").read_text().splitlines()]
    preds = {p["id"]: p for p in map(json.loads, (out / "predictions.jsonl").read_text().splitlines())}
    assert len(results) == 3
    for res in results:
        cands = res["candidates"]
        assert len(cands) == 3
        assert all(set(c) == {"sql", "group", "votes", "score", "picked", "correct"} for c in cands)
        assert all(isinstance(c["score"], float) for c in cands)
        ok = [i for i, c in enumerate(cands) if c["group"] is not None] or list(range(3))
        best = max(ok, key=lambda i: (cands[i]["score"], -i))
        assert cands[best]["picked"] and preds[res["id"]]["sql"] == cands[best]["sql"]
        assert res["correct"] == cands[best]["correct"]  # the picked candidate's verdict is the example's
        for c in cands:  # a group's vote count is how many candidates share it
            if c["group"] is not None:
                assert c["votes"] == sum(d["group"] == c["group"] for d in cands)
    # the pick decides the answers: resuming the same folder under another pick is refused
    res = t2s("eval", "--model", str(model), "--limit", "3", "--samples", "3", "--temperature", "1.0",
              "--max-new-tokens", "6", "--pick", "vote", "--output-dir", str(out), "--no-cache", check=False)  # fmt: skip
    assert res.returncode == 2 and "pick" in res.stderr
    # replayed with no model, the recorded candidates are scored again and picked the same way
    again = tmp_path / "replayed"
    t2s("eval", "-p", str(out / "predictions.jsonl"), "--samples", "3", "--pick", "verifier",
        "--verifier", str(tiny_verifier), "--limit", "3", "--output-dir", str(again), "--no-cache")  # fmt: skip
    replayed = {r["id"]: r for r in map(json.loads, (again / "results.jsonl").read_text().splitlines())}
    for res in results:
        twin = replayed[res["id"]]
        assert [c["sql"] for c in twin["candidates"]] == [c["sql"] for c in res["candidates"]]
        assert [c["picked"] for c in twin["candidates"]] == [c["picked"] for c in res["candidates"]]
        assert [c["score"] for c in twin["candidates"]] == pytest.approx([c["score"] for c in res["candidates"]])


@pytest.mark.require_train
def test_picker_groups_real_candidates_and_scores_them_with_the_verifier(sample_bench, tiny_verifier):
    from text2sql.generation.picking import make_picker
    from text2sql.generation.verifier import Verifier
    from text2sql.prompts.builder import PromptConfig, build_prompts

    record = build_prompts(sample_bench, "dev", PromptConfig(), limit=1)[0]  # "How many students are there?"
    cands = [
        "SELECT name FROM student",  # another answer
        "SELECT count(*) FROM student",  # the gold
        "SELECT count(*) FROM no_such_table",  # fails
        "SELECT COUNT(student_id) FROM student",  # the gold's result, other text
    ]
    verifier = Verifier(str(tiny_verifier))
    scores = verifier.score_record(record, cands)
    out = make_picker(sample_bench, "vote", verifier)(record, cands)
    assert out["candidate_groups"] == [1, 0, None, 0] and out["candidate_votes"] == [1, 2, 0, 2]
    assert (
        out["sql"] == cands[1] and out["picked"] == 1 and out["votes"] == 2 and out["valid_candidates"] == 3
    )
    assert out["candidate_scores"] == pytest.approx(scores, abs=1e-5)
    best = max((0, 1, 3), key=lambda i: (scores[i], -i))
    assert make_picker(sample_bench, "verifier", verifier)(record, cands)["sql"] == cands[best]
    both = make_picker(sample_bench, "vote+verifier", verifier)(record, cands)
    assert both["picked"] == pick_index("vote+verifier", [1, 0, None, 0], scores)
    assert "sql" not in make_picker(sample_bench, "greedy", verifier)(
        record, cands
    )  # the greedy answer stands


@pytest.mark.require_train
def test_verifier_scores_each_distinct_candidate_once(sample_bench, tiny_verifier):
    from text2sql.generation.verifier import Verifier
    from text2sql.prompts.builder import PromptConfig, build_prompts

    record = build_prompts(sample_bench, "dev", PromptConfig(), limit=1)[0]
    verifier = Verifier(str(tiny_verifier), batch_size=2)
    seen = []
    forward = verifier.model.forward

    def counting(*args, **kwargs):
        seen.append(len(kwargs["input_ids"]))
        return forward(*args, **kwargs)

    verifier.model.forward = counting
    cands = ["SELECT count(*) FROM student", "SELECT name FROM student"] * 3
    scores = verifier.score_record(record, cands)
    assert sum(seen) == 2  # six candidates, two distinct answers
    assert scores[0::2] == [scores[0]] * 3 and scores[1::2] == [scores[1]] * 3
    assert scores[:2] == pytest.approx(verifier.score_record(record, cands[:2]))
