import base64
import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from text2sql.core.errors import T2SError
from text2sql.report import (
    analyse,
    bootstrap_ci,
    ex_ci,
    holm,
    load_run,
    mcnemar,
    paired_diff_ci,
    wilson_ci,
    write_report,
)

REPO = Path(__file__).resolve().parents[2]


def make_run(
    path: Path,
    correct: list[bool],
    tokens: int | None,
    name: str | None = None,
    data: str | None = "/data/spider",
    split: str | None = "dev",
    generation: dict | None = None,
    difficulty: bool = False,
    settings: dict | None = None,
) -> Path:
    path.mkdir(parents=True)
    hard = ["easy", "medium", "hard", "extra"]
    with open(path / "results.jsonl", "w") as f:
        for i, c in enumerate(correct):
            rec = {"id": f"dev-{i}", "question": f"question {i}?", "correct": c, "hardness": hard[i % 4]}
            if tokens is not None:
                rec["n_tokens"] = tokens
            if difficulty:
                rec["difficulty"] = ["simple", "moderate", "challenging"][i % 3]
            if not c:
                rec["error"] = "execution error" if i % 2 else "wrong result"
            f.write(json.dumps(rec) + "\n")
    summary = {
        "ex": sum(correct) / len(correct),
        "settings": {"data": data, "split": split, **(settings or {})},
    }
    if name:
        summary["name"] = name
    if generation:
        summary["generation"] = generation
    (path / "summary.json").write_text(json.dumps(summary))
    return path


def gen(model="Qwen/Qwen2.5-Coder-7B-Instruct", adapter=None, backend="hf", prompt="abc123456789", **dec):
    decoding = {"temperature": 0.0, "top_p": 1.0, "samples": 1, **dec}
    return {
        "backend": backend,
        "model": model,
        "adapter": adapter,
        "decoding": decoding,
        "prompt_config_hash": prompt,
    }


# -- statistics --------------------------------------------------------------------------------------
def test_wilson_interval_matches_the_formula_and_never_collapses():
    lo, hi = wilson_ci(7, 10)
    assert lo == pytest.approx(0.3968, abs=1e-4) and hi == pytest.approx(0.8922, abs=1e-4)
    lo, hi = wilson_ci(20, 20)  # a percentile bootstrap says [1, 1] here
    assert lo == pytest.approx(0.8389, abs=1e-4) and hi == 1.0
    assert wilson_ci(0, 5)[0] == 0.0 and wilson_ci(0, 5)[1] > 0.4
    assert all(x != x for x in wilson_ci(0, 0))
    assert ex_ci([True] * 7 + [False] * 3) == wilson_ci(7, 10)


def test_bootstrap_ci_brackets_the_mean_and_is_reproducible():
    vals = [1] * 70 + [0] * 30
    lo, hi = bootstrap_ci(vals)
    assert lo < 0.7 < hi and 0.55 < lo and hi < 0.82
    assert bootstrap_ci(vals) == (lo, hi)


def test_paired_difference_interval():
    a = [True] * 50 + [False] * 50
    b = [True] * 50 + [True] * 20 + [False] * 30  # +20 points, all in b's favour
    lo, hi = paired_diff_ci(a, b)
    assert 0.1 < lo < 0.2 < hi < 0.3
    assert paired_diff_ci(a, a) == (0.0, 0.0)
    with pytest.raises(ValueError):
        paired_diff_ci([True], [True, False])


def test_mcnemar_exact_binomial():
    # 10 discordant pairs, split 9/1: p = 2 * (1 + 10) / 1024
    a = [True] * 9 + [False] + [True] * 5
    b = [False] * 9 + [True] + [True] * 5
    t = mcnemar(a, b)
    assert (t.only_a, t.only_b) == (9, 1)
    assert t.p_value == pytest.approx(22 / 1024)
    assert mcnemar([True, False], [True, False]).p_value == 1.0
    big = mcnemar([True] * 600 + [False] * 434, [False] * 300 + [True] * 734)  # 1034 questions: no overflow
    assert 5e-7 < big.p_value < 1.2e-6  # normal approximation: z = 134 / sqrt(734), p = 7.6e-7


def test_holm_adjustment():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert holm([0.5]) == [0.5] and holm([]) == []


