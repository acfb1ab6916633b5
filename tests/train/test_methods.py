"""The training methods registry (text2sql/train/methods/): one declaration per task_type, asked by train()."""

from __future__ import annotations

import dataclasses
import json

import pytest
from train_helpers import HASH, base_config, dpo_rows, sft_rows, write_jsonl

from text2sql.core.errors import T2SError
from text2sql.train.methods import METHODS, get_method


@pytest.mark.parametrize("bad", ["ppo", "SFT", "", None, ["sft"]])
def test_an_unknown_task_type_is_one_line_naming_the_choices(bad):
    with pytest.raises(T2SError) as e:
        get_method(bad)
    assert str(e.value) == f"task_type must be one of sft, dpo, grpo, rloo, reward, pretrain, got {bad!r}"


@pytest.mark.require_train
def test_every_method_declares_its_trl_config_and_extra_keys():
    import trl
    from transformers import TrainingArguments

    from text2sql.train.config import TASKS, valid_keys
    from text2sql.train.rl import RewardArguments

    assert TASKS == tuple(METHODS) == ("sft", "dpo", "grpo", "rloo", "reward", "pretrain")
    configs = {name: m.config_class() for name, m in METHODS.items()}
    assert configs == {
        "sft": trl.SFTConfig, "dpo": trl.DPOConfig, "grpo": trl.GRPOConfig, "rloo": trl.RLOOConfig,
        "reward": trl.RewardConfig, "pretrain": trl.SFTConfig,
    }  # fmt: skip
    assert all(issubclass(c, TrainingArguments) for c in configs.values())
    assert {n for n, m in METHODS.items() if m.extra_keys is RewardArguments} == {"grpo", "rloo"}
    assert getattr(trl, METHODS["grpo"].trl_trainer) is trl.GRPOTrainer
    assert getattr(trl, METHODS["rloo"].trl_trainer) is trl.RLOOTrainer
    reward_keys = {f.name for f in dataclasses.fields(RewardArguments)}
    for name in METHODS:  # the extra keys are valid for their method only
        assert (
            reward_keys <= set(valid_keys(name))
            if name in ("grpo", "rloo")
            else not reward_keys & set(valid_keys(name))
        )


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    root = tmp_path_factory.mktemp("methods")
    return build_tiny_model(root / "model", arch="micro"), root


@pytest.mark.require_train
@pytest.mark.parametrize(("task", "rows"), [("sft", sft_rows), ("dpo", dpo_rows), ("reward", dpo_rows)])
def test_the_built_run_keeps_rows_and_report_off_the_trl_objects(work, task, rows):
    """The rows (provenance) and fit report travel in the Run; nothing is pinned on TRL's trainer or config."""
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_run

    model, root = work
    data = write_jsonl(root / f"{task}.jsonl", rows(6))
    cfg = load_config(base_config(model, data, root / task, task_type=task, train_mode="lora", max_steps=1))
    run = build_run(cfg)
    assert run.method is METHODS[task] and run.cfg is cfg
    assert [r["id"] for r in run.rows] == [json.loads(line)["id"] for line in data.read_text().splitlines()]
    assert {r["config_hash"] for r in run.rows} == {HASH}
    assert run.report.kept == len(run.trainer.train_dataset) == 6 and run.report.dropped == 0
    for obj in (run.trainer, run.trainer.args):
        assert not [a for a in vars(obj) if a.startswith("t2s_")], type(obj).__name__
