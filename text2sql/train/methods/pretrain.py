"""`task_type: pretrain`: continued pre-training on raw text (blocks from text2sql/train/pretrain.py), loss on
every token, with the SFT trainer."""

from __future__ import annotations

from dataclasses import dataclass

from text2sql.train.methods.base import TrainData, print_main
from text2sql.train.methods.sft import SFT


@dataclass(frozen=True)
class Pretrain(SFT):
    def finish_args(self, args) -> None:  # blocks of max_seq_length tokens, loss on every token
        args.completion_only_loss, args.packing = False, False

    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        from text2sql.train.data import FitReport
        from text2sql.train.pretrain import build_pretrain_dataset, read_texts

        d = cfg.data
        train_ds, line = build_pretrain_dataset(
            read_texts(d.train_file), tokenizer, d.max_seq_length, cfg.args.dataset_num_proc
        )
        eval_ds = (
            build_pretrain_dataset(read_texts(d.eval_file), tokenizer, d.max_seq_length)[0]
            if d.eval_file
            else None
        )
        print_main(is_main, f"{d.train_file}: {line}")
        return TrainData([], train_ds, eval_ds, FitReport(d.max_seq_length, kept=len(train_ds)))


METHOD = Pretrain("pretrain", "SFTConfig", reads_folders=True)
