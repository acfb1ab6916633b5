"""Packed batches that stay fast without flash attention.

TRL's padding-free collator concatenates a whole batch of packed rows into one sequence. FlashAttention's
varlen kernels then cost the sum of each example's L^2, but SDPA and eager attention (CPUs, GPUs without
flash-attn) mask a single (k*L)^2 matrix: k^2 times the work of k separate rows, so packing ran at half the
speed of padding on CPU. Here each packed row stays a row of a (k, L) batch; position ids restart at every
example, and with no attention mask transformers builds a block-diagonal causal mask per row, so examples
never see each other (tests/test_train_data.py checks the logits against unpacked examples).
"""

from __future__ import annotations

import torch
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling


def needs_row_packing(attn_implementation: str | None) -> bool:
    """True unless a varlen flash kernel (flash_attention_2/3, hub flash kernels) makes TRL's flattened
    batch the cheaper layout."""
    return "flash" not in (attn_implementation or "")


class RowPackedCollator(DataCollatorForLanguageModeling):
    """(rows, longest row) batches of packed examples with per-example position ids and no attention mask."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None):
        super().__init__(pad_token_id=pad_token_id, padding_free=False, pad_to_multiple_of=pad_to_multiple_of)

    def torch_call(self, examples: list[dict]) -> dict:
        ids = [torch.tensor(e["input_ids"]) for e in examples]
        labels = [torch.tensor(e.get("labels", e["input_ids"])) for e in examples]
        lengths = [e.get("seq_lengths") or [len(e["input_ids"])] for e in examples]
        positions = self.get_position_ids_from_packed_seq_lengths(lengths)
        width = max(len(x) for x in ids)
        if self.pad_to_multiple_of:
            width = -(-width // self.pad_to_multiple_of) * self.pad_to_multiple_of
        batch = {
            "input_ids": torch.full((len(ids), width), self.pad_token_id, dtype=torch.long),
            "labels": torch.full((len(ids), width), -100, dtype=torch.long),
            # padding gets position 0 at every slot: each pad token is its own one-token sequence
            "position_ids": torch.zeros((len(ids), width), dtype=torch.long),
        }
        for i, (x, y, p) in enumerate(zip(ids, labels, positions, strict=True)):
            batch["input_ids"][i, : len(x)] = x
            batch["labels"][i, : len(y)] = y
            batch["position_ids"][i, : len(p)] = p
        # an example's first token has no context of its own
        batch["labels"][batch["position_ids"] == 0] = -100
        return batch
