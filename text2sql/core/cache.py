"""Where t2s keeps what it can recompute or refetch: `$T2S_CACHE_DIR`, else `~/.cache/t2s`."""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    """Read at each call, so a test (or a user) can point one run at another cache."""
    root = os.environ.get("T2S_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "t2s"
