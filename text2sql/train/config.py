"""One JSON file of arguments per run (Firefly's convention), parsed into dataclasses.

Firefly's keys map onto our `ModelArguments`/`DataArguments` and TRL's `SFTConfig`/`DPOConfig`; the few
Firefly names TRL spells differently are renamed here (`max_seq_length` -> `max_length`).
"""

from __future__ import annotations

import difflib
import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from text2sql.core.errors import T2SError
from text2sql.train.arguments import DataArguments, ModelArguments
from text2sql.train.methods import METHODS, Method, get_method

CONFIG_NAME = "t2s_train_config.json"


RENAMED = {"max_seq_length": "max_length"}  # Firefly key -> TRL field, when both sides need it
MODES = ("qlora", "lora", "full")
TASKS = tuple(METHODS)  # one module each in text2sql/train/methods/
TRUNCATIONS = ("drop",)


@dataclass
class TrainConfig:
    model: ModelArguments
    data: DataArguments
    args: Any  # trl.SFTConfig | trl.DPOConfig | trl.GRPOConfig | trl.RLOOConfig
    raw: dict
    reward: Any = None  # the method's extra keys, parsed: text2sql.train.rl.RewardArguments for grpo / rloo
    notes: list[str] = field(default_factory=list)  # how Firefly keys were read, printed once by rank 0

    def save(self, output_dir: str | Path) -> Path:
        path = Path(output_dir) / CONFIG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.raw, indent=2, sort_keys=True) + "\n")
        return path


def _own_classes(method: Method) -> tuple:
    """Our argument dataclasses for a method (plus its extra keys, e.g. grpo/rloo's rewards)."""
    return (ModelArguments, DataArguments, *((method.extra_keys,) if method.extra_keys else ()))


def valid_keys(task_type: str) -> list[str]:
    method = get_method(task_type)
    names = {f.name for cls in _own_classes(method) for f in fields(cls)}
    names |= {f.name for f in fields(method.config_class()) if f.init and not f.name.startswith("_")}
    return sorted(names - set(RENAMED.values()))


