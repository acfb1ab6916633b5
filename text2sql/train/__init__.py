"""Firefly-style training of Qwen on t2s data: one JSON config per run, QLoRA/LoRA/full, on TRL: SFT,
pretraining, DPO, GRPO/RLOO and reward models, one module each in `methods/`.

Import-light on purpose: the heavy libraries load inside the functions.
"""

from __future__ import annotations

from text2sql.models.meta import read_training_meta


def train(
    config, overrides=None, resume: bool = False, callbacks=None, overwrite: bool = False, verbose=True
):
    """Run one training job from a config file or dict; returns its output_dir."""
    from text2sql.train.trainer import train as _train

    return _train(config, overrides, resume, callbacks, overwrite=overwrite, verbose=verbose)


def build_tiny_model(output_dir, arch: str = "tiny", tokenizer=None):
    from text2sql.models.tiny import build_tiny_model as _build

    return _build(output_dir, arch=arch, tokenizer=tokenizer)


def merge_adapter(base, adapter, output, dtype: str = "auto", base_precision: str = "auto"):
    from text2sql.train.merge import merge_adapter as _merge

    return _merge(base, adapter, output, dtype, base_precision)


__all__ = ["build_tiny_model", "merge_adapter", "read_training_meta", "train"]
