"""Merge a LoRA adapter into its base: a plain 16-bit model with its tokenizer, ready for vLLM or eval."""

from __future__ import annotations

import shutil
from pathlib import Path

from text2sql.errors import T2SError
from text2sql.train.meta import META_NAME

DTYPES = ("bfloat16", "float16", "float32")


def merge_adapter(base: str | Path, adapter: str | Path, output: str | Path, dtype: str = "bfloat16") -> Path:
    """Load the base unquantised (merging into 4-bit weights would round them), fold the adapter in, save."""
    import torch
    from peft import PeftModel
    from transformers import AutoModelForCausalLM

    from text2sql.generation.model_checks import check_adapter_matches
    from text2sql.tokenizer import load_tokenizer

    if dtype not in DTYPES:
        raise T2SError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    adapter = Path(adapter)
    if not (adapter / "adapter_config.json").is_file():
        raise T2SError(f"{adapter} holds no adapter_config.json: give the output_dir of a lora/qlora run")
    check_adapter_matches(adapter, base)  # one line instead of dozens of "size mismatch" errors
    try:
        model = AutoModelForCausalLM.from_pretrained(str(base), dtype=getattr(torch, dtype))
    except (OSError, ValueError) as e:
        raise T2SError(f"cannot load base model {str(base)!r}: {str(e).strip().splitlines()[0]}") from None
    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tok_src = adapter if (adapter / "tokenizer_config.json").is_file() else base
    load_tokenizer(tok_src).save_pretrained(out)
    if (adapter / META_NAME).is_file():
        shutil.copy(adapter / META_NAME, out / META_NAME)
    return out
