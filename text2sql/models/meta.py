"""`t2s_meta.json` beside a trained adapter/model: what it was trained on, so `t2s eval` can warn when the
prompts it builds differ from the training prompts."""

from __future__ import annotations

import json
from pathlib import Path

META_NAME = "t2s_meta.json"


def write_training_meta(model_dir: str | Path, **meta) -> Path:
    path = Path(model_dir) / META_NAME
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(meta, indent=2, sort_keys=True) + "\n")
    return path


def read_training_meta(model_dir: str | Path) -> dict:
    """The recorded meta (`prompt_config_hash`, `base_model`, `task_type`, ...), or {} when there is none."""
    path = Path(model_dir) / META_NAME
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, OSError):
        return {}


BASE_PRECISIONS = ("auto", "4bit", "16bit")


def base_precision_for(adapter: str | Path | None, requested: str = "auto") -> str:
    """How to load the base under `adapter`: `4bit` (nf4, as QLoRA trained it) or `16bit` (unquantised).

    `auto` follows the adapter's `t2s_meta.json`: a QLoRA adapter learned to correct the nf4 base, not the
    original weights, so it is evaluated and merged against the same nf4 base unless asked otherwise."""
    from text2sql.core.errors import T2SError

    if requested not in BASE_PRECISIONS:
        raise T2SError(f"base precision must be one of {', '.join(BASE_PRECISIONS)}, got {requested!r}")
    if requested != "auto":
        return requested
    if adapter and read_training_meta(adapter).get("train_mode") == "qlora":
        return "4bit"
    return "16bit"
