"""Progress for long steps (generation, embedding, prompt building, execution) on stderr.

On a terminal: a rich bar with count, rate and ETA. Otherwise (CI logs, `| tee`, pytest): one plain
line every `every` seconds and one at the end, so a log shows the run is alive without flooding it.

    with progress("generate", total=len(todo), unit="rows") as bar:
        for batch in batches:
            ...
            bar.advance(len(batch))
"""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO


def is_verbose() -> bool:
    """`t2s -v`: show library warnings, loading bars and raw training logs (set by the CLI's root option)."""
    return os.environ.get("T2S_VERBOSE") == "1"


LIBRARY_LOGGERS = ("transformers", "trl", "peft", "accelerate", "bitsandbytes", "datasets", "huggingface_hub")


def quiet_libraries() -> None:
    """Quiet by default (`t2s -v` shows it all): library warnings, weight-loading and map bars, info logs.

    The environment variables reach libraries imported later (inside command bodies) and worker processes;
    libraries already imported are told directly. One policy for every command, `t2s train` included.
    """
    import logging
    import warnings

    os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")  # "Building labels for train dataset"
    os.environ.setdefault("TQDM_DISABLE", "1")  # plain tqdm bars, e.g. "de-quantizing GGUF tensors"
    warnings.filterwarnings("ignore")
    for name in LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    if "transformers" in sys.modules:
        import transformers

        transformers.logging.set_verbosity_error()
        transformers.logging.disable_progress_bar()
    if "datasets" in sys.modules:
        import datasets

        datasets.disable_progress_bars()


def duration(seconds: float) -> str:
    """`42s`, `3m05s`, `1h02m`: every ETA and elapsed time t2s prints (generation, training)."""
    seconds = max(seconds, 0)
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


_LIVE = None  # the rich progress display in use, shared by nested steps


def _rich_progress(stream):
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TaskProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as RichProgress

    return RichProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(file=stream),
        transient=False,
    )


class Progress:
    """Counts work done out of `total`; renders as a bar on a TTY, as periodic lines otherwise."""

    def __init__(
        self,
        label: str,
        total: int,
        *,
        unit: str = "rows",
        stream: TextIO | None = None,
        every: float | None = None,
        tty: bool | None = None,
        done: int = 0,
        enabled: bool = True,
    ):
        self.label, self.total, self.unit = label, max(0, int(total)), unit
        self.stream = stream or sys.stderr
        self.every = float(os.environ.get("T2S_PROGRESS_EVERY", 10.0)) if every is None else every
        self.tty = (hasattr(self.stream, "isatty") and self.stream.isatty()) if tty is None else tty
        self.enabled = enabled
        self.count = 0
        self.offset = done  # already done before this run (resumed): counted in n, not in the rate
        self.start = time.monotonic()
        self._last = self.start
        self._printed_n = -1
        self._bar = None
        self._task = None
        self._closed = False
        self._owner = False
        if self.tty and self.total and enabled:
            global _LIVE
            if _LIVE is None:  # rich allows one live display: nested steps add a row to it
                _LIVE = _rich_progress(self.stream)
                _LIVE.start()
                self._owner = True
            self._bar = _LIVE
            self._task = _LIVE.add_task(label, total=self.total, completed=done, rate="")

    # -- numbers ---------------------------------------------------------------------------------

    @property
    def n(self) -> int:
        return self.offset + self.count

    def rate(self) -> float:
        elapsed = time.monotonic() - self.start
        return self.count / elapsed if elapsed > 0 else 0.0

    def eta(self) -> float | None:
        r = self.rate()
        return (self.total - self.n) / r if r > 0 else None

    def line(self) -> str:
        """`generate: 120/1034 rows (11.6%), 3.2 rows/s, ETA 4m45s`."""
        pct = f" ({100 * self.n / self.total:.1f}%)" if self.total else ""
        parts = [f"{self.label}: {self.n}/{self.total} {self.unit}{pct}"]
        if self.count:
            parts.append(f"{self.rate():.1f} {self.unit}/s")
            eta = self.eta()
            if eta is not None and self.n < self.total:
                parts.append(f"ETA {duration(eta)}")
        parts.append(f"elapsed {duration(time.monotonic() - self.start)}")
        return ", ".join(parts)

    # -- updates ---------------------------------------------------------------------------------

    def advance(self, k: int = 1) -> None:
        self.count += k
        if self._bar is not None:
            self._bar.update(self._task, advance=k, rate=f"{self.rate():.1f} {self.unit}/s")
            return
        now = time.monotonic()
        if self.enabled and now - self._last >= self.every and self.n < self.total:
            self._last = now
            self._print(self.line())

    def _print(self, text: str) -> None:
        self._printed_n = self.n
        print(text, file=self.stream, flush=True)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._bar is not None:
            if self._owner:
                global _LIVE
                self._bar.stop()
                _LIVE = None
        elif self.enabled and self.total and self.count and self._printed_n != self.n:
            self._print(self.line())

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def progress(label: str, total: int, **kwargs) -> Progress:
    return Progress(label, total, **kwargs)
