import json

import pytest

from text2sql.core.errors import T2SError
from text2sql.workflows.ablation import arms, run_ablation, split_settings


def test_grid_expands_to_named_arms():
    spec = {
        "base": {"repr": "code"},
        "grid": {"fk": [True, False], "model": [{"name": "b"}, {"name": "s", "adapter": "x"}]},
    }
    got = arms(spec)
    assert [n for n, _ in got] == [
        "fk=true,model=b",
        "fk=true,model=s",
        "fk=false,model=b",
        "fk=false,model=s",
    ]
    assert got[1][1] == {"repr": "code", "fk": True, "adapter": "x"}
    config, decoding, gen = split_settings({**got[1][1], "max_new_tokens": 9, "backend": "gold"})
    assert config.fk and decoding.max_new_tokens == 9 and gen == {"adapter": "x", "backend": "gold"}
    with pytest.raises(T2SError, match="unknown ablation setting"):
        split_settings({"nonsense": 1})
    with pytest.raises(T2SError, match="name"):
        arms({"grid": {"model": [{"adapter": "x"}]}})


@pytest.mark.require_train
def test_ablation_runs_arms_reports_and_skips_finished(tmp_path, sample_bench, monkeypatch):
    monkeypatch.setenv("T2S_CACHE_DIR", str(tmp_path / "cache"))  # the gold cache arms share
    dev = sample_bench.examples("dev")[:12]
    half = tmp_path / "half.jsonl"  # right on even examples only
    half.write_text(
        "".join(
            json.dumps({"id": e.id, "sql": e.query if i % 2 == 0 else "SELECT 1"}) + "\n"
            for i, e in enumerate(dev)
        )
    )
    spec = {
        "split": "dev",
        "limit": 12,
        "output_dir": str(tmp_path / "out"),
        "workers": 1,
        "grid": {
            "backend": [
                {"name": "gold", "backend": "gold"},
                {"name": "half", "backend": "replay", "predictions": str(half)},
            ],
            "fk": [True, False],
        },
        "baseline": "backend=gold,fk=true",
    }
    logs = []
    paths = run_ablation(spec, log=logs.append)
    data = json.loads(paths["json"].read_text())
    ex = {a["name"]: a["ex"] for a in data["arms"]}
    assert ex == {
        "backend=gold,fk=true": 1.0,
        "backend=gold,fk=false": 1.0,
        "backend=half,fk=true": 0.5,
        "backend=half,fk=false": 0.5,
    }
    half_arm = next(a for a in data["arms"] if a["name"] == "backend=half,fk=true")
    assert half_arm["mcnemar"]["only_baseline"] == 6 and half_arm["mcnemar"]["p"] == pytest.approx(2 / 64)
    toks = {a["name"]: a["mean_tokens"] for a in data["arms"]}
    assert toks["backend=gold,fk=false"] < toks["backend=gold,fk=true"]  # no FK lines -> shorter prompts
    md = paths["markdown"].read_text()
    assert paths["html"].exists() and "backend=half,fk=false" in md
    # the arms table says what produced each arm, and the two prompt configurations hash differently
    setups = {a["name"]: a["setup"] for a in data["arms"]}
    assert (
        setups["backend=half,fk=true"]["backend"] == "replay"
        and setups["backend=gold,fk=true"]["backend"] == "gold"
    )
    assert setups["backend=gold,fk=true"]["prompt_hash"] != setups["backend=gold,fk=false"]["prompt_hash"]
    assert "## Arms" in md and "| backend=gold,fk=true | gold |" in md
    arm = json.loads((tmp_path / "out" / "backend=gold,fk=false" / "summary.json").read_text())
    assert arm["provenance"]["prompt_settings"]["fk"] is False and arm["provenance"]["questions"] == 12
    logs.clear()
    run_ablation(spec, log=logs.append)
    assert sum("skipped" in line for line in logs) == 4


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"gird": {"fk": [True]}}, "did you mean 'grid'"),
        ({"base": {"backend": "gold"}, "grid": {"fk": [True], "reprr": ["code"]}}, "did you mean 'repr'"),
        (
            {"base": {"backend": "gold"}, "grid": {"repr": ["code", "nope"]}},
            "arm repr=nope: unknown representation",
        ),
        ({"base": {"backend": "gold"}, "grid": {"fk": [True, "no"]}}, "'fk' must be bool"),
        ({"base": {"backend": "gold"}, "grid": {"samples": [1, 3]}}, "samples > 1 needs temperature > 0"),
        ({"base": {"backend": "gold"}, "grid": {"fk": [True, False]}, "baseline": "fk=True"}, "did you mean"),
        ({"base": {"backend": "hf", "model": "./no-such-model"}}, "no such folder"),
        ({"base": {"backend": "gold"}, "limit": 0}, "positive integer"),
    ],
)
def test_bad_spec_fails_before_any_arm_runs(tmp_path, spec, message):
    """The whole spec is validated first: nothing is generated, evaluated or written."""
    spec = {**spec, "output_dir": str(tmp_path / "out")}
    with pytest.raises(T2SError, match=message):
        run_ablation(spec)
    assert not (tmp_path / "out").exists()


def test_bad_split_fails_before_any_arm_runs(tmp_path):
    spec = {"split": "nope", "base": {"backend": "gold"}, "output_dir": str(tmp_path / "out")}
    with pytest.raises(T2SError):
        run_ablation(spec)
    assert not (tmp_path / "out").exists()


def test_every_flag_an_ablation_message_suggests_exists():
    """The resume refusal says "pass --overwrite": `t2s ablate` must have that flag."""
    from typer.testing import CliRunner

    from text2sql.cli import app

    res = CliRunner().invoke(app, ["ablate", "--help"], env={"COLUMNS": "200"})
    assert res.exit_code == 0 and "--overwrite" in res.output
