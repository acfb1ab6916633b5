"""Training precision: bf16 "auto" where the hardware has it, fp32 master weights/adapters, the loss kept."""

from __future__ import annotations

import pytest
from train_helpers import base_config, sft_rows, write_jsonl

from text2sql.core import hardware
from text2sql.core.errors import T2SError
from text2sql.train.config import load_config

pytestmark = pytest.mark.require_train

RAW = {"model_name_or_path": "m", "train_file": "t", "output_dir": "o", "train_mode": "lora"}


@pytest.fixture
def cpu_with(monkeypatch):
    def set_units(has_bf16: bool):
        monkeypatch.setattr(hardware, "default_device", lambda: "cpu")
        why = "CPU has AMX" if has_bf16 else "CPU has no AMX/AVX512-BF16"
        monkeypatch.setattr(hardware, "bf16_support", lambda device: (has_bf16, why))

    return set_units


def test_bf16_auto_is_the_default_and_follows_the_cpu(cpu_with):
    cpu_with(True)
    cfg = load_config(RAW)
    assert cfg.args.bf16 is True and "precision: bf16 (CPU has AMX" in " ".join(cfg.notes)
    assert load_config({**RAW, "bf16": "auto"}).args.bf16 is True
    assert load_config({**RAW, "train_mode": "qlora"}).args.bf16 is False  # 4-bit CPU kernels: fp32
    cpu_with(False)
    cfg = load_config(RAW)
    assert cfg.args.bf16 is False and "precision: fp32 (CPU has no AMX" in " ".join(cfg.notes)


def test_bf16_is_overridden_by_the_config_and_the_command_line(cpu_with):
    cpu_with(True)
    assert load_config({**RAW, "bf16": False}).args.bf16 is False
    assert load_config(RAW, ["bf16=false"]).args.bf16 is False
    assert load_config({**RAW, "fp16": True}).args.bf16 is False
    cpu_with(False)
    assert load_config(RAW, ["bf16=true"]).args.bf16 is True
    with pytest.raises(T2SError, match='bf16 must be true, false or "auto"'):
        load_config(RAW, ["bf16=maybe"])
    with pytest.raises(T2SError, match="bf16 and fp16 are both true"):
        load_config({**RAW, "bf16": True, "fp16": True})


@pytest.fixture(scope="module")
def work(tmp_path_factory):
    from text2sql.models.tiny import build_tiny_model

    root = tmp_path_factory.mktemp("precision")
    return build_tiny_model(root / "model", arch="micro"), write_jsonl(root / "sft.jsonl", sft_rows(16)), root


def _trainer(work, name, **kw):
    from text2sql.train.trainer import build_trainer

    model, data, root = work
    return build_trainer(
        load_config(base_config(model, data, root / name, max_steps=4, learning_rate=5e-3, **kw))
    )


def test_bf16_lora_trains_like_fp32_with_a_bf16_base_and_fp32_adapters(work):
    import torch

    losses = {}
    for bf16 in (False, True):
        trainer = _trainer(work, f"lora-{bf16}", train_mode="lora", bf16=bf16)
        frozen = {p.dtype for p in trainer.model.parameters() if not p.requires_grad}
        trained = {p.dtype for p in trainer.model.parameters() if p.requires_grad}
        assert frozen == {torch.bfloat16 if bf16 else torch.float32} and trained == {torch.float32}
        trainer.train()
        losses[bf16] = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert len(losses[True]) == 4
    assert losses[False][-1] < losses[False][0] and losses[True][-1] < losses[True][0]
    for a, b in zip(losses[False], losses[True], strict=True):
        assert abs(a - b) < 0.02 * a, (losses[False], losses[True])


def test_full_bf16_on_cpu_keeps_fp32_master_weights(work):
    import torch

    trainer = _trainer(work, "full-bf16", train_mode="full", bf16=True)
    if not torch.cuda.is_available():
        assert {p.dtype for p in trainer.model.parameters()} == {torch.float32}  # autocast computes in bf16
    assert trainer.args.bf16 is True


def test_loss_on_labelled_positions_only_equals_the_full_logits_loss(work):
    import torch
    import trl.trainer.utils as trl_utils

    trainer = _trainer(work, "compact", train_mode="lora")
    assert trl_utils._use_triton(torch.device("cpu"))  # the fused head scores only labelled tokens on CPU
    batch = next(iter(trainer.get_train_dataloader()))
    model = trainer.model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(model, dict(batch))
        inputs = {k: v for k, v in batch.items() if k != "labels"}
        logits = model(**inputs, use_cache=False).logits.float()
        labels = batch["labels"][:, 1:]
        reference = torch.nn.functional.cross_entropy(
            logits[:, :-1].reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=-100
        )
    assert (labels != -100).sum() < labels.numel() / 2  # the prompt is masked: most positions are skipped
    assert abs(loss.item() - reference.item()) < 1e-3
