
"""Config parsing: Firefly keys, overrides, one-line errors for bad configs (no training here)."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

import pytest

from text2sql.core.errors import T2SError
from text2sql.train.config import load_config

BASE = {"model_name_or_path": "m", "train_file": "t.jsonl", "output_dir": "out"}
FIREFLY = {
    "eval_file": "e.jsonl", "num_train_epochs": 2, "per_device_train_batch_size": 3, "gradient_accumulation_steps": 4,
    "learning_rate": 1e-4, "max_seq_length": 512, "max_prompt_length": 400, "logging_steps": 7, "save_steps": 9,
    "save_total_limit": 2, "lr_scheduler_type": "cosine", "warmup_steps": 5, "lora_rank": 8, "lora_alpha": 16,
    "lora_dropout": 0.1, "gradient_checkpointing": True, "optim": "adamw_torch", "seed": 3, "bf16": False,
    "fp16": False, "report_to": "none", "train_mode": "lora", "task_type": "sft",
}  # fmt: skip


@pytest.mark.require_train
def test_firefly_keys_map_onto_trl_sft_config():
    cfg = load_config({**BASE, **FIREFLY})
    assert cfg.args.max_length == 512 and cfg.data.max_prompt_length == 400
    assert cfg.args.completion_only_loss is True
    assert (cfg.args.gradient_accumulation_steps, cfg.args.save_steps, cfg.args.seed) == (4, 9, 3)
    assert cfg.model.lora_rank == 8 and cfg.model.train_mode == "lora"
    assert type(cfg.args).__name__ == "SFTConfig"


@pytest.mark.require_train
def test_dpo_config_takes_beta_and_deepspeed_key_exists():
    cfg = load_config({**BASE, "task_type": "dpo", "beta": 0.25, "max_seq_length": 300})
    assert type(cfg.args).__name__ == "DPOConfig" and cfg.args.beta == 0.25 and cfg.args.max_length == 300
    from text2sql.train.config import valid_keys

    assert "deepspeed" in valid_keys("sft") and "deepspeed" in valid_keys("dpo")


@pytest.mark.require_train
def test_dpo_takes_a_list_of_losses_with_weights():
    """RPO-style DPO (the SmolLM2 recipe): `loss_type` is TRL's list[str], not a str; one str still works."""
    cfg = load_config({**BASE, "task_type": "dpo", "loss_type": ["sigmoid", "sft"], "loss_weights": [1.0, 0.5]})
    assert cfg.args.loss_type == ["sigmoid", "sft"] and cfg.args.loss_weights == [1.0, 0.5]
    assert load_config({**BASE, "task_type": "dpo", "loss_type": "ipo"}).args.loss_type == ["ipo"]
    with pytest.raises(T2SError, match="loss_type must be str"):
        load_config({**BASE, "task_type": "dpo", "loss_type": ["sigmoid", 2]})


@pytest.mark.require_train
def test_set_overrides_parse_json_values(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**BASE, "learning_rate": 1e-4}))
    cfg = load_config(path, ["learning_rate=3e-5", "packing=true", "output_dir=elsewhere", "lora_rank=4"])
    assert cfg.args.learning_rate == 3e-5 and cfg.args.packing is True
    assert cfg.args.output_dir == "elsewhere" and cfg.model.lora_rank == 4


@pytest.mark.require_train
@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"learning_rat": 1e-4}, "'learning_rat'.*did you mean 'learning_rate'"),
        ({"lora_rnak": 8}, "did you mean 'lora_rank'"),
        ({"train_mode": "qlorra"}, "train_mode must be one of qlora, lora, full"),
        ({"task_type": "ppo"}, "task_type must be one of sft, dpo"),
        ({"beta": 0.1}, "'beta' only applies to task_type 'dpo'"),
        ({"truncation": "right"}, "truncation must be one of drop"),
        ({"num_train_epochs": "many"}, "bad training config"),
    ],
)
def test_bad_configs_are_one_line_errors(extra, needle):
    import re

    with pytest.raises(T2SError) as e:
        load_config({**BASE, **extra})
    assert re.search(needle, str(e.value)) and "\n" not in str(e.value)


