"""`task_type: dpo`: TRL's `DPOTrainer` on `t2s build-dpo` preference pairs (or Firefly's DPO rows)."""

from __future__ import annotations

from dataclasses import dataclass

from text2sql.train.methods.base import Method, TrainData, firefly_rows, print_main, trainer_kwargs


@dataclass(frozen=True)
class DPO(Method):
    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        from text2sql.train.data import build_dpo_dataset

        d = cfg.data
        rows, eval_rows = firefly_rows(cfg, is_main)
        fit = (d.max_seq_length, d.max_prompt_length)
        train_ds, report = build_dpo_dataset(rows, tokenizer, *fit)
        eval_ds = build_dpo_dataset(eval_rows, tokenizer, *fit)[0] if eval_rows else None
        print_main(is_main, f"{d.train_file}: {report.line()}")
        return TrainData(rows, train_ds, eval_ds, report)

    def trainer(self, cfg, model, peft_config, tokenizer, data: TrainData, callbacks):
        from trl import DPOTrainer

        # ref_model=None: with a fresh (Q)LoRA adapter TRL scores the reference with the adapter disabled on
        # the same base (no second copy in memory); when continuing an SFT adapter it keeps a frozen copy of
        # that adapter ("ref") as the reference, i.e. the SFT policy; in full mode it copies the initial model.
        return DPOTrainer(
            ref_model=None, **trainer_kwargs(cfg, model, peft_config, tokenizer, data, callbacks)
        )


METHOD = DPO("dpo", "DPOConfig", takes_beta=True)
