"""Merge a LoRA adapter into its base: a plain 16-bit model with its tokenizer, ready for vLLM or eval."""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.models.meta import META_NAME, base_precision_for, read_training_meta, write_training_meta

DTYPES = ("bfloat16", "float16", "float32")


def merge_adapter(
    base: str | Path,
    adapter: str | Path,
    output: str | Path,
    dtype: str = "auto",
    base_precision: str = "auto",
) -> Path:
    """Fold the adapter into a 16-bit copy of the base it was trained against, save model and tokenizer.

    A QLoRA adapter (base_precision `auto` -> `4bit`) is merged into the nf4 base dequantised to `dtype`: the
    weights the adapter learned to correct, not the original ones (merging into 4-bit weights would round the
    adapter away). `16bit` merges into the unquantised base instead."""
    import torch
    from transformers import AutoModelForCausalLM

    from text2sql.models.checks import check_adapter_matches
    from text2sql.models.folding import fold_adapter, fold_dtype
    from text2sql.prompts.tokenizer import load_tokenizer

    dtype = merge_dtype(adapter, dtype)
    if dtype not in DTYPES:
        raise T2SError(f"dtype must be one of {', '.join(DTYPES)}, got {dtype!r}")
    adapter = Path(adapter)
    if not (adapter / "adapter_config.json").is_file():
        raise T2SError(f"{adapter} holds no adapter_config.json: give the output_dir of a lora/qlora run")
    check_adapter_matches(adapter, base)  # one line instead of dozens of "size mismatch" errors
    precision = base_precision_for(adapter, base_precision)
    target = getattr(torch, dtype)
    # folded in fp32, then cast: merging in bf16 rounds a young adapter's small updates away (models/folding.py)
    kwargs: dict = {"dtype": fold_dtype(base, target) if precision != "4bit" else target}
    if precision == "4bit":
        from text2sql.train.model import four_bit_config

        kwargs["quantization_config"] = four_bit_config(target)
        if torch.cuda.is_available():
            kwargs["device_map"] = {"": 0}
    from text2sql.models.loading import load_pretrained

    model = load_pretrained(AutoModelForCausalLM, str(base), what="base model", **kwargs)
    if precision == "4bit":
        model = model.dequantize(dtype=torch.float32)  # the nf4 values lie on no 16-bit grid
    merged = fold_adapter(model, adapter, target)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    merged.save_pretrained(out)
    tok_src = adapter if (adapter / "tokenizer_config.json").is_file() else base
    load_tokenizer(tok_src).save_pretrained(out)
    if (adapter / META_NAME).is_file():
        meta = read_training_meta(adapter)
        write_training_meta(out, **meta, merged_into=f"{precision} base as {dtype}")
    return out


def merge_dtype(adapter: str | Path, dtype: str = "auto") -> str:
    """`auto`: the dtype the weights trained in (t2s_meta.json), since merging fp32 training into bf16 changes
    logits; float32 when the adapter records none."""
    if dtype != "auto":
        return dtype
    return read_training_meta(adapter).get("weights_dtype", "float32")
