"""A young LoRA adapter survives being folded into bf16 weights (eval and `t2s merge`), unlike a bf16 merge."""

from __future__ import annotations

import json

import pytest

pytestmark = pytest.mark.require_train


@pytest.fixture(scope="module")
def young_adapter(tmp_path_factory):
    """A micro model stored in fp32 and a LoRA adapter whose update is mostly below half a bf16 step."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    from text2sql.train import build_tiny_model

    root = tmp_path_factory.mktemp("fold")
    base = build_tiny_model(root / "base", arch="micro")
    model = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    peft = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, target_modules=["q_proj", "v_proj"]))
    torch.manual_seed(0)
    for name, p in peft.named_parameters():
        if "lora_B" in name:
            p.data = torch.randn_like(p) * 2e-4  # as after a few small Adam steps
    peft.save_pretrained(root / "adapter")
    return base, root / "adapter"


def projection(merged, base_fp32, delta) -> float:
    """How much of the adapter's update the merged weight carries (1.0: all of it, 0.0: none)."""
    return float(((merged.float() - base_fp32) * delta).sum() / (delta * delta).sum())


def weights(base, adapter):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    plain = AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32)
    w = plain.model.layers[0].self_attn.q_proj.weight.detach().clone()
    exact = PeftModel.from_pretrained(plain, str(adapter)).merge_and_unload()
    return w, exact.model.layers[0].self_attn.q_proj.weight.detach() - w


def test_stored_dtype_reads_the_checkpoint(young_adapter):
    import torch

    from text2sql.models.folding import fold_dtype, stored_dtype

    base, _ = young_adapter
    assert stored_dtype(base) == "float32"
    assert fold_dtype(base, torch.bfloat16) == torch.float32
    config = json.loads((base / "config.json").read_text())
    assert stored_dtype("x.gguf") is None and config.get("dtype", config.get("torch_dtype")) == "float32"


def test_bf16_merge_loses_the_update_and_the_fold_keeps_it(young_adapter):
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from text2sql.models.folding import fold_adapter

    base, adapter = young_adapter
    w, delta = weights(base, adapter)
    naive = PeftModel.from_pretrained(
        AutoModelForCausalLM.from_pretrained(base, dtype=torch.bfloat16), str(adapter)
    ).merge_and_unload()
    lost = projection(naive.model.layers[0].self_attn.q_proj.weight, w, delta)
    folded = fold_adapter(
        AutoModelForCausalLM.from_pretrained(base, dtype=torch.float32), adapter, torch.bfloat16
    )
    kept = folded.model.layers[0].self_attn.q_proj.weight
    assert kept.dtype == torch.bfloat16
    assert lost < 0.5, lost  # the scenario is real: a bf16 merge drops most of the update
    assert abs(projection(kept, w, delta) - 1.0) < 0.25, projection(kept, w, delta)


def test_eval_and_merge_fold_in_fp32(young_adapter, tmp_path):
    import torch
    from safetensors.torch import load_file

    from text2sql.generation.base import DecodingConfig
    from text2sql.generation.hf import HFBackend
    from text2sql.train.merge import merge_adapter

    base, adapter = young_adapter
    w, delta = weights(base, adapter)
    backend = HFBackend(
        str(base), adapter=str(adapter), device="cpu", decoding=DecodingConfig(precision="bf16")
    )
    q = backend.model.model.layers[0].self_attn.q_proj.weight
    assert q.dtype == torch.bfloat16 and abs(projection(q, w, delta) - 1.0) < 0.25

    out = merge_adapter(base, adapter, tmp_path / "merged", dtype="bfloat16")
    tensors = {}
    for f in out.glob("*.safetensors"):
        tensors.update(load_file(f))
    q = next(v for k, v in tensors.items() if k.endswith("layers.0.self_attn.q_proj.weight"))
    assert q.dtype == torch.bfloat16 and abs(projection(q, w, delta) - 1.0) < 0.25