# -- analysis ----------------------------------------------------------------------------------------
def test_analyse_pairs_by_id_and_reports_buckets(tmp_path):
    base = load_run(make_run(tmp_path / "base", [True] * 10 + [False] * 10, 100))
    better = load_run(make_run(tmp_path / "better", [True] * 19 + [False], 300))
    data = analyse([base, better])
    arm = data["arms"][1]
    assert data["baseline"] == "base" and arm["ex"] == 0.95
    assert arm["ci"] == pytest.approx(wilson_ci(19, 20))
    assert arm["mcnemar"]["only_arm"] == 9 and arm["mcnemar"]["only_baseline"] == 0
    assert arm["mcnemar"]["p"] == pytest.approx(2 / 512) and arm["mcnemar"]["p_holm"] == arm["mcnemar"]["p"]
    assert arm["mcnemar"]["diff"] == pytest.approx(0.45)
    lo, hi = arm["mcnemar"]["diff_ci"]
    assert 0.2 < lo < 0.45 < hi <= 0.7
    assert data["bucket"] == "hardness" and data["buckets"] == ["easy", "medium", "hard", "extra"]
    assert arm["by_bucket"]["easy"]["ci"] == pytest.approx(wilson_ci(5, 5))
    assert data["arms"][0]["errors"] == {"execution error": 5, "wrong result": 5}
    assert (arm["data"], arm["split"]) == ("/data/spider", "dev")
    assert "exact" in data["statistics"]["test"] and "Wilson" in data["statistics"]["ex_interval"]
    with pytest.raises(T2SError, match="baseline 'nope'"):
        analyse([base, better], baseline="nope")


def test_bird_difficulty_buckets_and_metric(tmp_path):
    runs = [
        load_run(make_run(tmp_path / n, [True, False] * 6, 80, difficulty=True, settings={"metric": "bird"}))
        for n in ("a", "b")
    ]
    data = analyse(runs)
    assert data["bucket"] == "difficulty" and data["buckets"] == ["simple", "moderate", "challenging"]
    assert {b: c["n"] for b, c in data["arms"][0]["by_bucket"].items()} == {
        "simple": 4,
        "moderate": 4,
        "challenging": 4,
    }
    assert data["arms"][0]["metric"] == "bird"


@pytest.mark.parametrize(
    "other, message",
    [
        ({"data": "/data/sample"}, "different data folders"),
        ({"split": "test"}, "different splits"),
        ({"settings": {"metric": "bird"}}, "different metrics"),
        ({"settings": {"metric": "spider", "keep_distinct": True}}, "different metrics"),
    ],
)
def test_report_refuses_runs_of_another_benchmark_split_or_metric(tmp_path, other, message):
    a = make_run(tmp_path / "a", [True, False] * 5, 10, settings={"metric": "spider"})
    b = make_run(tmp_path / "b", [True] * 10, 10, **{"settings": {"metric": "spider"}, **other})
    with pytest.raises(T2SError, match=message):
        write_report([a, b], tmp_path / "out")
    assert not (tmp_path / "out").exists()  # nothing half-written


