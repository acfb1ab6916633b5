"""Load a tokenizer: the small one bundled with t2s (works offline on a fresh clone) or any HF tokenizer."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.model_source import is_gguf, pretrained_source

# How records and summaries name the fallback: its counts run about 2x a real model tokenizer's.
BUNDLED_TOKENIZER_NAME = "t2s-bundled-sample-bpe (fallback; counts ~2x Qwen2.5, pass --tokenizer)"


def tokenizer_label(name_or_path: str | Path | None) -> str:
    """The name recorded beside `n_tokens`: the path or hub id, or the bundled fallback named as such."""
    if not name_or_path or Path(str(name_or_path)).resolve() == bundled_tokenizer_dir().resolve():
        return BUNDLED_TOKENIZER_NAME
    return str(name_or_path)


def bundled_tokenizer_dir() -> Path:
    """Byte-level BPE trained on the bundled sample, with Qwen2.5's special tokens and ChatML template."""
    return Path(str(resources.files("text2sql") / "sample_data" / "tokenizer"))


def looks_like_path(name: str) -> bool:
    """Hub ids are `org/name`; anything absolute, relative or with more than one slash is a local path."""
    return name.startswith(("/", "./", "../", "~")) or name.count("/") > 1 or "\\" in name


def load_tokenizer(name_or_path: str | Path | None = None):
    """`None` -> the bundled tokenizer; otherwise a local folder, a `.gguf` file or a hub id via `AutoTokenizer`."""
    from transformers import AutoTokenizer

    if name_or_path is not None and not isinstance(name_or_path, (str, Path)):
        raise T2SError(f"a tokenizer must be a folder, a .gguf file or a hub id, got {name_or_path!r}")
    target = str(bundled_tokenizer_dir() if name_or_path is None else name_or_path)
    if looks_like_path(target) and not Path(target).exists():
        what = "file" if is_gguf(target) else "folder"
        raise T2SError(f"no such {what} {target!r} (not a hub id either: those look like 'Qwen/Qwen2.5-Coder-7B')")
    source, extra = pretrained_source(target)  # a .gguf file: its tokenizer and chat template are read from it
    try:
        tok = AutoTokenizer.from_pretrained(source, **extra)
    except (OSError, ValueError) as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise T2SError(f"cannot load tokenizer {target!r}: {first}") from None
    if tok.pad_token is None:  # Qwen ships one; other tokenizers may not
        tok.pad_token = tok.eos_token
    return tok