def parse_value(text: str) -> Any:
    """`--set key=value` values: JSON when they parse (numbers, true, null, lists), else a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def apply_overrides(raw: dict, overrides: list[str] | dict | None) -> dict:
    raw = dict(raw)
    if isinstance(overrides, dict):
        raw.update(overrides)
        return raw
    for item in overrides or []:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise T2SError(f"--set expects key=value, got {item!r}")
        raw[key.strip()] = parse_value(value.strip())
    return raw


def read_raw(config: str | Path | dict) -> dict:
    if isinstance(config, dict):
        return dict(config)
    path = Path(config)
    if not path.is_file():
        near = [p.name for p in path.parent.glob("*.json")] if path.parent.is_dir() else []
        close = difflib.get_close_matches(path.name, near, n=1)
        hint = f" (did you mean {path.parent / close[0]}?)" if close else ""
        raise T2SError(f"training config {path} does not exist{hint}")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as e:
        raise T2SError(f"{path} is not valid JSON: {e}") from None
    if not isinstance(raw, dict):
        raise T2SError(f"{path} must hold one JSON object of arguments")
    return raw


def _quoted(names) -> str:
    """'a', 'b' or 'c'."""
    names = [repr(n) for n in names]
    return " or ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)


def _checked_raw(config, overrides, keys_for) -> tuple[dict, dict, list[str], Method]:
    """The checks that need no model library: file, JSON, --set, required keys, task, modes, key names.

    `keys_for(task)` gives the valid key names, or None to leave the names to the full check."""
    from text2sql.train.firefly import adapt_firefly_keys

    given = apply_overrides(read_raw(config), overrides)
    raw, notes = adapt_firefly_keys(given)
    for key in ("model_name_or_path", "train_file", "output_dir"):
        if not raw.get(key):
            raise T2SError(f"training config needs {key!r}")
    method = get_method(raw.setdefault("task_type", "sft"))
    task = method.name
    if raw.get("truncation") == "left":
        raise T2SError(
            "truncation 'left' is gone: it cut prompts through the system message and chat header; too-long "
            "rows are dropped and counted (truncation: drop), and `t2s build-sft --max-tokens N` trims schemas"
        )
    for key, allowed in (("train_mode", MODES), ("truncation", TRUNCATIONS)):
        if key in raw and raw[key] not in allowed:
            raise T2SError(f"{key} must be one of {', '.join(allowed)}, got {raw[key]!r}")
    keys = keys_for(task)
    for key in raw:
        if key == "beta" and not method.takes_beta:
            takes = _quoted(m.name for m in METHODS.values() if m.takes_beta)
            raise T2SError(
                f"config key 'beta' only applies to task_type {takes}; remove it or change task_type"
            )
        if keys is not None and key not in keys:
            # only a near spelling: a loose match sent `template_name` to `label_names`
            close = difflib.get_close_matches(key, keys, n=1, cutoff=0.8)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise T2SError(f"unknown training config key {key!r} for task_type {task!r}{hint}")
    return given, raw, notes, method


KEYS_SNAPSHOT = Path(__file__).with_name("config_keys.json")


def _library_versions() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return {name: version(name) for name in ("trl", "transformers")}
    except PackageNotFoundError:
        return {}


def snapshot_keys(task: str) -> list[str] | None:
    """The valid keys recorded for the installed trl/transformers (None when they differ: the full check decides).

    Reading them from trl's dataclasses imports torch, transformers and trl (a minute on a loaded machine);
    the snapshot lets a typo'd key be refused in a second."""
    try:
        snap = json.loads(KEYS_SNAPSHOT.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return None
    if snap.get("versions") != _library_versions() or task not in snap.get("tasks", {}):
        return None
    return sorted(set(snap["common"]) | set(snap["tasks"][task]))


def write_keys_snapshot(path: Path = KEYS_SNAPSHOT) -> Path:
    """Record `valid_keys` of every task for the installed libraries (rerun after upgrading trl or transformers)."""
    per_task = {task: set(valid_keys(task)) for task in TASKS}
    common = set.intersection(*per_task.values())
    snap = {
        "versions": _library_versions(),
        "common": sorted(common),
        "tasks": {task: sorted(keys - common) for task, keys in per_task.items()},
    }
    path.write_text(json.dumps(snap, indent=1) + "\n", encoding="utf-8")
    return path


def precheck_config(config: str | Path | dict, overrides: list[str] | dict | None = None) -> None:
    """Refuse a missing file, bad JSON or --set, or an unknown key before torch/transformers/trl are imported."""
    _checked_raw(config, overrides, snapshot_keys)


def load_config(config: str | Path | dict, overrides: list[str] | dict | None = None) -> TrainConfig:
    """Validate keys (unknown -> one line naming the closest valid key), then parse with HfArgumentParser."""
    from transformers import HfArgumentParser

    from text2sql.train.launch import check_deepspeed, distributed_defaults

    given, raw, notes, method = _checked_raw(config, overrides, valid_keys)
    config_class = method.config_class()
    _check_types({k: v for k, v in raw.items() if k != "bf16"}, (*_own_classes(method), config_class))
    _check_ranges(raw)
    _check_paths(raw, method)
    parser = HfArgumentParser((ModelArguments, DataArguments, config_class))
    ours = {f.name for cls in (ModelArguments, DataArguments) for f in fields(cls)}
    extra_keys = {f.name for f in fields(method.extra_keys)} if method.extra_keys else set()
    trl_raw = {k: v for k, v in raw.items() if k not in ours | extra_keys}
    data_raw = {k: v for k, v in raw.items() if k in ours}
    trainer_fields = {f.name: f for f in fields(config_class)}
    if "max_length" in trainer_fields:  # GRPO/RLOO bound prompt and completion separately
        trl_raw["max_length"] = raw.get("max_seq_length", 2048)
    trl_raw.setdefault("report_to", "none")
    trl_raw["bf16"], precision_note = resolve_bf16(raw)
    notes.append(precision_note)
    import torch

    if not torch.cuda.is_available():
        trl_raw.setdefault("dataloader_pin_memory", False)
    trl_raw.update(distributed_defaults(raw))
    check_deepspeed(raw)
    if "activation_checkpointing" in trainer_fields:
        # transformers 5 renamed the Firefly key; set both names so TRL's default (True) does not warn.
        default = trainer_fields["gradient_checkpointing"].default
        value = trl_raw.pop("gradient_checkpointing", trl_raw.get("activation_checkpointing", default))
        trl_raw["activation_checkpointing"] = trl_raw["gradient_checkpointing"] = bool(value)
    trl_raw.setdefault("save_strategy", "steps")
    try:
        model_args, data_args, args = parser.parse_dict({**data_raw, **trl_raw})
    except (ValueError, TypeError) as e:
        raise T2SError(f"bad training config: {str(e).strip().splitlines()[0]}") from None
    method.finish_args(args)
    reward = method.extra_arguments({k: v for k, v in raw.items() if k in extra_keys}, args)
    return TrainConfig(model=model_args, data=data_args, args=args, raw=given, notes=notes, reward=reward)


def resolve_bf16(raw: dict) -> tuple[bool, str]:
    """The `bf16` key: true | false | "auto" (the default when absent): bf16 where the hardware computes it
    natively (CUDA with bf16, a CPU with AMX/AVX512-BF16), unless `fp16: true` asks for fp16. The note says
    what was chosen and why, printed once by rank 0."""
    from text2sql.core.hardware import bf16_support, default_device

    value = raw.get("bf16", "auto")
    if isinstance(value, str) and value.lower() == "auto":
        if raw.get("fp16"):
            return False, "precision: fp16 (fp16: true)"
        device = default_device()
        if device == "cpu" and raw.get("train_mode", "qlora") == "qlora":
            return False, "precision: fp32 (4-bit CPU kernels compute in fp32; bf16: auto)"
        ok, why = bf16_support(device)
        return (
            ok,
            f"precision: {'bf16' if ok else 'fp32'} ({why}; bf16: auto, override with --set bf16=false)",
        )
    if not isinstance(value, bool):
        raise T2SError(f'bad training config: bf16 must be true, false or "auto", got {value!r}')
    if value and raw.get("fp16"):
        raise T2SError("bf16 and fp16 are both true: choose one")
    return (
        value,
        f"precision: {'bf16' if value else 'fp16' if raw.get('fp16') else 'fp32'} (bf16: {str(value).lower()})",
    )


def _check_types(raw: dict, classes) -> None:
    """Dataclasses do not check types; catch `"num_train_epochs": "many"` before it fails mid-run."""
    import typing

    hints: dict = {}
    for cls in classes:
        try:
            hints.update(typing.get_type_hints(cls))
        except Exception:  # an unresolvable annotation somewhere: skip type checks for that class
            continue
    for key, value in raw.items():
        hint = hints.get(RENAMED.get(key, key))
        if hint is None or value is None:
            continue
        if typing.get_origin(hint) is list:  # DPOConfig.loss_type: list[str], or one str that TRL wraps
            (item,) = typing.get_args(hint) or (object,)
            if isinstance(value, list) and all(isinstance(v, item) for v in value):
                continue
            hint = item
        options = typing.get_args(hint) or (hint,)
        # `dict[str, Any] | str` (fsdp_config): the dict alias counts as dict
        allowed = {o for a in options for o in (a, typing.get_origin(a)) if isinstance(o, type)}
        if not allowed & {int, float, bool, str} or type(value) in allowed:
            continue
        if (
            (int in allowed or float in allowed)
            and isinstance(value, int | float)
            and not isinstance(value, bool)
        ):
            if float in allowed or float(value).is_integer():
                continue
        if str in allowed and not isinstance(value, dict | list):
            continue
        names = "/".join(sorted(a.__name__ for a in allowed if a in (int, float, bool, str)))
        raise T2SError(f"bad training config: {key} must be {names}, got {value!r}")


# Numbers that type-check but cannot train: each key -> (test, what it must be).
_AT_LEAST_1 = (lambda v: v >= 1, "at least 1")
RANGES = {
    **dict.fromkeys(
        (
            "lora_rank",
            "per_device_train_batch_size",
            "per_device_eval_batch_size",
            "gradient_accumulation_steps",
            "max_seq_length",
            "max_prompt_length",
            "max_completion_length",
            "num_generations",
            "logging_steps",
            "save_steps",
            "eval_steps",
        ),
        _AT_LEAST_1,
    ),  # fmt: skip
    "lora_alpha": (lambda v: v > 0, "positive"),
    "lora_dropout": (lambda v: 0 <= v < 1, "in [0, 1)"),
    "learning_rate": (lambda v: v > 0, "positive"),
    "num_train_epochs": (lambda v: v > 0, "positive"),
    "max_steps": (lambda v: v == -1 or v >= 1, "-1 (use num_train_epochs) or at least 1"),
    "warmup_ratio": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "weight_decay": (lambda v: v >= 0, "0 or more"),
    "max_grad_norm": (lambda v: v >= 0, "0 or more"),
    "beta": (lambda v: v >= 0, "0 or more"),
}


def _check_ranges(raw: dict) -> None:
    """`lora_rank: -4` or a batch size of 0 is refused here, not as a traceback from peft or torch."""
    for key, (ok, what) in RANGES.items():
        value = raw.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool) and not ok(value):
            raise T2SError(f"bad training config: {key} must be {what}, got {value!r}")


def _check_paths(raw: dict, method: Method) -> None:
    """The data must be files (pretrain reads a folder of text) and output_dir a folder (or creatable as one) before anything is loaded."""
    for key in ("train_file", "eval_file"):
        value = raw.get(key)
        if not method.reads_folders and isinstance(value, str) and Path(value).is_dir():
            raise T2SError(f"{key} {value} is a folder: give the JSONL file inside it")
    out = Path(str(raw["output_dir"]))
    for p in (out, *out.parents):
        if p.exists():
            if not p.is_dir():
                where = "is a file" if p == out else f"is under {p}, which is a file"
                raise T2SError(f"output_dir {out} {where}: give a folder")
            break


def resolved_dict(cfg: TrainConfig) -> dict:
    """Every argument with its final value (what `output_dir/t2s_train_config.json` records)."""
    out = {**asdict(cfg.model), **asdict(cfg.data), **(asdict(cfg.reward) if cfg.reward else {})}
    out["trainer"] = {
        k: v for k, v in cfg.args.to_dict().items() if isinstance(v, str | int | float | bool | None)
    }
    out["from_file"] = cfg.raw
    return out
