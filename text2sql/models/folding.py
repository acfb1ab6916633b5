"""Fold a LoRA adapter into its base weights without rounding the adapter away.

Merging in bf16 adds the low-rank update to weights that already lie on the bf16 grid, so every element of
the update smaller than half a bf16 step is lost, deterministically. A young adapter is mostly such small
elements: SmolLM2 after 8 LoRA steps (lr 1e-4) scores a held-out loss of 1.205 in fp32 (the base: 1.460), but
1.344 when its bf16 base is merged in bf16, what `t2s eval` did on a bf16 CPU. Folding in fp32 and then
casting keeps it (1.224): the merged weights are rounded once, with the update inside them. Where the
checkpoint is itself stored in the target dtype (a bf16 hub checkpoint evaluated in bf16) its weights are on
that grid already, fp32 buys nothing, and the base is loaded straight in the target dtype.
"""

from __future__ import annotations

import json
from pathlib import Path

from text2sql.core.model_source import is_gguf


def stored_dtype(base: str | Path) -> str | None:
    """The dtype a checkpoint's weights are stored in (its `config.json`), or None when unknown (GGUF)."""
    if is_gguf(base):
        return None  # quantised blocks: their dequantised values lie on no 16-bit grid
    config = Path(base) / "config.json"
    try:
        if config.is_file():
            raw = json.loads(config.read_text())
        else:  # a hub id: its config is a small file beside the weights about to be downloaded
            from transformers import AutoConfig

            raw = AutoConfig.from_pretrained(str(base)).to_dict()
    except (OSError, ValueError):
        return None
    value = raw.get("dtype") or raw.get("torch_dtype")
    return str(value).removeprefix("torch.") if value else None


def fold_dtype(base: str | Path, dtype):
    """The dtype to load the base in before folding an adapter into it for `dtype` weights."""
    import torch

    if dtype == torch.float32 or stored_dtype(base) == str(dtype).removeprefix("torch."):
        return dtype
    return torch.float32


def fold_adapter(model, adapter: str | Path, dtype):
    """`model` (loaded in `fold_dtype`) with the adapter folded in, then cast to `dtype`."""
    from peft import PeftModel

    merged = PeftModel.from_pretrained(model, str(adapter)).merge_and_unload()
    return merged.to(dtype)
