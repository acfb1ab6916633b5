"""DecodingConfig validates itself and names the field it refuses; `t2s eval`/`predict` and an ablation
spec each show that field as their user spells it (a flag; a key)."""

import pytest
from cli_helpers import t2s

from text2sql.core.errors import T2SError
from text2sql.generation import DecodingConfig


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"samples": 0}, "`samples` must be an integer of at least 1, got 0"),
        ({"max_new_tokens": 0}, "`max_new_tokens` must be an integer of at least 1, got 0"),
        ({"batch_size": True}, "`batch_size` must be an integer of at least 1, got True"),
        ({"temperature": -0.5}, "`temperature` must be >= 0 (0 = greedy), got -0.5"),
        ({"top_p": 0.0}, "`top_p` must be in (0, 1], got 0.0"),
        ({"precision": "int3"}, "`precision` must be one of auto, bf16, fp16, fp32, got 'int3'"),
    ],
)
def test_decoding_config_names_the_field(fields, message):
    with pytest.raises(T2SError) as e:
        DecodingConfig(**fields).validate()
    assert str(e.value) == message


def test_defaults_and_sampling_are_valid():
    DecodingConfig().validate()
    DecodingConfig(samples=8, temperature=0.7, top_p=0.95, precision="bf16").validate()


@pytest.mark.parametrize(
    "args, line",
    [
        (["--top-p", "0"], "error: --top-p must be in (0, 1], got 0.0"),
        (["--max-new-tokens", "0"], "error: --max-new-tokens must be an integer of at least 1, got 0"),
        (["--precision", "int3"], "error: --precision must be one of auto, bf16, fp16, fp32, got 'int3'"),
        (["--ddl", "weird"], "error: --ddl must be original or normalized, not 'weird'"),
        (["--values", "--values-per-column", "-1"], "error: --shots, --rows and --values-per-column must be >= 0"),
    ],
)
def test_cli_shows_the_fields_as_flags(args, line, tmp_path):
    res = t2s("predict", "--backend", "gold", "--output-dir", str(tmp_path / "p"), *args, check=False)
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [line]


def test_ablation_spec_errors_name_its_keys():
    from text2sql.workflows.ablation import validate_spec

    with pytest.raises(T2SError) as e:
        validate_spec({"base": {"backend": "gold", "top_p": 0.0}})
    assert str(e.value) == "arm base: `top_p` must be in (0, 1], got 0.0"
    assert "--" not in str(e.value)


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"backend": "nope"}, "unknown backend 'nope'"),
        ({"base_precision": "8bit"}, "`base_precision` must be one of auto, 4bit, 16bit, got '8bit'"),
        ({"concurrency": 0}, "`concurrency` must be an integer of at least 1, got 0"),
        ({"request_timeout": 0}, "`request_timeout` must be a positive number of seconds"),
    ],
)
def test_backend_config_names_the_field(fields, message):
    from text2sql.generation import BackendConfig

    with pytest.raises(T2SError, match=message.replace("(", r"\(").replace(")", r"\)")):
        BackendConfig(**fields).validate()


@pytest.mark.require_train
def test_backend_config_flags_and_the_flat_fields(tmp_path):
    from text2sql.data.benchmark import load_benchmark
    from text2sql.generation import BackendConfig
    from text2sql.workflows.pipeline import generate_predictions

    res = t2s("predict", "--backend", "openai", "--model", "m", "--concurrency", "0",
              "--output-dir", str(tmp_path / "o"), check=False)  # fmt: skip
    assert res.stderr.strip().splitlines() == ["error: --concurrency must be an integer of at least 1, got 0"]
    bench = load_benchmark(None)
    a = generate_predictions(data=None, bench=bench, split="dev", output_dir=tmp_path / "a", limit=2,
                             source=BackendConfig(backend="gold"))  # fmt: skip
    b = generate_predictions(data=None, bench=bench, split="dev", output_dir=tmp_path / "b", limit=2, backend="gold")
    assert [p["sql"] for p in a.predictions] == [p["sql"] for p in b.predictions] == [
        e.query for e in bench.examples("dev")[:2]
    ]
    with pytest.raises(TypeError):
        generate_predictions(data=None, bench=bench, split="dev", output_dir=tmp_path / "c",
                             source=BackendConfig(backend="gold"), model="m")  # fmt: skip


@pytest.mark.parametrize(
    "args, line",
    [
        (["--answer-format", "think", "--select-cue"], "error: --answer-format think asks for reasoning first: drop --select-cue"),
        (["--answer-format", "cot"], "error: --answer-format must be one of sql, think, not 'cot'"),
        (["--max-tokens", "0"], "error: --max-tokens must be positive"),
    ],
)
def test_build_prompts_shows_prompt_config_fields_as_flags(args, line, tmp_path):
    res = t2s("build-prompts", "-o", str(tmp_path / "p.jsonl"), *args, check=False)
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [line]
