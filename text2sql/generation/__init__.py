"""Generate SQL from prompt records with one of several backends, resumably.

    backend = load_backend("hf", model="runs/tiny", adapter="runs/sft")
    preds = predict(records, backend, "runs/eval/predictions.jsonl")

Backends: `hf` (transformers), `vllm` (GPU), `openai` (any compatible endpoint), `gold` (answers the
gold SQL) and `replay` (answers from a predictions file).
"""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.generation.base import Backend, BackendConfig, DecodingConfig, library_versions, render_chat
from text2sql.generation.runner import PredictionWriter, predict

BACKENDS = ("hf", "vllm", "openai", "gold", "replay")


def open_backend(config: BackendConfig, decoding: DecodingConfig | None = None) -> Backend:
    """The backend `config` describes (validated first)."""
    config.validate()
    fields = config.to_dict()
    return load_backend(fields.pop("backend"), decoding=decoding, **fields)


def load_backend(
    name: str,
    model: str | None = None,
    adapter: str | None = None,
    tokenizer: str | None = None,
    decoding: DecodingConfig | None = None,
    predictions: str | None = None,
    base_url: str | None = None,
    api_key_env: str = "OPENAI_API_KEY",
    concurrency: int = 4,
    request_timeout: float = 120.0,
    base_precision: str = "auto",
) -> Backend:
    """Build a backend by name; model libraries are imported only for the backend chosen."""
    if name == "gold":
        from text2sql.generation.oracle import GoldBackend

        return GoldBackend()
    if name == "replay":
        if not predictions:
            raise T2SError("the replay backend needs `predictions` (a predictions file)")
        from text2sql.generation.oracle import ReplayBackend

        return ReplayBackend(predictions, samples=(decoding or DecodingConfig()).samples)
    if name not in BACKENDS:
        raise T2SError(f"unknown backend {name!r}: choose one of {', '.join(BACKENDS)}")
    if not model:
        raise T2SError(f"the {name} backend needs `model` (a model folder or hub id)")
    if name in ("hf", "vllm"):
        from text2sql.models.checks import check_adapter_matches, check_model_path

        check_model_path(model)
        check_model_path(adapter, "--adapter")
        check_adapter_matches(adapter, model)
    if name == "hf":
        from text2sql.generation.hf import HFBackend

        return HFBackend(
            model, adapter=adapter, tokenizer=tokenizer, decoding=decoding, base_precision=base_precision
        )
    if name == "vllm":
        from text2sql.generation.vllm import VLLMBackend

        return VLLMBackend(model, adapter=adapter, tokenizer=tokenizer, decoding=decoding)
    from text2sql.generation.openai import OpenAIBackend

    if adapter:
        raise T2SError("the openai backend serves whatever the endpoint loaded: drop `adapter`")
    return OpenAIBackend(
        model,
        base_url=base_url or "https://api.openai.com/v1",
        api_key_env=api_key_env,
        decoding=decoding,
        concurrency=concurrency,
        timeout=request_timeout,
    )


__all__ = [
    "BACKENDS",
    "Backend",
    "BackendConfig",
    "DecodingConfig",
    "PredictionWriter",
    "library_versions",
    "load_backend",
    "open_backend",
    "predict",
    "render_chat",
]