def test_report_refuses_different_question_lists(tmp_path):
    a = make_run(tmp_path / "sample", [True] * 60, 10)
    b = make_run(tmp_path / "full", [True] * 100, 10)  # a 60-question run against a 100-question run
    with pytest.raises(T2SError, match=r"different questions \(100 vs 60; 0 only in sample, 40 only in full"):
        write_report([a, b], tmp_path / "out")
    c = make_run(tmp_path / "other", [True] * 60, 10)
    lines = (c / "results.jsonl").read_text().replace("question 3?", "another question?")
    (c / "results.jsonl").write_text(lines)
    with pytest.raises(T2SError, match="'dev-3' reads differently"):
        write_report([a, c], tmp_path / "out")
    d = make_run(tmp_path / "gold", [True] * 60, 10)
    rows = [json.loads(x) for x in (d / "results.jsonl").read_text().splitlines()]
    rows = [{**r, "gold": "SELECT 2" if r["id"] == "dev-7" else "SELECT 1"} for r in rows]
    (d / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    e = make_run(tmp_path / "gold2", [True] * 60, 10)
    (e / "results.jsonl").write_text("".join(json.dumps({**r, "gold": "SELECT 1"}) + "\n" for r in rows))
    with pytest.raises(T2SError, match="'dev-7' has another gold SQL"):
        write_report([d, e], tmp_path / "out")
    f = make_run(tmp_path / "sum1", [True] * 60, 10, settings={"questions_sha256": "sha256:aaaa"})
    g = make_run(tmp_path / "sum2", [True] * 60, 10, settings={"questions_sha256": "sha256:bbbb"})
    with pytest.raises(T2SError, match="different question checksums"):
        write_report([f, g], tmp_path / "out")
    assert write_report([a, f], tmp_path / "out")["html"].exists()  # one side unknown: compared by ids


def test_unknown_data_or_split_does_not_block_but_shows_a_dash(tmp_path):
    a = make_run(tmp_path / "a", [True, False] * 4, 10)
    b = make_run(tmp_path / "b", [True] * 8, 10, data=None, split=None)
    data = analyse([load_run(a), load_run(b)])
    assert data["arms"][1]["data"] is None
    md = write_report([a, b], tmp_path / "out")["markdown"].read_text()
    assert f"| b | — | — | — | — | — | — | — | {b} |" in md  # data and split unknown: dashes


def test_readable_arm_names(tmp_path):
    runs = [
        make_run(tmp_path / "dev-20261128-004606", [True] * 4, 50, generation=gen()),
        make_run(tmp_path / "dev-20261128-010000", [True] * 4, 50, generation=gen(adapter="runs/qlora/checkpoint-500")),
        make_run(tmp_path / "dev-20261128-020000", [True] * 4, 50, generation=gen(prompt="fff000111")),
        make_run(tmp_path / "dev-20261128-030000", [True] * 4, None, settings={"predictions": "out/dail.sql"}),
        make_run(tmp_path / "dev-20261128-040000", [True] * 4, 50, generation=gen(backend="openai", samples=5, temperature=0.7)),
        make_run(tmp_path / "x", [True] * 4, 50, name="my arm"),
    ]  # fmt: skip
    names = [a["name"] for a in analyse([load_run(p) for p in runs])["arms"]]
    assert names == [
        "Qwen2.5-Coder-7B-Instruct · prompt abc12345",
        "Qwen2.5-Coder-7B-Instruct + qlora/checkpoint-500",
        "Qwen2.5-Coder-7B-Instruct · prompt fff00011",
        "predictions dail.sql",
        "Qwen2.5-Coder-7B-Instruct (openai) · vote of 5",
        "my arm",
    ]
    same = [make_run(tmp_path / f"s{i}", [True] * 4, 50, generation=gen()) for i in range(2)]
    assert [a["name"] for a in analyse([load_run(p) for p in same])["arms"]] == [
        "Qwen2.5-Coder-7B-Instruct · s0",
        "Qwen2.5-Coder-7B-Instruct · s1",
    ]
    twice = [make_run(tmp_path / f"t{i}", [True] * 4, 50, name="arm") for i in range(2)]
    with pytest.raises(T2SError, match="share the name 'arm'"):
        analyse([load_run(p) for p in twice])
    paths = write_report(same, tmp_path / "out", names=["first", "second"], baseline="s1")
    data = json.loads(paths["json"].read_text())
    assert [a["name"] for a in data["arms"]] == ["first", "second"] and data["baseline"] == "second"


# -- rendering -----------------------------------------------------------------------------------------
def images(page: str) -> list[bytes]:
    return [base64.b64decode(s) for s in re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)]


def test_write_report_is_self_contained_and_names_its_statistics(tmp_path):
    runs = [make_run(tmp_path / n, [i % k != 0 for i in range(24)], 50 * k) for n, k in (("a", 2), ("b", 3))]
    paths = write_report(runs, tmp_path / "out")
    md = paths["markdown"].read_text()
    assert "| /data/spider | dev |" in md and "Δ EX [95% CI]" in md and "EX by hardness" in md
    assert "McNemar's exact test (two-sided binomial" in md and "Wilson score interval" in md
    page = paths["html"].read_text()
    imgs = images(page)
    assert len(imgs) == 3 and all(s[:8] == b"\x89PNG\r\n\x1a\n" for s in imgs)
    assert not re.search(r"(src|href)=['\"]https?:", page)  # no external assets
    assert "max-width:1000px" not in page and "white-space:nowrap" in page
    assert "McNemar&#x27;s exact test" in page and "/data/spider" in page


def test_empty_charts_become_sentences(tmp_path):
    runs = [
        make_run(tmp_path / n, [True] * 8, None, settings={"predictions": f"{n}.sql"}) for n in ("a", "b")
    ]
    page = write_report(runs, tmp_path / "out")["html"].read_text()
    assert "no wrong answers" in page and "no arm records prompt tokens" in page
    assert len(images(page)) == 1  # only EX by hardness is drawn
    md = (tmp_path / "out" / "report.md").read_text()
    assert md.count("| — |") >= 2  # prompt tokens unknown: a dash, never 0


def test_unknown_tokens_are_not_plotted_at_zero(tmp_path):
    runs = [
        make_run(tmp_path / "model", [True, False] * 4, 400),
        make_run(tmp_path / "file", [True] * 8, None, settings={"predictions": "p.sql"}),
    ]
    data = analyse([load_run(p) for p in runs])
    assert data["arms"][1]["mean_tokens"] is None
    page = write_report(runs, tmp_path / "out")["html"].read_text()
    assert "not plotted, prompt tokens unknown: predictions p.sql" in page