@pytest.mark.require_train
def test_missing_required_key_and_bad_set():
    with pytest.raises(T2SError, match="needs 'train_file'"):
        load_config({"model_name_or_path": "m", "output_dir": "o"})
    with pytest.raises(T2SError, match="key=value"):
        load_config(BASE, ["learning_rate"])


@pytest.mark.require_train
def test_cli_bad_config_exits_2_with_one_line(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(json.dumps({**BASE, "num_train_epoch": 1}))
    r = subprocess.run(
        [sys.executable, "-m", "text2sql.cli", "train", str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1 and "did you mean 'num_train_epochs'" in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.require_train
def test_shipped_train_args_parse():
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "train_args"
    names = {p.name for p in root.glob("*.json")}
    assert {"qwen-qlora.json", "qwen-lora.json", "qwen-dpo.json", "tiny-cpu.json"} <= names
    for name in sorted(names):
        raw = json.loads((root / name).read_text())
        if "zero_optimization" in raw:  # a DeepSpeed config, named by a training config's `deepspeed` key
            continue
        if "deepspeed" in raw and importlib.util.find_spec("deepspeed") is None:
            with pytest.raises(T2SError, match="deepspeed"):
                load_config(root / name, {"bf16": False})
            continue
        cfg = load_config(root / name, {"bf16": False})
        if cfg.data.task_type in ("grpo", "rloo"):  # RL bounds the sampled completion, not prompt + answer
            assert cfg.args.max_completion_length and cfg.reward.reward_funcs
            continue
        assert cfg.args.max_length == json.loads((root / name).read_text())["max_seq_length"]
    assert load_config(root / "qwen-dpo.json", {"bf16": False}).model.adapter_name_or_path


def test_keys_snapshot_matches_the_installed_libraries():
    """The shipped key list is what trl/transformers give; for other versions it steps aside (the full check decides)."""
    from text2sql.train.config import KEYS_SNAPSHOT, TASKS, _library_versions, snapshot_keys, valid_keys

    snap = json.loads(KEYS_SNAPSHOT.read_text())
    if snap["versions"] == _library_versions():
        for task in TASKS:
            assert snapshot_keys(task) == valid_keys(task), f"{task}: rerun write_keys_snapshot()"
    else:
        assert all(snapshot_keys(task) is None for task in TASKS)


@pytest.mark.require_train
@pytest.mark.parametrize(
    ("config", "sets", "line"),
    [
        (
            "train_args/tiny-cpuu.json",
            [],
            "error: training config train_args/tiny-cpuu.json does not exist (did you mean train_args/tiny-cpu.json?)",
        ),
        (
            "train_args/tiny-cpu.json",
            ["--set", "learning_rat=1e-4"],
            "error: unknown training config key 'learning_rat' for task_type 'sft'; did you mean 'learning_rate'?",
        ),
    ],
)
def test_train_refuses_bad_input_before_importing_torch(tmp_path, config, sets, line):
    """Issue 18.10 (b): a typo is answered in about a second, so torch, transformers and trl are never imported."""
    from pathlib import Path

    from text2sql.train.config import write_keys_snapshot

    keys = write_keys_snapshot(tmp_path / "keys.json")  # for the libraries installed here, whatever they are
    probe = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "import text2sql.train.config as c\n"
        "c.KEYS_SNAPSHOT = Path(sys.argv[1])\n"
        "from text2sql.cli import main\n"
        "sys.argv = ['t2s', 'train', *sys.argv[2:]]\n"
        "try:\n    main()\n    code = 0\nexcept SystemExit as e:\n    code = e.code\n"
        "print(json.dumps([code, [m for m in ('torch', 'transformers', 'trl') if m in sys.modules]]))\n"
    )
    repo = Path(__file__).resolve().parents[2]
    r = subprocess.run(
        [sys.executable, "-c", probe, str(keys), config, *sets], capture_output=True, text=True, timeout=120, cwd=repo
    )
    assert json.loads(r.stdout) == [2, []]
    assert r.stderr.strip().splitlines() == [line]
