"""The reward model (verifier): data rendered as the verifier renders it, the config, pairwise accuracy with
Wilson intervals, and on CPU a tiny reward model trained on the sample's build-dpo pairs that ranks pairs
from the held-out dev databases above chance."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import t2s
from train_helpers import base_config, dpo_rows, write_jsonl

from text2sql.core.errors import T2SError
from text2sql.eval.pairwise import pairwise_accuracy, wilson
from text2sql.train.reward_model import build_reward_dataset, reward_input_ids

TRAIN_ARGS = Path(__file__).resolve().parents[2] / "train_args"


def test_wilson_interval_known_values():
    lo, hi = wilson(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9434, abs=1e-3)
    assert wilson(0, 0) == (0.0, 1.0)
    lo, hi = wilson(50, 100)
    assert lo < 0.5 < hi


def test_pairwise_accuracy_by_kind_counts_ties_as_misses():
    rep = pairwise_accuracy(["a", "a", "b", "b"], [1.0, 0.0, 2.0, 1.0], [0.0, 1.0, 1.0, 1.0])
    assert rep["overall"]["pairs"] == 4 and rep["overall"]["correct"] == 2 and rep["overall"]["ties"] == 1
    assert rep["by_kind"]["a"]["accuracy"] == 0.5 and rep["by_kind"]["b"]["accuracy"] == 0.5
    assert rep["by_kind"]["b"]["ties"] == 1 and rep["by_kind"]["a"]["mean_margin"] == 0.0


@pytest.mark.require_train
def test_reward_dataset_is_what_the_verifier_scores():
    from text2sql.prompts.tokenizer import load_tokenizer

    tok = load_tokenizer(None)
    rows = dpo_rows(3)
    ds, report = build_reward_dataset(rows, tok, 1024, None)
    assert report.kept == 3 and report.dropped == 0
    assert ds[0]["chosen_ids"] == reward_input_ids(tok, rows[0]["prompt"], rows[0]["chosen"])
    text = tok.decode(ds[1]["rejected_ids"])
    assert rows[1]["rejected"][0]["content"] in text and text.index(
        rows[1]["prompt"][1]["content"]
    ) < text.index(rows[1]["rejected"][0]["content"])
    longest = max(len(ds[i][k]) for i in range(3) for k in ("chosen_ids", "rejected_ids"))
    shortest = min(max(len(ds[i]["chosen_ids"]), len(ds[i]["rejected_ids"])) for i in range(3))
    _, report = build_reward_dataset(rows, tok, shortest, None)
    assert (
        report.kept >= 1
        and report.kept + report.dropped == 3
        and (report.dropped >= 1 or shortest == longest)
    )
    with pytest.raises(T2SError, match="no preference pair fits"):
        build_reward_dataset(rows, tok, 8, None)
    with pytest.raises(T2SError, match="'prompt', 'chosen' and 'rejected'"):
        build_reward_dataset([{"prompt": "x"}], tok, 1024, None)


@pytest.mark.require_train
def test_reward_config_is_trls_reward_config(tmp_path):
    from trl import RewardConfig

    from text2sql.train.config import load_config

    raw = {"model_name_or_path": "m", "train_file": "t.jsonl", "output_dir": str(tmp_path), "task_type": "reward",
           "center_rewards_coefficient": 0.01, "max_seq_length": 512, "bf16": False}  # fmt: skip
    cfg = load_config(raw)
    assert isinstance(cfg.args, RewardConfig) and cfg.args.max_length == 512
    assert cfg.args.center_rewards_coefficient == 0.01
    with pytest.raises(T2SError, match="beta"):
        load_config({**raw, "beta": 0.1})
    with pytest.raises(T2SError, match="center_rewards_coefficient"):
        load_config({**raw, "center_reward_coefficient": 0.01})
    for name in ("tiny-reward", "qwen-reward"):
        assert load_config(TRAIN_ARGS / f"{name}.json", ["bf16=false"]).data.task_type == "reward"


@pytest.fixture(scope="module")
def micro(tmp_path_factory):
    from text2sql.train import build_tiny_model

    root = tmp_path_factory.mktemp("reward")
    return root, build_tiny_model(root / "micro", arch="micro")


@pytest.mark.require_train
def test_qlora_and_full_reward_models_save_a_head_the_verifier_loads(micro):
    from text2sql.generation.verifier import Verifier
    from text2sql.models.meta import read_training_meta
    from text2sql.train.trainer import train

    root, model = micro
    data = write_jsonl(root / "pairs.jsonl", dpo_rows(4))
    rows = dpo_rows(4)
    items = [(r["prompt"], r["chosen"][0]["content"]) for r in rows]
    q = train(base_config(model, data, root / "q", task_type="reward", max_steps=2))
    cfg = json.loads((q / "adapter_config.json").read_text())
    assert cfg["task_type"] == "SEQ_CLS" and "score" in cfg["modules_to_save"]
    meta = read_training_meta(q)
    assert meta["task_type"] == "reward" and meta["prompt_config_hash"] == "cfg-test-1234"
    assert meta["base_model"] == str(model)
    scores = Verifier(str(q)).score(items)  # an adapter folder alone: the base is read from it
    assert len(scores) == 4 and len(set(scores)) > 1
    full = train(base_config(model, data, root / "f", task_type="reward", train_mode="full", max_steps=2))
    assert len(Verifier(str(full)).score(items)) == 4
    with pytest.raises(T2SError, match="no trained score head"):
        Verifier(str(model))  # a causal LM is not a verifier
    with pytest.raises(T2SError, match="merge the adapter first"):
        train(base_config(model, data, root / "x", task_type="reward", adapter_name_or_path=str(q)))


@pytest.mark.require_train
@pytest.mark.slow
def test_tiny_reward_model_ranks_held_out_pairs_above_chance(micro, tmp_path):
    """build-dpo on the sample's train databases, `t2s train` with tiny-reward.json, `t2s eval-verifier` on pairs
    from the dev databases (never seen in training): seeded, clearly above 50%."""
    root, model = micro
    prompt = ["--repr", "text", "--no-fk", "--no-rule"]  # short prompts: the SQL is what differs
    t2s(
        "build-dpo",
        "--split",
        "train",
        "--pairs-per-example",
        "4",
        "-o",
        str(tmp_path / "train.jsonl"),
        *prompt,
    )
    t2s("build-dpo", "--split", "dev", "-o", str(tmp_path / "dev.jsonl"), *prompt)
    out = tmp_path / "rm"
    t2s("train", str(TRAIN_ARGS / "tiny-reward.json"), "--set", f"model_name_or_path={model}",
        "--set", f"train_file={tmp_path / 'train.jsonl'}", "--set", "eval_file=null",
        "--set", f"output_dir={out}", "--set", "save_strategy=no", "--set", "disable_tqdm=true")  # fmt: skip
    t2s(
        "eval-verifier",
        "--verifier",
        str(out),
        "--pairs",
        str(tmp_path / "dev.jsonl"),
        "-o",
        str(tmp_path / "acc.json"),
    )
    rep = json.loads((tmp_path / "acc.json").read_text())
    overall = rep["overall"]
    assert overall["pairs"] >= 100 and rep["train_db_overlap"] == []
    assert overall["ci95"][0] > 0.5, overall  # the whole 95% interval above chance
    assert {"wrong_column", "flip_predicate", "wrong_join_key"} <= set(rep["by_kind"])
    assert sum(c["pairs"] for c in rep["by_kind"].values()) == overall["pairs"]
    assert (
        rep["verifier"] == str(out) and rep["verifier_adapter"] is None
    )  # full mode: the classifier itself
    bad = t2s("eval-verifier", "--verifier", str(out), "--pairs", str(tmp_path / "nope.jsonl"), check=False)
    assert bad.returncode == 2 and "nope.jsonl" in bad.stderr and "Traceback" not in bad.stderr
