"""Multi-process training on CPU (gloo): the documented torchrun / accelerate commands shard the data.

One process with batch 2 sees examples p[0:2], p[2:4] at steps 1 and 2 of its shuffled order p; two DDP ranks
with batch 2 see p[0::2][:2] and p[1::2][:2] at step 1, i.e. the same four examples. So the tokens a 2-rank
step counts equal those of two single-process steps, which only holds when the ranks get different shards.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import base_config, sft_rows, write_jsonl

from text2sql.core.errors import T2SError

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    tmp = tmp_path_factory.mktemp("ddp")
    model = build_tiny_model(tmp / "micro", arch="micro")
    data = write_jsonl(tmp / "train.jsonl", sft_rows(24))
    return tmp, model, data


def _config(tmp: Path, model: Path, data: Path, name: str, steps: int) -> Path:
    cfg = base_config(
        model, data, tmp / name, train_mode="lora", max_steps=steps, per_device_train_batch_size=2,
        learning_rate=1e-3, max_seq_length=1024, lora_rank=4, dataloader_num_workers=0,
    )  # fmt: skip
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300, cwd=REPO)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return r


def _free_port() -> str:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return str(s.getsockname()[1])


def _steps(out: Path) -> list[dict]:
    return [h for h in json.loads((out / "t2s_train_log.json").read_text()) if "loss" in h]


@pytest.fixture(scope="module")
def single(setup):
    from text2sql.train.trainer import train

    tmp, model, data = setup
    return _steps(train(_config(tmp, model, data, "single", 2)))


def _check_sharded(out: Path, single: list[dict], r: subprocess.CompletedProcess) -> None:
    text = r.stdout + r.stderr
    assert "rank 0 of 2" in text and "rank 1 of 2" in text
    meta = json.loads((out / "t2s_meta.json").read_text())
    assert meta["world_size"] == 2
    ddp = _steps(out)
    # the two ranks' first batches together are exactly the single run's first two batches
    assert ddp[0]["num_tokens"] == single[1]["num_tokens"]
    assert ddp[0]["epoch"] == pytest.approx(single[1]["epoch"])
    # the logged loss is the mean over ranks, not a sum (same model, same examples, before any update)
    assert ddp[0]["loss"] == pytest.approx((single[0]["loss"] + single[1]["loss"]) / 2, rel=0.05)


def test_torchrun_two_processes_split_the_data(setup, single):
    tmp, model, data = setup
    cfg = _config(tmp, model, data, "torchrun", 1)
    r = _run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", _free_port(),
         "-m", "text2sql", "train", str(cfg)]
    )  # fmt: skip
    _check_sharded(tmp / "torchrun", single, r)


def test_accelerate_launch_two_processes_split_the_data(setup, single):
    tmp, model, data = setup
    cfg = _config(tmp, model, data, "accel", 1)
    r = _run(
        [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
         "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no", "--main_process_port", _free_port(),
         "-m", "text2sql", "train", str(cfg)]
    )  # fmt: skip
    _check_sharded(tmp / "accel", single, r)


def test_cpu_defaults_for_ddp_and_peft():
    from text2sql.train.config import load_config
    from text2sql.train.launch import has_accelerator

    cfg = load_config({"model_name_or_path": "m", "train_file": "t", "output_dir": "o", "train_mode": "lora"})
    assert cfg.args.ddp_find_unused_parameters is False
    if not has_accelerator():
        assert cfg.args.use_cpu is True  # what makes accelerate set up gloo DDP under torchrun on CPU
    kept = load_config({"model_name_or_path": "m", "train_file": "t", "output_dir": "o",
                        "ddp_find_unused_parameters": True})  # fmt: skip
    assert kept.args.ddp_find_unused_parameters is True


def test_accelerate_single_process_fallback_is_an_error(monkeypatch):
    from text2sql.train.launch import check_launch

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    check_launch()  # a plain run is fine
    monkeypatch.setenv("ACCELERATE_USE_CPU", "False")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    with pytest.raises(T2SError, match="--multi_gpu --num_processes N"):
        check_launch()
    monkeypatch.setenv("WORLD_SIZE", "2")
    check_launch()


def test_deepspeed_zero_configs_and_full_ft_config():
    import importlib.util

    from text2sql.train.config import load_config

    stages = {n: json.loads((REPO / "train_args" / "deepspeed" / f"ds_{n}.json").read_text()) for n in ("zero2", "zero3")}
    assert stages["zero2"]["zero_optimization"]["stage"] == 2
    assert stages["zero3"]["zero_optimization"]["stage"] == 3
    for ds in stages.values():  # batch sizes and precision come from the training config, not twice
        assert ds["train_micro_batch_size_per_gpu"] == ds["gradient_accumulation_steps"] == "auto"
        assert ds["bf16"]["enabled"] == "auto"
    path = REPO / "train_args" / "deepspeed" / "qwen-full-zero3.json"
    raw = json.loads(path.read_text())
    assert raw["train_mode"] == "full" and (REPO / raw["deepspeed"]).is_file()
    if importlib.util.find_spec("deepspeed") is None:
        with pytest.raises(T2SError, match=r"^config key 'deepspeed' needs the deepspeed package"):
            load_config(path)
        r = subprocess.run(
            [sys.executable, "-m", "text2sql", "train", str(path)], capture_output=True, text=True, cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120,
        )  # fmt: skip
        assert r.returncode != 0 and "Traceback" not in r.stderr
        assert (
            "error: config key 'deepspeed' needs the deepspeed package: pip install 't2s[deepspeed]'"
            in r.stderr
        )
    assert load_config(path, ["deepspeed=null"]).model.train_mode == "full"
