"""Multi-process training on CPU (gloo): the documented torchrun / accelerate commands shard the data.

One process with batch 2 sees examples p[0:2], p[2:4] at steps 1 and 2 of its shuffled order p; two DDP ranks
with batch 2 see p[0::2][:2] and p[1::2][:2] at step 1, i.e. the same four examples. So the tokens a 2-rank
step counts equal those of two single-process steps, which only holds when the ranks get different shards.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from train_helpers import base_config, long_conversations, sample_examples, sft_rows, write_jsonl

from text2sql.core.errors import T2SError

REPO = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.require_train


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    tmp = tmp_path_factory.mktemp("ddp")
    model = build_tiny_model(tmp / "micro", arch="micro")
    data = write_jsonl(tmp / "train.jsonl", sft_rows(24))
    return tmp, model, data


def _config(tmp: Path, model: Path, data: Path, name: str, steps: int, **kw) -> Path:
    cfg = base_config(
        model, data, tmp / name, **{"train_mode": "lora", "max_steps": steps, "per_device_train_batch_size": 2,
        "learning_rate": 1e-3, "max_seq_length": 1024, "lora_rank": 4, "dataloader_num_workers": 0, **kw},
    )  # fmt: skip
    path = tmp / f"{name}.json"
    path.write_text(json.dumps(cfg))
    return path


def _torchrun(*args: str) -> list[str]:
    return [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", _free_port(),
            "-m", "text2sql", "train", *args]  # fmt: skip


def _run(cmd: list[str]) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO), "OMP_NUM_THREADS": "1"}
    env.pop("WORLD_SIZE", None)
    # On a timeout torchrun and its workers all go: subprocess.run would kill torchrun alone, and its workers
    # (each in a session of its own) would stay, hung, holding the cores for the rest of the suite.
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=REPO)
    try:
        out, err = proc.communicate(timeout=300)
    except subprocess.TimeoutExpired:
        kill_tree(proc.pid)
        out, err = proc.communicate()
        pytest.fail(f"timed out after 300 s: {' '.join(cmd[-3:])}\n{out[-2000:]}{err[-4000:]}")
    r = subprocess.CompletedProcess(cmd, proc.returncode, out, err)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-4000:]
    return r


def kill_tree(pid: int) -> None:
    """Kill a process and every descendant (psutil comes with accelerate)."""
    import psutil

    try:
        parent = psutil.Process(pid)
    except psutil.NoSuchProcess:
        return
    for p in (*parent.children(recursive=True), parent):
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass


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
    # one voice: per-run lines come from the main process only
    assert text.count("trained model written to") == 1 and text.count("examples kept") == 1
    meta = json.loads((out / "t2s_meta.json").read_text())
    assert meta["world_size"] == 2
    ddp = _steps(out)
    # the two ranks' first batches together are exactly the single run's first two batches
    assert ddp[0]["num_tokens"] == single[1]["num_tokens"]
    assert ddp[0]["epoch"] == pytest.approx(single[1]["epoch"])
    # the logged loss is the mean over ranks, not a sum (same model, same examples, before any update)
    assert ddp[0]["loss"] == pytest.approx((single[0]["loss"] + single[1]["loss"]) / 2, rel=0.05)


@pytest.mark.slow
def test_torchrun_two_processes_split_the_data(setup, single):
    tmp, model, data = setup
    cfg = _config(tmp, model, data, "torchrun", 1)
    r = _run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", "2", "--master-port", _free_port(),
         "-m", "text2sql", "train", str(cfg)]
    )  # fmt: skip
    _check_sharded(tmp / "torchrun", single, r)


@pytest.mark.slow
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

    stages = {
        n: json.loads((REPO / "train_args" / "deepspeed" / f"ds_{n}.json").read_text())
        for n in ("zero2", "zero3")
    }
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


DS = REPO / "train_args" / "deepspeed"


def _check_trained_output(out: Path, base: Path, mode: str, updated: bool = True) -> None:
    """The saved model loads the way `t2s eval` loads it (HFBackend), and holds trained weights: ZeRO-3 must
    gather the partitioned 16-bit weights on save, or the files hold empty tensors."""
    import torch
    from safetensors.torch import load_file

    from text2sql.generation.hf import HFBackend

    ex = sample_examples(1)[0]
    prompt = [{"messages": [{"role": "user", "content": ex.question}]}]
    if mode == "full":
        backend = HFBackend(str(out), device="cpu")
        before, after = load_file(base / "model.safetensors"), load_file(out / "model.safetensors")
        assert before.keys() <= after.keys()  # DeepSpeed also writes a tied lm_head.weight out
        assert all(after[k].shape == before[k].shape for k in before)
        if updated:  # trained, not the initial weights
            assert any(not torch.equal(after[k], before[k]) for k in before)
    else:
        backend = HFBackend(str(base), adapter=str(out), device="cpu", base_precision="auto")
        adapter = load_file(out / "adapter_model.safetensors")
        lora_b = [v for k, v in adapter.items() if "lora_B" in k]
        assert lora_b and all(v.numel() > 0 for v in lora_b) and any(v.abs().sum() > 0 for v in lora_b)
    assert isinstance(backend.generate(prompt)[0][0], str)


@pytest.mark.slow
@pytest.mark.require_deepspeed
@pytest.mark.parametrize(
    ("stage", "mode"),
    [("zero2", "full"), ("zero2", "lora"), ("zero3", "full"), ("zero3", "lora"), ("zero3", "qlora")],
)
def test_deepspeed_two_processes(setup, single, stage, mode):
    """ZeRO-2/3 through the documented torchrun command: ranks get different data, the loss is the one-process
    loss, the output loads for eval; ZeRO-3 full also resumes from its (partitioned) checkpoint."""
    tmp, model, data = setup
    name = f"ds-{stage}-{mode}"
    cfg = _config(
        tmp, model, data, name, 1, train_mode=mode, save_steps=1, deepspeed=str(DS / f"ds_{stage}.json")
    )
    r = _run(_torchrun(str(cfg)))
    if mode == "qlora":  # the nf4 base changes the logits a little: same data, comparable loss
        assert _steps(tmp / name)[0]["num_tokens"] == single[1]["num_tokens"]
        assert _steps(tmp / name)[0]["loss"] == pytest.approx(
            (single[0]["loss"] + single[1]["loss"]) / 2, rel=0.1
        )
    else:
        _check_sharded(tmp / name, single, r)
    _check_trained_output(tmp / name, model, mode)
    if (stage, mode) == ("zero3", "full"):
        assert (tmp / name / "checkpoint-1" / "global_step1").is_dir()  # DeepSpeed's own partitioned state
        r = _run(_torchrun(str(cfg), "--resume", "--set", "max_steps=2"))
        meta = json.loads((tmp / name / "t2s_meta.json").read_text())
        assert meta["global_step"] == 2 and [h["step"] for h in _steps(tmp / name)] == [1, 2]
        _check_trained_output(tmp / name, model, mode)


@pytest.mark.slow
@pytest.mark.require_deepspeed
def test_firefly_full_zero3_config_trains_on_long_conversations(tmp_path):
    """Firefly's qwen-7b-sft-full.json (ZeRO-3 through its ds_z3_config.json, paths changed, fp16 off on CPU) on
    conversations longer than its max_seq_length=1024, as its dummy_data.jsonl is, under torchrun; one step
    without warmup (its 100 warmup steps start at lr 0) and without gradient accumulation, to stay short."""
    from text2sql.models.tiny import build_tiny_model

    fixtures = REPO / "tests" / "fixtures" / "firefly"

    model = build_tiny_model(tmp_path / "micro", arch="micro")
    data = write_jsonl(tmp_path / "train.jsonl", long_conversations(4))
    raw = {**json.loads((fixtures / "qwen-7b-sft-full.json").read_text()), "model_name_or_path": str(model),
           "train_file": str(data), "output_dir": str(tmp_path / "out"), "deepspeed": str(fixtures / "ds_z3_config.json"),
           "report_to": "none", "max_steps": 1,
           "gradient_accumulation_steps": 1, "warmup_steps": 0, "logging_steps": 1, "fp16": False,
           "save_strategy": "no"}  # fmt: skip
    cfg = tmp_path / "firefly.json"
    cfg.write_text(json.dumps(raw))
    r = _run(_torchrun(str(cfg)))
    meta = json.loads((tmp_path / "out" / "t2s_meta.json").read_text())
    assert meta["examples_kept"] == meta["examples_trimmed"] == 4 and meta["world_size"] == 2
    assert "4 of them trimmed to their leading whole turns" in r.stdout + r.stderr
    # the DeepSpeed WarmupLR scheduler of Firefly's file runs its first step at lr 0: the weights load, unchanged
    assert _steps(tmp_path / "out")[0]["learning_rate"] == 0
    _check_trained_output(tmp_path / "out", model, "full", updated=False)


def test_fsdp_on_cpu_is_refused_in_one_line():
    """accelerate enables FSDP only for GPU/accelerator launches (its MULTI_CPU state never becomes FSDP), so on
    CPU an `fsdp` key would silently train plain DDP; t2s says so instead."""
    from text2sql.train.config import load_config
    from text2sql.train.launch import has_accelerator

    raw = {"model_name_or_path": "m", "train_file": "t", "output_dir": "o", "fsdp": "full_shard auto_wrap",
           "fsdp_config": {"transformer_layer_cls_to_wrap": ["Qwen2DecoderLayer"]}}  # fmt: skip
    if has_accelerator():
        assert load_config(raw).args.fsdp
        return
    with pytest.raises(T2SError, match=r"^fsdp needs GPUs: accelerate turns FSDP on only for GPU") as e:
        load_config(raw)
    assert "\n" not in str(e.value)


@pytest.mark.slow
@pytest.mark.skipif(  # torch first: the evaluation-only install collects this module too
    importlib.util.find_spec("torch") is None
    or not __import__("text2sql.train.launch", fromlist=["x"]).has_accelerator(),
    reason="FSDP needs GPUs: accelerate only enables it for GPU launches (CPU runs it as DDP); "
    "scripts/gpu_smoke.sh runs it on a GPU node",
)
@pytest.mark.parametrize("mode", ["full", "lora"])
def test_fsdp_two_processes(setup, single, mode):
    tmp, model, data = setup
    name = f"fsdp-{mode}"
    cfg = _config(tmp, model, data, name, 1, train_mode=mode, fsdp="full_shard auto_wrap",
                  fsdp_config={"transformer_layer_cls_to_wrap": ["Qwen2DecoderLayer"]})  # fmt: skip
    r = _run(_torchrun(str(cfg)))
    _check_sharded(tmp / name, single, r)
    _check_trained_output(tmp / name, model, mode)


@pytest.mark.slow
@pytest.mark.require_deepspeed
def test_deepspeed_zero3_without_a_launcher(setup):
    """A plain `t2s train` with a ZeRO-3 config trains in one process (DeepSpeed otherwise looks for MPI)."""
    tmp, model, data = setup
    cfg = _config(tmp, model, data, "ds-plain", 1, train_mode="full", deepspeed=str(DS / "ds_zero3.json"))
    r = _run([sys.executable, "-m", "text2sql", "train", str(cfg)])
    assert "rank 0 of 1" in r.stdout + r.stderr and "Traceback" not in r.stderr
    assert json.loads((tmp / "ds-plain" / "t2s_meta.json").read_text())["world_size"] == 1
    _check_trained_output(tmp / "ds-plain", model, "full")


def test_deepspeed_key_without_the_package_is_one_line(monkeypatch):
    """Where deepspeed is installed (CI), the missing-package branch still gets checked."""
    import importlib.util

    from text2sql.train.config import load_config

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "deepspeed" else real(name, *a)
    )
    raw = {
        "model_name_or_path": "m",
        "train_file": "t",
        "output_dir": "o",
        "deepspeed": str(DS / "ds_zero3.json"),
    }
    with pytest.raises(T2SError, match=r"^config key 'deepspeed' needs the deepspeed package: pip install"):
        load_config(raw)
