"""What every backend shares: decoding settings, chat rendering and the library versions to record."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from importlib import metadata


@dataclass
class DecodingConfig:
    """Greedy by default: a benchmark number must not depend on the sampler's luck."""

    max_new_tokens: int = 256
    temperature: float = 0.0  # 0 = greedy; > 0 only with sampling for self-consistency
    top_p: float = 1.0
    samples: int = 1  # > 1: self-consistency votes among this many sampled candidates
    seed: int = 0
    batch_size: int = 8
    precision: str = "auto"  # hf: auto (bf16 where the CPU/GPU computes it natively) | bf16 | fp16 | fp32

    def validate(self) -> None:
        """Refuse impossible values, naming the field (see `T2SError`)."""
        from text2sql.core.errors import T2SError
        from text2sql.core.hardware import PRECISIONS

        for name in ("samples", "max_new_tokens", "batch_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise T2SError(f"`{name}` must be an integer of at least 1, got {value!r}")
        if self.temperature < 0:
            raise T2SError(f"`temperature` must be >= 0 (0 = greedy), got {self.temperature!r}")
        if not 0 < self.top_p <= 1:
            raise T2SError(f"`top_p` must be in (0, 1], got {self.top_p!r}")
        if self.precision not in PRECISIONS:
            raise T2SError(f"`precision` must be one of {', '.join(PRECISIONS)}, got {self.precision!r}")

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class BackendConfig:
    """Which model answers and how it is reached: one record instead of ten arguments through three layers
    (`t2s predict`/`eval`, `generate_predictions`, `load_backend`)."""

    backend: str = "hf"  # hf | vllm | openai | gold | replay
    model: str | None = None
    adapter: str | None = None
    tokenizer: str | None = None
    base_precision: str = "auto"  # hf base under an adapter: auto (as trained) | 4bit | 16bit
    predictions: str | None = None  # replay: the predictions file
    base_url: str | None = None  # openai
    api_key_env: str = "OPENAI_API_KEY"
    concurrency: int = 4
    request_timeout: float = 120.0

    def validate(self) -> None:
        """Refuse impossible values, naming the field (see `T2SError`)."""
        from text2sql.core.errors import T2SError
        from text2sql.generation import BACKENDS
        from text2sql.models.meta import BASE_PRECISIONS

        if self.backend not in BACKENDS:
            raise T2SError(f"unknown backend {self.backend!r}: choose one of {', '.join(BACKENDS)}")
        if self.base_precision not in BASE_PRECISIONS:
            raise T2SError(
                f"`base_precision` must be one of {', '.join(BASE_PRECISIONS)}, got {self.base_precision!r}"
            )
        if (
            isinstance(self.concurrency, bool)
            or not isinstance(self.concurrency, int)
            or self.concurrency < 1
        ):
            raise T2SError(f"`concurrency` must be an integer of at least 1, got {self.concurrency!r}")
        if not self.request_timeout or self.request_timeout <= 0:
            raise T2SError("`request_timeout` must be a positive number of seconds")

    def to_dict(self) -> dict:
        return asdict(self)


class Backend:
    """A model that completes prompt records (`messages`, optional `response_prefix`)."""

    name = "base"

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        """`n` completions per record, in the records' order. `temperature == 0` means greedy."""
        raise NotImplementedError

    def info(self) -> dict:
        """What to record in the run summary so that the run can be repeated."""
        return {"backend": self.name}


def render_chat(tokenizer, record: dict) -> str:
    """The text the prompt builder counted: the chat template with the generation prompt.

    DAIL's `SELECT` cue sits at the end of the user turn and the model answers the rest, so the
    `response_prefix` is not appended here; `extract_sql` puts it back in front of the answer.
    """
    if record.get("messages"):
        return tokenizer.apply_chat_template(record["messages"], add_generation_prompt=True, tokenize=False)
    return record["prompt"]


def library_versions(names=("torch", "transformers", "peft", "trl", "vllm")) -> dict[str, str]:
    out = {}
    for name in names:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def chunks(items: list, size: int):
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]
