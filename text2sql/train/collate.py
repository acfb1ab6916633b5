"""Packed batches that stay fast without flash attention, with labels that are right under every TRL we allow.

TRL's padding-free collator concatenates a whole batch of packed rows into one sequence. FlashAttention's
varlen kernels then cost the sum of each example's L^2, but SDPA and eager attention (CPUs, GPUs without
flash-attn) mask a single (k*L)^2 matrix: k^2 times the work of k separate rows, so packing ran at half the
speed of padding on CPU. Here each packed row stays a row of a (k, L) batch; position ids restart at every
example, and with no attention mask transformers builds a block-diagonal causal mask per row, so examples
never see each other (tests/test_train_data.py checks the logits against unpacked examples).

Labels: TRL >= 1.x folds `completion_mask` into a `labels` column while preparing the dataset; TRL 0.24-0.29
keep `completion_mask` and mask inside their own collator. This collator applies whichever it is given, so the
prompt is never trained on whichever TRL is installed.
"""

from __future__ import annotations

import torch
from trl import SFTTrainer
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from text2sql.core.errors import T2SError

REAL_TOKENS = "t2s_real_tokens"  # batch key: tokens that are not padding (popped before the forward pass)


def needs_row_packing(attn_implementation: str | None) -> bool:
    """True unless a varlen flash kernel (flash_attention_2/3, hub flash kernels) makes TRL's flattened
    batch the cheaper layout."""
    return "flash" not in (attn_implementation or "")


def example_labels(example: dict) -> torch.Tensor:
    """-100 on every token that is not part of the completion (prompt, chat header, system message)."""
    ids = torch.tensor(example["input_ids"])
    labels = torch.tensor(example["labels"]) if "labels" in example else ids.clone()
    masks = [example[k] for k in ("completion_mask", "assistant_masks") if k in example]
    if "labels" not in example and not masks:
        raise T2SError(
            "packed SFT rows carry neither labels nor a completion mask: refusing to train on prompts"
        )
    for mask in masks:
        labels[torch.tensor(mask) == 0] = -100
    return labels


class RowPackedCollator(DataCollatorForLanguageModeling):
    """(rows, longest row) batches of packed examples with per-example position ids and no attention mask."""

    def __init__(self, pad_token_id: int, pad_to_multiple_of: int | None = None):
        super().__init__(pad_token_id=pad_token_id, padding_free=False, pad_to_multiple_of=pad_to_multiple_of)

    def torch_call(self, examples: list[dict]) -> dict:
        ids = [torch.tensor(e["input_ids"]) for e in examples]
        labels = [example_labels(e) for e in examples]
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
        batch[REAL_TOKENS] = torch.tensor(sum(len(x) for x in ids))
        return batch


class RowPackedSFTTrainer(SFTTrainer):
    """SFTTrainer with the row-packed collator (TRL refuses a custom collator when packing) and a logged
    `num_tokens` that counts the tokens trained on: TRL counts one row's width when there is no attention
    mask, e.g. 639 for a batch of 4,787 tokens."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.data_collator = RowPackedCollator(
            self.processing_class.pad_token_id, pad_to_multiple_of=self.args.pad_to_multiple_of
        )

    def compute_loss(self, model, inputs, return_outputs=False, num_items_in_batch=None):
        real = inputs.pop(REAL_TOKENS, None)
        before = getattr(self, "_total_train_tokens", None)
        out = super().compute_loss(
            model, inputs, return_outputs=return_outputs, num_items_in_batch=num_items_in_batch
        )
        if real is not None and before is not None and self.model.training:
            gathered = self.accelerator.gather_for_metrics(real.to(inputs["input_ids"].device).reshape(1))
            self._total_train_tokens = before + int(gathered.sum().item()) // getattr(self, "_tp_size", 1)
            self._metrics["train"]["num_tokens"] = [self._total_train_tokens]
        return out
