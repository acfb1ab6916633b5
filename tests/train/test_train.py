"""End to end on CPU with a micro Qwen2 model: QLoRA SFT memorises, merge is exact, DPO raises the margin,
--resume continues a killed run, and two gloo processes train under torchrun."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from train_helpers import HASH, base_config, dpo_rows, prompt_messages, sample_examples, sft_rows, write_jsonl

pytestmark = pytest.mark.require_train
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    root = tmp_path_factory.mktemp("train")
    model = build_tiny_model(root / "model", arch="micro")
    return root, model, write_jsonl(root / "sft.jsonl", sft_rows(4))


@pytest.fixture(scope="module")
def sft_run(work):
    from text2sql.train import train

    root, model, data = work
    out = train(base_config(model, data, root / "sft", max_steps=25))
    return out


def _generate(model, tok, ex) -> str:
    import torch

    ids = tok.apply_chat_template(
        prompt_messages(ex), add_generation_prompt=True, return_tensors="pt", return_dict=True
    )
    with torch.no_grad():
        out = model.generate(**ids, max_new_tokens=40, do_sample=False)
    return tok.decode(out[0, ids["input_ids"].shape[1] :], skip_special_tokens=True).strip()


@pytest.mark.slow
def test_qlora_sft_memorises_and_records_its_run(sft_run, work):
    from transformers import AutoModelForCausalLM

    from text2sql.prompts.tokenizer import load_tokenizer
    from text2sql.train import read_training_meta

    log = json.loads((sft_run / "t2s_train_log.json").read_text())
    losses = [e["loss"] for e in log if "loss" in e]
    assert losses[-1] < 0.25 * losses[0], losses
    adapter_cfg = json.loads((sft_run / "adapter_config.json").read_text())
    assert "lm_head" not in str(adapter_cfg["target_modules"])
    targets = {t.rsplit(".", 1)[-1] for t in adapter_cfg["target_modules"]}
    assert targets == {"q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"}
    meta = read_training_meta(sft_run)
    assert meta["prompt_config_hash"] == HASH and meta["train_mode"] == "qlora" and meta["examples_kept"] == 4
    assert (sft_run / "loss_curve.png").stat().st_size > 1000
    resolved = json.loads((sft_run / "t2s_train_config.json").read_text())
    assert resolved["max_seq_length"] == 256 and resolved["trainer"]["max_length"] == 256
    assert meta["global_step"] == 25

    from peft import PeftModel

    base = AutoModelForCausalLM.from_pretrained(work[1])
    model = PeftModel.from_pretrained(base, sft_run).eval()
    tok = load_tokenizer(sft_run)
    ex = sample_examples(4)[1]
    assert _generate(model, tok, ex) == ex.query


def _logits(model, ids):
    import torch

    with torch.no_grad():
        return model.eval()(input_ids=ids).logits


def _peft_on(base_dir, adapter, four_bit: bool):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from text2sql.train.model import four_bit_config, use_training_4bit_kernels

    kw = {"quantization_config": four_bit_config(torch.float32)} if four_bit else {}
    base = AutoModelForCausalLM.from_pretrained(base_dir, dtype=torch.float32, **kw)
    use_training_4bit_kernels(base)  # the kernel training used (see text2sql/train/model.py)
    return PeftModel.from_pretrained(base, adapter)


@pytest.mark.slow
def test_merge_folds_the_qlora_adapter_into_the_base_it_was_trained_on(sft_run, work, tmp_path):
    """Default for a QLoRA adapter: the nf4 base dequantised, so the merged model computes what was trained;
    --base-precision 16bit merges into the original weights instead."""
    import torch
    from transformers import AutoModelForCausalLM

    ids = torch.randint(10, 1000, (2, 17))
    as_trained, unquantised = (
        _logits(_peft_on(work[1], sft_run, True), ids),
        _logits(_peft_on(work[1], sft_run, False), ids),
    )
    assert (as_trained - unquantised).abs().max() > 1e-2  # nf4 rounding matters: the two are different models
    for precision, ref in (("auto", as_trained), ("16bit", unquantised)):
        out = tmp_path / precision
        r = subprocess.run(
            [sys.executable, "-m", "text2sql.cli", "merge", "--model", str(work[1]), "--adapter", str(sft_run),
             "--output-dir", str(out), "--dtype", "float32", "--base-precision", precision],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert r.returncode == 0, r.stderr[-2000:]
        assert ("nf4 base it was trained on" in r.stdout) == (precision == "auto")
        assert (out / "tokenizer_config.json").exists() and (out / "t2s_meta.json").exists()
        assert not (out / "adapter_config.json").exists()
        merged = AutoModelForCausalLM.from_pretrained(out)
        assert not getattr(merged, "is_loaded_in_4bit", False) and merged.dtype == torch.float32
        torch.testing.assert_close(_logits(merged, ids), ref, atol=1e-4, rtol=1e-4, msg=precision)
    from text2sql.core.errors import T2SError
    from text2sql.train import merge_adapter

    with pytest.raises(T2SError, match="no adapter_config.json"):
        merge_adapter(work[1], tmp_path, out)


@pytest.mark.slow
def test_hf_backend_evaluates_a_qlora_adapter_on_its_nf4_base(sft_run, work):
    import torch

    from text2sql.generation.hf import HFBackend

    ids = torch.randint(10, 1000, (2, 17))
    default = HFBackend(str(work[1]), adapter=str(sft_run), device="cpu")
    assert default.info()["base_precision"] == "4bit"
    torch.testing.assert_close(_logits(default.model, ids), _logits(_peft_on(work[1], sft_run, True), ids))
    from text2sql.generation import DecodingConfig

    # the unquantised base at the reference's fp32 (auto would pick bf16 on a CPU that has it)
    plain = HFBackend(
        str(work[1]),
        adapter=str(sft_run),
        device="cpu",
        base_precision="16bit",
        decoding=DecodingConfig(precision="fp32"),
    )
    assert plain.info()["base_precision"] == "16bit"
    torch.testing.assert_close(
        _logits(plain.model, ids), _logits(_peft_on(work[1], sft_run, False), ids), atol=1e-4, rtol=1e-4
    )
    ex = sample_examples(4)[1]
    assert default.generate([{"messages": prompt_messages(ex)}])[0][0].strip() == ex.query


@pytest.mark.slow
def test_dpo_raises_reward_margin(sft_run, work):
    from text2sql.train import read_training_meta, train

    root, model, _ = work
    data = write_jsonl(root / "dpo.jsonl", dpo_rows(4))
    cfg = base_config(model, data, root / "dpo", task_type="dpo", beta=0.5, max_steps=12, learning_rate=5e-3,
                      train_mode="lora", adapter_name_or_path=str(sft_run), report_to="tensorboard")  # fmt: skip
    out = train(cfg)
    assert list((out / "tensorboard").glob("events.out.tfevents.*"))  # TensorBoard when asked
    log = json.loads((out / "t2s_train_log.json").read_text())
    margins = [e["rewards/margins"] for e in log if "rewards/margins" in e]
    assert abs(margins[0]) < 1e-3  # step 1: policy == reference (TRL keeps a frozen copy of the SFT adapter)
    assert margins[-1] > 1.0 and margins[-1] > margins[0] + 1.0, margins
    assert read_training_meta(out)["task_type"] == "dpo" and not (out / "ref").exists()


@pytest.mark.parametrize("losses", [["sigmoid"], ["sigmoid", "sft"]])
def test_dpo_adds_the_sft_loss_when_the_recipe_lists_it(work, tmp_path, losses):
    """The SmolLM2 DPO recipe's `loss_type: ["sigmoid", "sft"]` reaches TRL: at step 1 the policy is the
    reference, so DPO's loss is exactly ln 2, and the chosen answers' NLL comes on top of it."""
    import math

    from text2sql.train import train

    _, model, _ = work
    data = write_jsonl(tmp_path / "dpo.jsonl", dpo_rows(2))
    cfg = base_config(model, data, tmp_path / "o", task_type="dpo", max_steps=1, train_mode="lora",
                      per_device_train_batch_size=2, loss_type=losses)  # fmt: skip
    log = json.loads((train(cfg) / "t2s_train_log.json").read_text())
    loss = next(e["loss"] for e in log if "loss" in e)
    if losses == ["sigmoid"]:
        assert loss == pytest.approx(math.log(2), abs=1e-3)
    else:
        assert loss > math.log(2) + 1.0  # a random model's NLL per token is ~ln(vocab), far above 1


KILLER = textwrap.dedent(
    """
    import os, sys
    from transformers import TrainerCallback
    from text2sql.train import train

    class Kill(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            if state.global_step == 7:
                os._exit(137)  # like a SIGKILL: no cleanup, no final save

    train(sys.argv[1], callbacks=[Kill()])
    """
)


def _adapter_weights(folder: Path) -> dict:
    from safetensors.torch import load_file

    return load_file(str(folder / "adapter_model.safetensors"))


@pytest.mark.slow
def test_killed_qlora_run_resumes_to_the_uninterrupted_result(work, tmp_path):
    """SIGKILL-like exit at step 7, --resume from checkpoint-6: same steps, same fp32 adapter dtype, and the
    final weights of an uninterrupted run within numerical noise. Resuming the finished run trains nothing."""
    import torch
    from transformers import TrainerCallback

    from text2sql.train import train

    root, model, data = work
    cfg = base_config(model, data, tmp_path / "run", max_steps=10, save_steps=3)
    cfg_path = tmp_path / "cfg.json"
    cfg_path.write_text(json.dumps(cfg))
    r = subprocess.run(
        [sys.executable, "-c", KILLER, str(cfg_path)], capture_output=True, text=True, timeout=180
    )
    assert r.returncode == 137, r.stderr[-2000:]
    assert sorted(p.name for p in (tmp_path / "run").glob("checkpoint-*")) == ["checkpoint-3", "checkpoint-6"]

    seen: list[int] = []
    dtypes: set = set()

    class Record(TrainerCallback):
        def on_step_begin(self, args, state, control, model=None, **kw):
            seen.append(state.global_step)
            dtypes.update(p.dtype for p in model.parameters() if p.requires_grad)

    out = train(cfg_path, resume=True, callbacks=[Record()])
    assert seen == [6, 7, 8, 9]  # picks up after checkpoint-6, not from 0
    assert dtypes == {torch.float32}  # the reloaded adapter trains in the dtype it was saved in
    assert json.loads((out / "t2s_meta.json").read_text())["global_step"] == 10

    straight = train({**cfg, "output_dir": str(tmp_path / "straight")})
    resumed, reference = _adapter_weights(out), _adapter_weights(straight)
    assert {t.dtype for t in resumed.values()} == {t.dtype for t in reference.values()} == {torch.float32}
    assert {t.dtype for t in _adapter_weights(tmp_path / "run" / "checkpoint-6").values()} == {torch.float32}
    for name, weight in reference.items():
        torch.testing.assert_close(resumed[name], weight, atol=1e-5, rtol=1e-4)

    seen.clear()
    train(cfg_path, resume=True, callbacks=[Record()])
    assert seen == []  # finished: nothing to train, not one extra step


def test_rerun_over_checkpoints_needs_resume_or_overwrite(work, tmp_path):
    from text2sql.core.errors import T2SError
    from text2sql.train import train

    root, model, data = work
    cfg = base_config(model, data, tmp_path / "run", max_steps=2, save_steps=1)
    train(cfg)
    with pytest.raises(T2SError, match="checkpoint-2 .*--resume .*--overwrite"):
        train(cfg)
    with pytest.raises(T2SError, match="choose one"):
        train(cfg, resume=True, overwrite=True)
    train({**cfg, "max_steps": 1}, overwrite=True)
    assert sorted(p.name for p in (tmp_path / "run").glob("checkpoint-*")) == ["checkpoint-1"]


def test_qlora_evaluates_during_training_and_keeps_training(work, tmp_path):
    """bitsandbytes' CPU inference repacking after an evaluation broke the next QLoRA training step."""
    from text2sql.train import train

    root, model, data = work
    evals = write_jsonl(tmp_path / "eval.jsonl", sft_rows(6)[4:])
    cfg = base_config(model, data, tmp_path / "run", max_steps=4, eval_file=str(evals), eval_strategy="steps",
                      eval_steps=2, packing=True)  # fmt: skip
    out = train(cfg)
    log = json.loads((out / "t2s_train_log.json").read_text())
    assert [e["step"] for e in log if "eval_loss" in e] == [2, 4]
    assert [e["step"] for e in log if "loss" in e] == [1, 2, 3, 4]


@pytest.mark.slow
def test_cli_shows_one_progress_line_and_refuses_to_restart(work, tmp_path):
    root, model, data = work
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(base_config(model, data, tmp_path / "run", max_steps=3, save_steps=3)))
    cmd = [sys.executable, "-m", "text2sql.cli", "train", str(cfg)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=REPO)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "step 3/3 | loss " in r.stderr and " | lr " in r.stderr and "step/s | ETA 0s" in r.stderr
    assert "{'loss'" not in r.stdout + r.stderr and "Warning" not in r.stderr  # no raw log dicts, quiet
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180, cwd=REPO)
    assert r.returncode == 2 and "error:" in r.stderr and "--overwrite" in r.stderr
    assert "Traceback" not in r.stderr


