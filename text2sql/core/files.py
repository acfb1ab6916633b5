"""Crash-safe files: atomic writes (a reader sees the old or the new file, never half of one) and a
single-writer lock for run folders."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from text2sql.core.errors import T2SError

LOCK_NAME = ".lock"


def atomic_write_bytes(path: str | Path, data: bytes) -> None:
    """Write to a temporary file in the same folder, fsync it, then rename it over `path`."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def atomic_write_text(path: str | Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


@contextlib.contextmanager
def run_lock(folder: str | Path, name: str = LOCK_NAME) -> Iterator[Path]:
    """Hold `<folder>/.lock` (flock) for the block: a second writer stops with one line naming the first.

    The kernel releases a flock when its holder dies, so a crashed run never leaves a stale lock;
    the file's text (pid and command of the holder) is only there to say who holds it.
    """
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(folder / name, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise T2SError(f"cannot lock run folder {folder}: {e.strerror or e}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 4096, 0).decode("utf-8", "replace")
            try:
                info = json.loads(holder)
                who = f"pid {info['pid']} ({info['command']})"
            except (ValueError, KeyError, TypeError):
                who = "another process"
            raise T2SError(
                f"run folder {folder} is in use by {who}; wait for it to finish or pass another --output-dir"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps({"pid": os.getpid(), "command": " ".join(sys.argv)[:500]}).encode(), 0)
        yield folder
    finally:
        os.close(fd)  # closing drops the flock


_held: dict[str, contextlib.AbstractContextManager] = {}  # lock file -> fd, held by this process until it exits


def hold_run_lock(folder: str | Path, name: str = LOCK_NAME) -> Path:
    """Take `<folder>/<name>` for the rest of this process (re-entrant): the run's writers and its
    final results all happen under it, and the kernel drops it when the process ends, even on a crash."""
    path = (Path(folder) / name).resolve()
    if str(path) in _held:
        return path
    manager = run_lock(folder, name)
    manager.__enter__()
    _held[str(path)] = manager
    return path


def release_run_lock(folder: str | Path, name: str = LOCK_NAME) -> None:
    manager = _held.pop(str((Path(folder) / name).resolve()), None)
    if manager is not None:
        manager.__exit__(None, None, None)
