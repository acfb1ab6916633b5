"""`train()`: one config -> tokenizer, model (QLoRA/LoRA/full), data fitted to length, TRL SFT or DPO, then
the adapter/model, its tokenizer, `t2s_meta.json`, the resolved config and a loss-curve PNG in output_dir."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from text2sql.errors import T2SError
from text2sql.train.config import TrainConfig, load_config, resolved_dict
from text2sql.train.data import build_dpo_dataset, build_sft_dataset, read_jsonl, shared_config_hash
from text2sql.train.meta import write_training_meta

log = logging.getLogger("t2s.train")


def last_checkpoint(output_dir: str | Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    out = Path(output_dir)
    return get_last_checkpoint(str(out)) if out.is_dir() else None


def _load_tokenizer(cfg: TrainConfig):
    from text2sql.tokenizer import load_tokenizer

    tok = load_tokenizer(cfg.model.tokenizer_name_or_path or cfg.model.model_name_or_path)
    if not tok.chat_template:
        raise T2SError(
            "the tokenizer has no chat template; give tokenizer_name_or_path one that has (e.g. Qwen2.5)"
        )
    return tok


def _datasets(cfg: TrainConfig, tok, is_main: bool):
    d = cfg.data
    rows = read_jsonl(d.train_file)
    eval_rows = read_jsonl(d.eval_file) if d.eval_file else None
    if d.task_type == "sft":
        train_ds, report = build_sft_dataset(rows, tok, d.max_seq_length, d.max_prompt_length, d.truncation)
        eval_ds = (
            build_sft_dataset(eval_rows, tok, d.max_seq_length, d.max_prompt_length, d.truncation)[0]
            if eval_rows
            else None
        )
    else:
        train_ds, report = build_dpo_dataset(rows, tok, d.max_seq_length, d.max_prompt_length)
        eval_ds = (
            build_dpo_dataset(eval_rows, tok, d.max_seq_length, d.max_prompt_length)[0] if eval_rows else None
        )
    if is_main:
        print(f"[t2s] {d.train_file}: {report.line()}", flush=True)
    return rows, train_ds, eval_ds, report


def build_trainer(cfg: TrainConfig, callbacks=None):
    """The TRL trainer for this config (exposed for benchmarks and tests), plus the data fit report."""
    from text2sql.train.model import load_model

    args = cfg.args
    if cfg.data.task_type == "reward":
        from text2sql.train.reward_model import build_reward_trainer

        return build_reward_trainer(cfg, callbacks)
    tok = _load_tokenizer(cfg)
    rows, train_ds, eval_ds, report = _datasets(cfg, tok, args.process_index == 0)
    model, peft_config = load_model(cfg.model, args)
    if cfg.data.task_type == "sft":
        from trl import SFTTrainer

        from text2sql.train.collate import RowPackedCollator, needs_row_packing

        trainer = SFTTrainer(
            model=model,
            args=args,
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            processing_class=tok,
            peft_config=peft_config,
            callbacks=callbacks,
        )
        if args.packing and needs_row_packing(getattr(trainer.model.config, "_attn_implementation", None)):
            # TRL refuses a custom collator with packing, and its own flattens the batch into one sequence
            trainer.data_collator = RowPackedCollator(tok.pad_token_id, pad_to_multiple_of=args.pad_to_multiple_of)
    else:
        from trl import DPOTrainer

        # ref_model=None: with a fresh (Q)LoRA adapter TRL scores the reference with the adapter disabled on
        # the same base (no second copy in memory); when continuing an SFT adapter it keeps a frozen copy of
        # that adapter ("ref") as the reference, i.e. the SFT policy; in full mode it copies the initial model.
        trainer = DPOTrainer(
            model=model,
            ref_model=None,
            args=args,
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            processing_class=tok,
            peft_config=peft_config,
            callbacks=callbacks,
        )
    trainer.t2s_rows, trainer.t2s_report = rows, report
    return trainer


def train(config, overrides=None, resume: bool = False, callbacks=None) -> Path:
    """Run one training job; returns output_dir (adapter or full model, tokenizer, meta, loss curve)."""
    cfg = load_config(config, overrides)
    args = cfg.args
    out = Path(args.output_dir)
    checkpoint = None
    if resume:
        checkpoint = last_checkpoint(out)
        if checkpoint is None:
            raise T2SError(f"--resume: no checkpoint-* folder in {out}; run without --resume to start afresh")
    is_main = args.process_index == 0
    if is_main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "t2s_train_config.json").write_text(
            json.dumps(resolved_dict(cfg), indent=2, default=str) + "\n"
        )
    if "tensorboard" in (args.report_to or []):  # else transformers writes to ./runs/ in the working dir
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(out / "tensorboard")
    trainer = build_trainer(cfg, callbacks)
    print(
        f"[t2s] rank {args.process_index} of {args.world_size}: {cfg.data.task_type} {cfg.model.train_mode}",
        flush=True,
    )
    trainer.train(resume_from_checkpoint=checkpoint)
    trainer.save_model(str(out))  # the adapter only, for (Q)LoRA
    if trainer.is_world_process_zero() and (out / "ref" / "adapter_config.json").is_file():
        import shutil

        shutil.rmtree(out / "ref")  # DPO's frozen copy of the starting adapter: not part of the result
    if trainer.is_world_process_zero():
        from text2sql.train.plot import plot_loss

        trainer.processing_class.save_pretrained(out)
        report = trainer.t2s_report
        write_training_meta(
            out,
            prompt_config_hash=shared_config_hash(trainer.t2s_rows),
            base_model=cfg.model.model_name_or_path,
            adapter_of=cfg.model.adapter_name_or_path,
            train_mode=cfg.model.train_mode,
            task_type=cfg.data.task_type,
            train_file=str(cfg.data.train_file),
            examples_kept=report.kept,
            examples_dropped=report.dropped,
            prompts_left_cut=report.left_cut,
            max_seq_length=cfg.data.max_seq_length,
            global_step=trainer.state.global_step,
            world_size=args.world_size,
        )
        (out / "t2s_train_log.json").write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")
        plot_loss(trainer.state.log_history, out)
    return out