def test_resume_without_checkpoint_is_clear_error(work, tmp_path):
    from text2sql.core.errors import T2SError
    from text2sql.train import train

    root, model, data = work
    with pytest.raises(T2SError, match="no checkpoint"):
        train(base_config(model, data, tmp_path / "fresh"), resume=True)


@pytest.mark.slow
def test_ddp_two_cpu_processes(work, tmp_path):
    root, model, data = work
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(base_config(model, data, tmp_path / "ddp", train_mode="full", max_steps=2,
                                          save_steps=2, per_device_train_batch_size=2, learning_rate=1e-3)))  # fmt: skip
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CUDA_VISIBLE_DEVICES": ""}
    r = subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
         "-m", "text2sql.cli", "train", str(cfg), "--set", "ddp_backend=gloo"],
        capture_output=True, text=True, timeout=300, env=env, cwd=REPO,
    )  # fmt: skip
    assert r.returncode == 0, (r.stdout + r.stderr)[-3000:]
    out = r.stdout + r.stderr
    assert "[t2s] rank 0 of 2" in out and "[t2s] rank 1 of 2" in out
    assert [p.name for p in (tmp_path / "ddp").glob("checkpoint-*")] == ["checkpoint-2"]
    meta = json.loads((tmp_path / "ddp" / "t2s_meta.json").read_text())
    assert meta["world_size"] == 2 and meta["global_step"] == 2


def test_dpo_with_fresh_qlora_adapter_uses_base_as_reference(work, tmp_path):
    """No second model and no 'ref' adapter: the reference is the quantised base with the adapter disabled."""
    from text2sql.train.config import load_config
    from text2sql.train.trainer import build_trainer

    root, model, _ = work
    data = write_jsonl(tmp_path / "dpo.jsonl", dpo_rows(3))
    trainer = build_trainer(
        load_config(base_config(model, data, tmp_path / "o", task_type="dpo", max_steps=1))
    )
    assert trainer.ref_model is None and list(trainer.model.peft_config) == ["default"]
    assert getattr(trainer.model.base_model.model, "is_loaded_in_4bit", False)
    trainer.train()
    margins = [e["rewards/margins"] for e in trainer.state.log_history if "rewards/margins" in e]
    assert abs(margins[0]) < 1e-3  # zero-initialised LoRA B: policy == base == reference at step 1
