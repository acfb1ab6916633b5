"""`train()`, the one orchestrator: one config -> its method (text2sql/train/methods/: sft, pretrain, dpo,
grpo/rloo, reward) builds tokenizer, data fitted to length, model (QLoRA/LoRA/full) and TRL trainer; then the
adapter/model, its tokenizer, `t2s_meta.json`, the resolved config and a loss-curve PNG in output_dir."""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.models.meta import read_training_meta, write_training_meta
from text2sql.train.config import TrainConfig, load_config, resolved_dict
from text2sql.train.data import shared_config_hash
from text2sql.train.methods import Run, get_method

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


def build_run(cfg: TrainConfig, callbacks=None) -> Run:
    """Ask the config's method for its data, model and TRL trainer; the run keeps the rows and fit report."""
    from text2sql.train.launch import init_deepspeed_comm
    from text2sql.train.model import adapters_in_fp32, load_train_tokenizer

    method = get_method(cfg.data.task_type)
    init_deepspeed_comm(cfg.args)  # before the model loads: ZeRO-3 partitions it while loading
    tok = load_train_tokenizer(cfg)
    data = method.datasets(cfg, tok, cfg.args.process_index == 0)
    model, peft_config = method.load_model(cfg, tok)
    trainer = method.trainer(cfg, model, peft_config, tok, data, callbacks)
    if cfg.model.train_mode in method.fp32_adapters:  # a bf16 base (CPU or GPU) keeps fp32 adapters
        adapters_in_fp32(trainer.model)
    return Run(cfg, method, trainer, rows=data.rows, report=data.report)


def build_trainer(cfg: TrainConfig, callbacks=None):
    """The TRL trainer for this config (exposed for benchmarks and tests)."""
    return build_run(cfg, callbacks).trainer


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
        run = build_run(cfg, callbacks)
    except BaseException:
        if is_main and not existed and out.is_dir():
            import shutil

            shutil.rmtree(out, ignore_errors=True)
        raise
    trainer = run.trainer
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
        report = run.report
        write_training_meta(
            out,
            prompt_config_hash=shared_config_hash(run.rows),
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
        # provenance: t2s version, commit, command, data, versions
        write_train_summary(out, cfg, trainer, run.rows)
        plot_loss(trainer.state.log_history, out)
    return out


def base_weights_dtype(model) -> str:
    """The dtype the base weights trained in (`float32`, `bfloat16`, ...; 4-bit layers report their compute dtype)."""
    import torch

    for name, p in model.named_parameters():
        if "lora_" not in name and p.dtype in (torch.float32, torch.bfloat16, torch.float16):
            return str(p.dtype).removeprefix("torch.")
    return "float32"
