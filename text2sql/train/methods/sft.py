"""`task_type: sft`: TRL's `SFTTrainer` on examples fitted here (see text2sql/train/data.py), loss on the SQL
only; Firefly's multi-turn conversations are learned on every assistant turn (see firefly.py)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from text2sql.train.methods.base import Method, TrainData, firefly_rows, print_main, trainer_kwargs


def score_only_labelled_tokens() -> None:
    """TRL's fused LM head projects only the positions with a label on CUDA, but every position elsewhere
    (to keep tile shapes fixed for compiled devices such as Neuron): on CPU that is ~10x the work and memory
    for SQL completions after a long schema prompt (8 x 370 tokens x 49k vocabulary: 0.4 GB per fp32 tile
    plus its temporaries, forward and backward). CPU eager has nothing to recompile, so score only those."""
    import trl.trainer.utils as trl_utils

    if trl_utils._use_triton is _compact:
        return
    _TRL_USE_TRITON[:] = [trl_utils._use_triton]
    trl_utils._use_triton = _compact


_TRL_USE_TRITON: list = []  # TRL's own `_use_triton`, once `score_only_labelled_tokens` has wrapped it


def _compact(device) -> bool:
    return device.type == "cpu" or _TRL_USE_TRITON[0](device)


def lm_head_in_fp32(trainer) -> None:
    """Under CPU bf16 autocast TRL's fused head rounds the logits of each vocabulary tile to bf16 (and on CPU
    sums them in bf16 too); project the (few, labelled) positions in fp32 instead, as the fp32 loss does."""
    from trl.trainer.utils import add_fused_lm_head

    model = trainer.model
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    # wraps TRL's wrapper: the outer one now answers `fused_lm_head=True`, the rest passes through
    add_fused_lm_head(base, cast_lm_head_to_fp32=True, outputs=("log_probs", "entropy", "is_top1"))


@dataclass(frozen=True)
class SFT(Method):
    def finish_args(self, args) -> None:
        # We tokenize and fit examples ourselves (see data.py); TRL then masks everything but the SQL.
        args.completion_only_loss = True
        args.dataset_kwargs = {**(args.dataset_kwargs or {})}

    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        from text2sql.train.data import build_sft_dataset
        from text2sql.train.firefly import build_conversation_dataset, has_multi_turn

        d = cfg.data
        rows, eval_rows = firefly_rows(cfg, is_main)
        if has_multi_turn(rows):  # Firefly's conversations: loss on every turn
            train_ds, report = build_conversation_dataset(rows, tokenizer, d.max_seq_length)
            eval_ds = (
                build_conversation_dataset(eval_rows, tokenizer, d.max_seq_length)[0] if eval_rows else None
            )
        else:
            fit = (d.max_seq_length, d.max_prompt_length, d.truncation)
            train_ds, report = build_sft_dataset(rows, tokenizer, *fit)
            eval_ds = build_sft_dataset(eval_rows, tokenizer, *fit)[0] if eval_rows else None
        print_main(is_main, f"{d.train_file}: {report.line()}")
        return TrainData(rows, train_ds, eval_ds, report)

    def trainer(self, cfg, model, peft_config, tokenizer, data: TrainData, callbacks):
        from trl import SFTTrainer

        from text2sql.train.collate import RowPackedSFTTrainer, needs_row_packing

        args = cfg.args
        # TRL flattens a packed batch into one sequence: right for flash-attention varlen kernels only
        if os.environ.get("T2S_DENSE_LM_HEAD") != "1":  # 1: TRL's default, for benchmarks' before/after
            score_only_labelled_tokens()
        row_packed = args.packing and needs_row_packing(getattr(model.config, "_attn_implementation", None))
        trainer_class = RowPackedSFTTrainer if row_packed else SFTTrainer
        trainer = trainer_class(**trainer_kwargs(cfg, model, peft_config, tokenizer, data, callbacks))
        if args.bf16 and args.device.type == "cpu" and os.environ.get("T2S_BF16_LM_HEAD") != "1":
            lm_head_in_fp32(trainer)
        return trainer


METHOD = SFT("sft", "SFTConfig")
