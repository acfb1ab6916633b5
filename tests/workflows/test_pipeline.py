"""ScoringConfig (the execution options of `t2s eval`) validates itself and names its fields; the CLI shows
them as flags; score_predictions gives `t2s eval`'s numbers without the CLI."""

import pytest
from cli_helpers import t2s

from text2sql.core.errors import T2SError
from text2sql.data.benchmark import load_benchmark
from text2sql.workflows.pipeline import ScoringConfig, score_predictions


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"timeout": 0}, "`timeout` must be positive"),
        ({"workers": 0}, "`workers` must be at least 1"),
        ({"ves_runs": 0}, "`ves_runs` must be at least 1"),
        ({"metric": "exact"}, "unknown metric 'exact'"),
    ],
)
def test_scoring_config_names_the_field(fields, message):
    with pytest.raises(T2SError, match=message):
        ScoringConfig(**fields).validate()


@pytest.mark.parametrize(
    "args, line",
    [
        (["--timeout", "0"], "error: --timeout must be positive"),
        (["--workers", "0"], "error: --workers must be at least 1"),
        (["--ves-runs", "0"], "error: --ves-runs must be at least 1"),
    ],
)
def test_eval_shows_the_fields_as_flags(args, line, tmp_path):
    res = t2s("eval", "--backend", "gold", "--output-dir", str(tmp_path / "e"), *args, check=False)
    assert res.returncode == 2 and res.stderr.strip().splitlines() == [line]


def test_score_predictions_without_the_cli(tmp_path):
    bench = load_benchmark(None)
    examples = bench.examples("dev")[:4]
    sqls = [e.query for e in examples[:3]] + ["SELECT 1"]
    scoring = ScoringConfig(workers=1, cache_dir=tmp_path / "gold")
    report = score_predictions(bench, examples, sqls, scoring)
    assert report.summary["ex"] == pytest.approx(0.75)
    assert [r["correct"] for r in report.results] == [True, True, True, False]
    assert "ves" not in scoring.evaluate_kwargs(with_ves=False)
