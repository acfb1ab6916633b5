"""Run provenance: what every summary.json records so that a number can be traced and repeated.

The t2s version and git commit, the exact command line, the data folder, split, question count and
a checksum of the questions, the full prompt settings, the tokenizer that counted prompt tokens,
and the versions of the libraries that shaped the result.
"""

from __future__ import annotations

import hashlib
import json
import platform
import shlex
import subprocess
import sys
import time
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from text2sql.core.records import TrainSummary, write_run

LIBRARIES = (
    "torch",
    "transformers",
    "peft",
    "trl",
    "datasets",
    "accelerate",
    "bitsandbytes",
    "tokenizers",
    "sentence-transformers",
    "vllm",
    "sqlglot",
)


@lru_cache(maxsize=1)
def git_commit() -> str | None:
    """The commit of the t2s checkout (with `-dirty` when it has local changes), or None outside git."""
    root = Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=5
        )
        if head.returncode != 0:
            return None
        dirty = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=5,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return head.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def command_line(argv: list[str] | None = None) -> str:
    """The command as the user would retype it: `t2s ...` with shell quoting."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return ""
    head = Path(argv[0]).name
    if head in ("t2s", "__main__.py", "cli.py") or head.startswith("python"):
        head = "t2s"
    return shlex.join([head, *argv[1:]])


def library_versions(names=LIBRARIES) -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def questions_checksum(examples) -> str:
    """sha256 over (id, db_id, question, gold SQL) of every example, in order: the data's identity."""
    h = hashlib.sha256()
    for ex in examples:
        row = [str(ex.id), ex.db_id, ex.question, getattr(ex, "query", None)]
        h.update(json.dumps(row, ensure_ascii=False).encode("utf-8") + b"\n")
    return "sha256:" + h.hexdigest()


def provenance(
    *,
    data=None,
    split: str | None = None,
    examples=None,
    prompt_settings: dict | None = None,
    tokenizer: str | None = None,
    argv: list[str] | None = None,
) -> dict:
    """The provenance block of a summary.json (JSON-ready: nulls, never the string "None")."""
    from text2sql import __version__

    return {
        "t2s_version": __version__,
        "git_commit": git_commit(),
        "command": command_line(argv),
        "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "data": str(data) if data is not None else None,
        "split": split,
        "questions": len(examples) if examples is not None else None,
        "questions_sha256": questions_checksum(examples) if examples is not None else None,
        "prompt_settings": prompt_settings,
        "tokenizer": tokenizer,
        "versions": library_versions(),
    }


def prompt_identity(records: list[dict]) -> tuple[dict | None, str | None]:
    """(full prompt settings, tokenizer that counted n_tokens) of a set of prompt records."""
    if not records:
        return None, None
    settings = records[0].get("config")
    tokenizers = sorted({str(r["tokenizer"]) for r in records if r.get("tokenizer")})
    if not tokenizers and settings:
        tokenizers = [settings.get("tokenizer")] if settings.get("tokenizer") else []
    return settings, ", ".join(tokenizers) or None


def run_provenance(bench, split: str, examples, records: list[dict] | None = None) -> dict:
    """Provenance of an evaluation or generation run; prompt settings and tokenizer from its prompt records."""
    settings, tokenizer = prompt_identity(records or [])
    return provenance(
        data=bench.root, split=split, examples=examples, prompt_settings=settings, tokenizer=tokenizer
    )


def _file_checksum(path) -> str | None:
    try:
        h = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                h.update(block)
        return "sha256:" + h.hexdigest()
    except (OSError, TypeError):
        return None


def write_train_summary(output_dir, cfg, trainer, rows: list[dict]) -> Path:
    """`summary.json` of a training run: provenance (train file and its checksum, rows, prompt settings,
    tokenizer, versions, command) plus the final step and loss. Called once by `text2sql.train.trainer`."""
    rows = list(rows or [])  # the training rows read (none for pretraining's raw text)
    hashes = sorted({str(r["config_hash"]) for r in rows if r.get("config_hash")})
    settings = next((r["config"] for r in rows if isinstance(r.get("config"), dict)), None)
    tokenizer = getattr(getattr(trainer, "processing_class", None), "name_or_path", None)
    prov = provenance(
        data=cfg.data.train_file,
        split=None,
        prompt_settings=settings
        or ({"config_hash": hashes[0] if len(hashes) == 1 else hashes} if hashes else None),
        tokenizer=str(tokenizer) if tokenizer else None,
    )
    prov["questions"] = len(rows)
    prov["questions_sha256"] = _file_checksum(cfg.data.train_file)  # the training file's identity
    history = trainer.state.log_history
    losses = [h["loss"] for h in history if "loss" in h]
    summary: TrainSummary = {
        "task_type": cfg.data.task_type,
        "train_mode": cfg.model.train_mode,
        "model": cfg.model.model_name_or_path,
        "global_step": trainer.state.global_step,
        "final_loss": float(losses[-1]) if losses else None,
        "provenance": prov,
    }
    return write_run(output_dir, summary, default=str)
