"""`train()`: one config -> tokenizer, model (QLoRA/LoRA/full), data fitted to length, TRL SFT or DPO, then
the adapter/model, its tokenizer, `t2s_meta.json`, the resolved config and a loss-curve PNG in output_dir."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.models.meta import read_training_meta, write_training_meta
from text2sql.train.config import RL_TASKS, TrainConfig, load_config, resolved_dict
from text2sql.train.data import build_dpo_dataset, build_sft_dataset, read_jsonl, shared_config_hash

log = logging.getLogger("t2s.train")


def last_checkpoint(output_dir: str | Path) -> str | None:
    from transformers.trainer_utils import get_last_checkpoint

    out = Path(output_dir)
    return get_last_checkpoint(str(out)) if out.is_dir() else None


def _length(resolved: dict) -> tuple:
    trainer = resolved.get("trainer", {})
    return trainer.get("max_steps"), trainer.get("num_train_epochs")


def finished_at(out: Path, checkpoint: str, cfg: TrainConfig) -> int | None:
    """The step a finished run in `out` ended at, when nothing is left to train: its final model was written
    after `checkpoint` and the config asks for the same length of training. None otherwise."""
    meta = read_training_meta(out)
    step = meta.get("global_step")
    if not isinstance(step, int) or step < int(Path(checkpoint).name.rsplit("-", 1)[-1]):
        return None
    try:
        previous = json.loads((out / "t2s_train_config.json").read_text())
    except (OSError, json.JSONDecodeError):
        return None
    return step if _length(previous) == _length(resolved_dict(cfg)) else None


def check_output_dir(out: Path, resume: bool, overwrite: bool, is_main: bool) -> str | None:
    """The checkpoint to resume from; a run never silently restarts at step 0 beside an earlier run's
    checkpoints: that needs --resume (continue) or --overwrite (delete them and start afresh)."""
    checkpoint = last_checkpoint(out)
    if resume and overwrite:
        raise T2SError("--resume continues the run in output_dir and --overwrite deletes it: choose one")
    if resume:
        if checkpoint is None:
            raise T2SError(f"--resume: no checkpoint-* folder in {out}; run without --resume to start afresh")
        return checkpoint
    if checkpoint is not None:
        if not overwrite:
            raise T2SError(
                f"{out} already holds {Path(checkpoint).name} from an earlier run: add --resume to continue it "
                "or --overwrite to delete that run and start afresh"
            )
        if is_main:
            import shutil

            shutil.rmtree(out)
    return None


def _datasets(cfg: TrainConfig, tok, is_main: bool):
    from text2sql.train.firefly import build_conversation_dataset, from_firefly_rows, has_multi_turn

    d = cfg.data
    if d.task_type == "pretrain":
        from text2sql.train.data import FitReport
        from text2sql.train.pretrain import build_pretrain_dataset, read_texts

        train_ds, line = build_pretrain_dataset(
            read_texts(d.train_file), tok, d.max_seq_length, cfg.args.dataset_num_proc
        )
        eval_ds = (
            build_pretrain_dataset(read_texts(d.eval_file), tok, d.max_seq_length)[0] if d.eval_file else None
        )
        if is_main:
            print(f"[t2s] {d.train_file}: {line}", flush=True)
        return [], train_ds, eval_ds, FitReport(d.max_seq_length, kept=len(train_ds))
    rows, converted = from_firefly_rows(read_jsonl(d.train_file), d.task_type)
    eval_rows = from_firefly_rows(read_jsonl(d.eval_file), d.task_type)[0] if d.eval_file else None
    if converted and is_main:
        print(f"[t2s] {d.train_file}: {converted}", flush=True)
    if d.task_type == "sft" and has_multi_turn(rows):  # Firefly's conversations: loss on every turn
        train_ds, report = build_conversation_dataset(rows, tok, d.max_seq_length)
        eval_ds = build_conversation_dataset(eval_rows, tok, d.max_seq_length)[0] if eval_rows else None
    elif d.task_type == "sft":
        train_ds, report = build_sft_dataset(rows, tok, d.max_seq_length, d.max_prompt_length, d.truncation)
        eval_ds = (
            build_sft_dataset(eval_rows, tok, d.max_seq_length, d.max_prompt_length, d.truncation)[0]
            if eval_rows
            else None
        )
    elif d.task_type in RL_TASKS:
        from text2sql.train.rl import build_rl_dataset

        train_ds, report = build_rl_dataset(rows, tok, d.max_prompt_length)
        eval_ds = build_rl_dataset(eval_rows, tok, d.max_prompt_length)[0] if eval_rows else None
    else:
        train_ds, report = build_dpo_dataset(rows, tok, d.max_seq_length, d.max_prompt_length)
        eval_ds = (
            build_dpo_dataset(eval_rows, tok, d.max_seq_length, d.max_prompt_length)[0] if eval_rows else None
        )
    if is_main:
        print(f"[t2s] {d.train_file}: {report.line()}", flush=True)
    return rows, train_ds, eval_ds, report


def score_only_labelled_tokens() -> None:
    """TRL's fused LM head projects only the positions with a label on CUDA, but every position elsewhere
    (to keep tile shapes fixed for compiled devices such as Neuron): on CPU that is ~10x the work and memory
    for SQL completions after a long schema prompt (8 x 370 tokens x 49k vocabulary: 0.4 GB per fp32 tile
    plus its temporaries, forward and backward). CPU eager has nothing to recompile, so score only those."""
    import trl.trainer.utils as trl_utils

    original = trl_utils._use_triton
    if getattr(original, "t2s_compact", False):
        return

    def compact(device) -> bool:
        return device.type == "cpu" or original(device)

    compact.t2s_compact = True
    trl_utils._use_triton = compact


def lm_head_in_fp32(trainer) -> None:
    """Under CPU bf16 autocast TRL's fused head rounds the logits of each vocabulary tile to bf16 (and on CPU
    sums them in bf16 too); project the (few, labelled) positions in fp32 instead, as the fp32 loss does."""
    from trl.trainer.utils import add_fused_lm_head

    model = trainer.model
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    # wraps TRL's wrapper: the outer one now answers `fused_lm_head=True`, the rest passes through
    add_fused_lm_head(base, cast_lm_head_to_fp32=True, outputs=("log_probs", "entropy", "is_top1"))


def build_trainer(cfg: TrainConfig, callbacks=None):
    """The TRL trainer for this config (exposed for benchmarks and tests), plus the data fit report."""
    from text2sql.train.model import adapters_in_fp32, load_model, load_train_tokenizer

    args = cfg.args
    if cfg.data.task_type == "reward":
        from text2sql.train.reward_model import build_reward_trainer

        return build_reward_trainer(cfg, callbacks)
    from text2sql.train.launch import init_deepspeed_comm

    init_deepspeed_comm(args)  # before the model loads: ZeRO-3 partitions it while loading
    tok = load_train_tokenizer(cfg)
    rows, train_ds, eval_ds, report = _datasets(cfg, tok, args.process_index == 0)
    model, peft_config = load_model(cfg.model, args)
    if cfg.data.task_type in ("sft", "pretrain"):
        from trl import SFTTrainer

        from text2sql.train.collate import RowPackedSFTTrainer, needs_row_packing

        # TRL flattens a packed batch into one sequence: right for flash-attention varlen kernels only
        if os.environ.get("T2S_DENSE_LM_HEAD") != "1":  # 1: TRL's default, for benchmarks' before/after
            score_only_labelled_tokens()
        row_packed = args.packing and needs_row_packing(getattr(model.config, "_attn_implementation", None))
        trainer = (RowPackedSFTTrainer if row_packed else SFTTrainer)(
            model=model,
            args=args,
            train_dataset=train_ds,
            eval_dataset=eval_ds,
            processing_class=tok,
            peft_config=peft_config,
            callbacks=callbacks,
        )
        if args.bf16 and args.device.type == "cpu" and os.environ.get("T2S_BF16_LM_HEAD") != "1":
            lm_head_in_fp32(trainer)
    elif cfg.data.task_type in RL_TASKS:
        from text2sql.train.rl import build_rl_trainer

        trainer = build_rl_trainer(cfg, model, peft_config, tok, train_ds, eval_ds, callbacks)
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
    if cfg.model.train_mode in ("qlora", "lora"):  # a bf16 base (CPU or GPU) keeps fp32 adapters
        adapters_in_fp32(trainer.model)
    trainer.t2s_rows, trainer.t2s_report = rows, report
    return trainer


def train(
    config,
    overrides=None,
    resume: bool = False,
    callbacks=None,
    overwrite: bool = False,
    verbose: bool = True,
) -> Path:
    """Run one training job; returns output_dir (adapter or full model, tokenizer, meta, loss curve).

    `resume` continues from the last checkpoint (a finished run trains nothing); `overwrite` deletes an earlier
    run holding checkpoints (the whole output_dir) first; `verbose=False` shows one progress line instead of transformers' log dicts."""
    from text2sql.train.launch import check_launch

    check_launch()
    cfg = load_config(config, overrides)
    args = cfg.args
    out = Path(args.output_dir)
    is_main = args.process_index == 0
    for note in cfg.notes if is_main else []:
        print(f"[t2s] {note}", flush=True)
    checkpoint = check_output_dir(out, resume, overwrite, is_main)
    if checkpoint and (done := finished_at(out, checkpoint, cfg)) is not None:
        if is_main:
            print(f"[t2s] {out} already finished at step {done}: nothing to train", flush=True)
        return out
    if "tensorboard" in (args.report_to or []):  # else transformers writes to ./runs/ in the working dir
        os.environ["TENSORBOARD_LOGGING_DIR"] = str(out / "tensorboard")
    existed = out.exists()
    try:  # the data and the model first: a run refused for its inputs leaves no output_dir behind
        trainer = build_trainer(cfg, callbacks)
    except BaseException:
        if is_main and not existed and out.is_dir():
            import shutil

            shutil.rmtree(out, ignore_errors=True)
        raise
    if is_main:
        out.mkdir(parents=True, exist_ok=True)
        (out / "t2s_train_config.json").write_text(
            json.dumps(resolved_dict(cfg), indent=2, default=str) + "\n"
        )
    if not verbose:
        from text2sql.train.progress import use_progress_line

        use_progress_line(trainer)
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
        from text2sql.core.provenance import write_train_summary
        from text2sql.train.plot import plot_loss

        trainer.processing_class.save_pretrained(out)
        report = trainer.t2s_report
        write_training_meta(
            out,
            prompt_config_hash=shared_config_hash(trainer.t2s_rows),
            base_model=cfg.model.model_name_or_path,
            adapter_of=cfg.model.adapter_name_or_path,
            train_mode=cfg.model.train_mode,
            weights_dtype=base_weights_dtype(trainer.model),  # what `t2s merge` writes by default
            task_type=cfg.data.task_type,
            train_file=str(cfg.data.train_file),
            examples_kept=report.kept,
            examples_dropped=report.dropped,
            examples_trimmed=report.trimmed,
            dropped_over_max_seq_length=report.too_long,
            dropped_over_max_prompt_length=report.prompt_too_long,
            max_seq_length=cfg.data.max_seq_length,
            global_step=trainer.state.global_step,
            world_size=args.world_size,
        )
        (out / "t2s_train_log.json").write_text(json.dumps(trainer.state.log_history, indent=1) + "\n")
        write_train_summary(out, cfg, trainer)  # provenance: t2s version, commit, command, data, versions
        plot_loss(trainer.state.log_history, out)
    return out


def base_weights_dtype(model) -> str:
    """The dtype the base weights trained in (`float32`, `bfloat16`, ...; 4-bit layers report their compute dtype)."""
    import torch

    for name, p in model.named_parameters():
        if "lora_" not in name and p.dtype in (torch.float32, torch.bfloat16, torch.float16):
            return str(p.dtype).removeprefix("torch.")
    return "float32"
