"""What a training method declares (TRL's shape: one config class and one trainer per method), and the
explicit state `train()` carries from building a trainer to saving its result.

Import-light: `t2s train` checks a config against these declarations before torch, transformers or trl load;
TRL's classes are named here and imported only when a run is built.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TrainData:
    """A method's datasets: the rows read (for provenance), TRL's train/eval datasets, and the fit report."""

    rows: list[dict]
    train: Any
    eval: Any
    report: Any  # text2sql.train.data.FitReport


@dataclass
class Run:
    """One built run: what `train()` needs after `trainer.train()`, kept here rather than pinned on TRL's trainer."""

    cfg: Any  # text2sql.train.config.TrainConfig
    method: Method
    trainer: Any
    rows: list[dict] = field(default_factory=list)
    report: Any = None  # text2sql.train.data.FitReport


@dataclass(frozen=True)
class Method:
    """One `task_type`: its TRL config class, the t2s keys it adds, its dataset and its trainer."""

    name: str
    trl_config: str  # the class in `trl`, by name: imported by `config_class()` only
    extra_keys: Any = None  # a dataclass of keys beyond Model/DataArguments (grpo/rloo: the rewards)
    takes_beta: bool = False  # `beta` is a DPO/RL key; elsewhere it is refused with a pointer to task_type
    reads_folders: bool = False  # train_file/eval_file may be a folder (pretrain's text corpus)
    fp32_adapters: tuple[str, ...] = ("qlora", "lora")  # train modes whose adapters are kept in fp32

    def config_class(self):
        import trl

        return getattr(trl, self.trl_config)

    def finish_args(self, args) -> None:
        """Settings the method fixes on its parsed TRL config (nothing by default)."""

    def extra_arguments(self, raw: dict, args):
        """The parsed `extra_keys` of a config (None for a method that declares none)."""
        return None

    def datasets(self, cfg, tokenizer, is_main: bool) -> TrainData:
        raise NotImplementedError(self.name)

    def load_model(self, cfg, tokenizer):
        """The model to train and its PEFT config (None in full mode)."""
        from text2sql.train.model import load_model

        return load_model(cfg.model, cfg.args)

    def trainer(self, cfg, model, peft_config, tokenizer, data: TrainData, callbacks):
        raise NotImplementedError(self.name)


def trainer_kwargs(cfg, model, peft_config, tokenizer, data: TrainData, callbacks) -> dict:
    """The arguments every TRL trainer takes, passed the same way by every method."""
    return dict(
        model=model,
        args=cfg.args,
        train_dataset=data.train,
        eval_dataset=data.eval,
        processing_class=tokenizer,
        peft_config=peft_config,
        callbacks=callbacks,
    )


def print_main(is_main: bool, line: str) -> None:
    if is_main:
        print(f"[t2s] {line}", flush=True)


def firefly_rows(cfg, is_main: bool) -> tuple[list[dict], list[dict] | None]:
    """Train and eval rows, with Firefly's formats converted to t2s rows (sft, dpo); the conversion is printed."""
    from text2sql.train.data import read_jsonl
    from text2sql.train.firefly import from_firefly_rows

    d = cfg.data
    rows, converted = from_firefly_rows(read_jsonl(d.train_file), d.task_type)
    eval_rows = from_firefly_rows(read_jsonl(d.eval_file), d.task_type)[0] if d.eval_file else None
    if converted:
        print_main(is_main, f"{d.train_file}: {converted}")
    return rows, eval_rows
