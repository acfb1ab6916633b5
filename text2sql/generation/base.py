"""What every backend shares: decoding settings, chat rendering and the library versions to record."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from text2sql.core.provenance import library_versions  # noqa: F401  (what every backend records)
from text2sql.prompts import chat as prompts_chat


def _opt(default, help: str):
    """A config field with the one-line help its command-line flag shows (`t2s predict --help`)."""
    return field(default=default, metadata={"help": help})


@dataclass
class DecodingConfig:
    """Greedy by default: a benchmark number must not depend on the sampler's luck."""

    max_new_tokens: int = _opt(256, "Tokens generated per answer at most.")
    temperature: float = _opt(0.0, "0 = greedy (default).")
    top_p: float = _opt(1.0, "Nucleus sampling when temperature > 0.")
    samples: int = _opt(1, "Self-consistency: vote among N sampled candidates.")
    seed: int = _opt(0, "Seed of the sampler (--temperature > 0).")
    batch_size: int = _opt(8, "Prompts per generation batch.")
    precision: str = _opt(
        "auto", "hf: auto (bf16 where the CPU has AMX/AVX512-BF16 or the GPU bf16) | bf16 | fp16 | fp32."
    )

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

    backend: str = _opt("hf", "hf | vllm | openai | gold | replay (default hf).")
    model: str | None = _opt(None, "Model folder or hub id.")
    adapter: str | None = _opt(None, "LoRA adapter folder (from `t2s train`).")
    tokenizer: str | None = _opt(None, "Tokenizer path or name (default: the model's).")
    base_precision: str = _opt(
        "auto", "hf base under --adapter: auto (as trained: 4bit for QLoRA) | 4bit | 16bit."
    )
    predictions: str | None = _opt(None, "replay backend: the predictions file.")
    base_url: str | None = _opt(None, "openai backend: e.g. http://localhost:8000/v1.")
    api_key_env: str = _opt("OPENAI_API_KEY", "Env variable holding the API key.")
    concurrency: int = _opt(4, "openai backend: requests in flight.")
    request_timeout: float = _opt(120.0, "openai backend: seconds per HTTP request.")

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
        return prompts_chat.render_chat(tokenizer, record["messages"])
    return record["prompt"]


def chunks(items: list, size: int):
    for i in range(0, len(items), max(1, size)):
        yield items[i : i + size]
