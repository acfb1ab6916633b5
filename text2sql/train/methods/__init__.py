"""The training methods, one module each, behind one registry: `train()` asks `get_method(task_type)` for the
TRL config class, the extra keys, the dataset and the trainer. Import-light (no torch, transformers or trl)."""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.train.methods import dpo, grpo, pretrain, reward, sft
from text2sql.train.methods.base import Method, Run, TrainData

METHODS: dict[str, Method] = {
    m.name: m for m in (sft.METHOD, dpo.METHOD, grpo.GRPO, grpo.RLOO, reward.METHOD, pretrain.METHOD)
}


def get_method(task_type: str) -> Method:
    """The method for a `task_type`; anything else is one line naming the choices."""
    try:
        return METHODS[task_type]
    except (KeyError, TypeError):
        raise T2SError(f"task_type must be one of {', '.join(METHODS)}, got {task_type!r}") from None


__all__ = ["METHODS", "Method", "Run", "TrainData", "get_method"]
