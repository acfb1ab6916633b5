"""Checks before loading a model, so a typo or a mismatched adapter fails at once with one line.

Both read only small files (config.json, adapter_config.json, safetensors headers): no torch, no
hub requests. `from_pretrained` would otherwise retry the hub for ~50 s on a mistyped local path,
or print dozens of "size mismatch" lines for an adapter trained on another base.
"""

from __future__ import annotations

import json
import struct
import sys
from pathlib import Path

from text2sql.core.errors import T2SError


def looks_local(name: str) -> bool:
    """A path the user meant as a folder: ./x ../x /x ~/x, more than one slash, or `dir/x` with dir present."""
    if name.startswith(("/", "./", "../", "~", ".\\")) or "\\" in name or name.count("/") > 1:
        return True
    head, sep, _ = name.partition("/")
    return bool(sep) and Path(head).is_dir()  # runs/tiny-model when ./runs exists


def check_model_path(model: str | None, what: str = "--model") -> None:
    """A model path that looks local but does not exist: answered now, not after hub retries."""
    if model and looks_local(model) and not Path(model).expanduser().exists():
        parent = Path(model).expanduser().parent
        near = ""
        if parent.is_dir():
            import difflib

            names = [p.name for p in parent.iterdir() if p.is_dir()]
            match = difflib.get_close_matches(Path(model).name, names, n=1)
            near = f" (did you mean {parent / match[0]}?)" if match else ""
        raise T2SError(f"{what} {model}: no such folder{near}")


def _safetensors_shapes(folder: Path) -> dict[str, list[int]]:
    """Tensor name -> shape from the headers of a folder's safetensors files (sharded or not)."""
    shapes: dict[str, list[int]] = {}
    for path in sorted(folder.glob("*.safetensors")):
        try:
            with open(path, "rb") as f:
                (size,) = struct.unpack("<Q", f.read(8))
                header = json.loads(f.read(size))
        except (OSError, struct.error, json.JSONDecodeError, UnicodeDecodeError):
            continue
        shapes.update({k: v["shape"] for k, v in header.items() if k != "__metadata__"})
    return shapes


def _strip_prefix(name: str) -> str:
    for prefix in ("base_model.model.", "base_model."):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _adapter_config(config_path: Path) -> dict:
    """adapter_config.json, with the fields peft builds layers from checked (a rank of -4 is not one)."""
    try:
        config = json.loads(config_path.read_bytes().decode("utf-8", errors="replace"))
    except (OSError, json.JSONDecodeError):
        raise T2SError(f"{config_path} is not valid JSON") from None
    if not isinstance(config, dict):
        raise T2SError(f"{config_path} is not an adapter config (a JSON object)")
    r = config.get("r")
    if r is not None and (not isinstance(r, int) or isinstance(r, bool) or r < 1):
        raise T2SError(f"{config_path}: r is {r!r}, expected a positive integer (the LoRA rank)")
    alpha = config.get("lora_alpha")
    if alpha is not None and (isinstance(alpha, bool) or not isinstance(alpha, int | float) or alpha <= 0):
        raise T2SError(f"{config_path}: lora_alpha is {alpha!r}, expected a positive number")
    base = config.get("base_model_name_or_path")
    if base is not None and not isinstance(base, str):
        raise T2SError(f"{config_path}: base_model_name_or_path is {base!r}, expected a string")
    pattern = config.get("rank_pattern")
    if pattern is not None and not isinstance(pattern, dict):
        raise T2SError(f"{config_path}: rank_pattern is {pattern!r}, expected an object")
    return config


def _same_model(recorded: str, model: str) -> bool:
    """The recorded base and --model name one model: the same folder, or the same hub id / folder name."""
    a, b = Path(recorded).expanduser(), Path(model).expanduser()
    if a.exists() and b.exists():
        return a.resolve() == b.resolve()
    return a.name.lower() == b.name.lower()  # trained elsewhere: /home/x/SmolLM2 vs ./models/SmolLM2


def recorded_base(adapter: Path) -> str | None:
    """The base an adapter says it was trained on: t2s_meta.json's `base_model`, else peft's record."""
    from text2sql.models.meta import read_training_meta

    meta = read_training_meta(adapter)
    base = meta.get("base_model") if isinstance(meta, dict) else None
    if isinstance(base, str) and base:
        return base
    config_path = adapter / "adapter_config.json"
    if config_path.is_file():
        base = _adapter_config(config_path).get("base_model_name_or_path")
        return base or None
    return None


def check_adapter_matches(adapter: str | Path | None, model: str | Path | None) -> None:
    """Raise one line when a LoRA adapter's matrices do not fit the base model's layers or its own config.

    Compares each `lora_A` (r x in) and `lora_B` (out x r) with the shape of the weight it adapts in the
    model's safetensors, and its rank with adapter_config.json's `r` (peft builds the layers from the
    config, then fails on every one). Weights that fit a base other than the recorded one print one
    warning line (the same architecture, maybe another fine-tune). Hub models are left to the loader.
    """
    if not adapter or not model:
        return
    adapter, model_dir = Path(adapter), Path(model).expanduser()
    config_path = adapter / "adapter_config.json"
    if not config_path.is_file():
        return
    config = _adapter_config(config_path)
    trained_on = recorded_base(adapter)
    lora = _safetensors_shapes(adapter)
    ranks = {config["r"], *(config.get("rank_pattern") or {}).values()} if config.get("r") else set()
    for key, shape in sorted(lora.items()):
        if key.endswith(".lora_A.weight") and ranks and len(shape) == 2 and shape[0] not in ranks:
            raise T2SError(
                f"adapter {adapter}: adapter_config.json says r={config['r']} but its weights have rank "
                f"{shape[0]} ({key}): the config does not belong to these weights"
            )
    base = _safetensors_shapes(model_dir) if model_dir.is_dir() else {}
    for key, shape in sorted(lora.items()) if base else ():
        for part, axis in ((".lora_A.weight", 1), (".lora_B.weight", 0)):
            if not key.endswith(part):
                continue
            target = _strip_prefix(key[: -len(part)]) + ".weight"
            have = base.get(target) or base.get("model." + target)
            module = target.rsplit(".", 2)[-2]
            if have is None:
                reason = f"it adapts {target}, which the model does not have"
            elif len(have) != 2 or have[axis] != shape[axis]:
                side = "in" if axis else "out"
                reason = f"{module} is {have} in the model but the adapter expects {side}={shape[axis]}"
            else:
                continue
            raise T2SError(
                f"adapter {adapter} was trained on {trained_on or 'another base'} and does not fit {model}: "
                f"{reason}; pass the --model it was trained on"
            )
    if trained_on is None:
        print(f"warning: adapter {adapter} records no base model; using {model}", file=sys.stderr)
    elif not _same_model(trained_on, str(model)):
        print(
            f"warning: adapter {adapter} was trained on {trained_on}, not {model}: its weights fit, "
            "but the scores are for this adapter on another base",
            file=sys.stderr,
        )
