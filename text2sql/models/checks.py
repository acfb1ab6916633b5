"""Checks before loading a model, so a typo or a mismatched adapter fails at once with one line.

Both read only small files (config.json, adapter_config.json, safetensors headers): no torch, no
hub requests. `from_pretrained` would otherwise retry the hub for ~50 s on a mistyped local path,
or print dozens of "size mismatch" lines for an adapter trained on another base.
"""

from __future__ import annotations

import json
import struct
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


def check_adapter_matches(adapter: str | Path | None, model: str | Path | None) -> None:
    """Raise one line when a LoRA adapter's matrices do not fit the base model's layers.

    Compares each `lora_A` (r x in) and `lora_B` (out x r) with the shape of the weight it adapts
    in the model's safetensors. Hub models (not local folders) are left to the loader.
    """
    if not adapter or not model:
        return
    adapter, model_dir = Path(adapter), Path(model).expanduser()
    config_path = adapter / "adapter_config.json"
    if not config_path.is_file() or not model_dir.is_dir():
        return
    try:
        trained_on = json.loads(config_path.read_text()).get("base_model_name_or_path")
    except (OSError, json.JSONDecodeError):
        raise T2SError(f"{config_path} is not valid JSON") from None
    lora, base = _safetensors_shapes(adapter), _safetensors_shapes(model_dir)
    if not lora or not base:
        return
    for key, shape in sorted(lora.items()):
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