def test_missing_or_broken_results_are_user_errors(tmp_path):
    with pytest.raises(T2SError, match="results.jsonl"):
        load_run(tmp_path)
    (tmp_path / "results.jsonl").write_text("")
    with pytest.raises(T2SError, match="holds no results"):
        load_run(tmp_path)
    (tmp_path / "results.jsonl").write_text('{"id": "a", "correct": true}\n{"correct": true}\n')
    with pytest.raises(T2SError, match=r"results.jsonl:2: not a result record"):
        load_run(tmp_path)
    (tmp_path / "results.jsonl").write_text('{"id": "a", "correct": true}\n')
    (tmp_path / "summary.json").write_text("{broken")
    with pytest.raises(T2SError, match="summary.json is not valid JSON"):
        load_run(tmp_path)


def test_report_command_refuses_mismatched_runs_with_one_line(tmp_path):
    from text2sql.cli import main

    a = make_run(tmp_path / "a", [True] * 6, 10)
    b = make_run(tmp_path / "b", [True] * 6, 10, split="train")
    err, argv = io.StringIO(), sys.argv
    sys.argv = ["t2s", "report", str(a), str(b), "--output-dir", str(tmp_path / "out")]
    try:
        with redirect_stderr(err), pytest.raises(SystemExit) as ex:
            main()
    finally:
        sys.argv = argv
    assert ex.value.code != 0
    lines = [line for line in err.getvalue().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and "different splits" in lines[0]
    assert "Traceback" not in err.getvalue()


def test_report_renders_in_headless_chromium(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    from screenshot_report import find_chromium, screenshot

    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    runs = [
        make_run(tmp_path / n, [i % k != 0 for i in range(24)], 50 * k, generation=gen(adapter=f"runs/{n}"))
        for n, k in (("a", 2), ("b", 3), ("c", 4))
    ]
    paths = write_report(runs, tmp_path / "out")
    try:
        png = screenshot(paths["html"], tmp_path / "shot.png", size="1400,1800")
    except (subprocess.SubprocessError, RuntimeError) as e:
        pytest.skip(f"chromium could not run here: {e}")
    from PIL import Image

    img = Image.open(png).convert("L")
    assert img.size == (1400, 1800)
    # a rendered page with tables and figures is far from one flat colour
    assert sum(1 for c in img.histogram() if c) > 20
    # full width: the right third of the page carries table rules and figure ink, not empty margin
    import numpy as np

    right = np.asarray(img)[:, 1000:1350]
    assert int((right < 200).sum()) > 2000


def test_data_recorded_as_a_provenance_record_still_pairs(tmp_path):
    a = make_run(tmp_path / "a", [True, False] * 3, 10)
    b = make_run(tmp_path / "b", [True] * 6, 10, data={"folder": "/data/spider/", "questions_sha256": "ab"})
    c = make_run(tmp_path / "c", [True] * 6, 10, data={"folder": "/data/bird"})
    assert [x["data"] for x in analyse([load_run(a), load_run(b)])["arms"]] == ["/data/spider"] * 2
    with pytest.raises(T2SError, match="different data folders"):
        analyse([load_run(a), load_run(c)])


def test_metric_label_from_settings(tmp_path):
    runs = {
        "old": {},  # nothing recorded: unknown, pairs with anything
        "spider": {"keep_distinct": False},  # scored before --metric existed: Spider's rules
        "kd": {"keep_distinct": True},
        "bird": {"metric": "bird", "keep_distinct": False},
    }
    got = {n: load_run(make_run(tmp_path / n, [True], 1, settings=s)).metric for n, s in runs.items()}
    assert got == {"old": None, "spider": "spider", "kd": "spider + keep DISTINCT", "bird": "bird"}


def test_scored_generation_runs_carry_data_and_split(tmp_path):
    """Ablation and quick-start arms go through `score`: their summaries must say data and split too."""
    from text2sql.data.benchmark import load_benchmark
    from text2sql.workflows.pipeline import generate_predictions, score

    bench = load_benchmark(None)
    examples = bench.examples("dev")[:3]
    prompts = tmp_path / "prompts.jsonl"
    prompts.write_text(
        "".join(
            json.dumps({"id": e.id, "gold": e.query, "messages": [{"role": "user", "content": e.question}]})
            + "\n"
            for e in examples
        )
    )
    run = generate_predictions(
        data=None, split="dev", output_dir=tmp_path / "arm", backend="gold", prompts=str(prompts), bench=bench
    )
    score(bench, run, tmp_path / "arm", workers=1, use_cache=False)
    loaded = load_run(tmp_path / "arm")
    assert (loaded.data, loaded.split, loaded.name) == (str(bench.root), "dev", "gold SQL")
