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
