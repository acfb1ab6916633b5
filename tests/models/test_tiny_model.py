"""Offline random Qwen2 models: `tiny` is a few million parameters; named archs have Qwen2.5-Coder's shapes."""

from __future__ import annotations

import pytest

from text2sql.core.errors import T2SError
from text2sql.models.tiny import count_parameters, tiny_config
from text2sql.prompts.tokenizer import load_tokenizer

pytestmark = pytest.mark.require_train


@pytest.mark.parametrize(
    ("arch", "low", "high"),
    [
        ("qwen2.5-coder-0.5b", 0.48e9, 0.50e9),
        ("qwen2.5-coder-1.5b", 1.50e9, 1.56e9),
        ("qwen2.5-coder-7b", 7.5e9, 7.7e9),
    ],
)
def test_named_archs_have_real_sizes(arch, low, high):
    config = tiny_config(arch, load_tokenizer())
    assert config.model_type == "qwen2"
    assert low < count_parameters(config) < high


def test_unknown_arch_is_clear_error():
    with pytest.raises(T2SError, match="unknown arch 'qwen3'"):
        tiny_config("qwen3", load_tokenizer())


def test_tiny_model_builds_loads_and_generates(tmp_path):
    import torch
    from transformers import AutoModelForCausalLM

    from text2sql.train import build_tiny_model

    out = build_tiny_model(tmp_path / "tiny")
    model = AutoModelForCausalLM.from_pretrained(out).eval()
    tok = load_tokenizer(out)
    n = sum(p.numel() for p in model.parameters())
    assert 1e6 < n < 10e6 and model.config.vocab_size >= len(tok)
    assert model.config.eos_token_id == tok.convert_tokens_to_ids("<|im_end|>")
    msgs = [{"role": "user", "content": "How many books?"}]
    ids = tok.apply_chat_template(msgs, add_generation_prompt=True, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        gen = model.generate(**ids, max_new_tokens=5, do_sample=False)
    assert gen.shape[1] > ids["input_ids"].shape[1]


def test_tiny_model_with_real_qwen_tokenizer_shape(qwen_tokenizer_dir):
    config = tiny_config("micro", load_tokenizer(qwen_tokenizer_dir))
    assert config.vocab_size >= 151665 and config.eos_token_id == 151645


def test_tiny_model_cli_refuses_a_full_folder_without_overwrite(tmp_path):
    """Issue 18.10 (e): a second `t2s tiny-model` into the same folder is one error line, the model untouched."""
    from cli_helpers import t2s

    out = tmp_path / "m"
    t2s("tiny-model", "--output-dir", str(out), "--arch", "micro")
    weights = out / "model.safetensors"
    before = weights.stat().st_mtime_ns
    res = t2s("tiny-model", "--output-dir", str(out), "--arch", "micro", "--init-seed", "1", check=False)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [
        f"error: {out} already holds files (a model?); pass --overwrite to write over them"
    ]
    assert weights.stat().st_mtime_ns == before
    t2s("tiny-model", "--output-dir", str(out), "--arch", "micro", "--init-seed", "1", "--overwrite")
    assert weights.stat().st_mtime_ns != before
    (tmp_path / "f").write_text("x")
    res = t2s("tiny-model", "--output-dir", str(tmp_path / "f"), check=False)
    assert res.returncode == 2 and "is a file: give a folder" in res.stderr
