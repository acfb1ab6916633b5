import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from text2sql.errors import T2SError
from text2sql.report import analyse, bootstrap_ci, load_run, mcnemar, write_report

REPO = Path(__file__).resolve().parents[1]


def make_run(path: Path, correct: list[bool], tokens: int, name: str | None = None) -> Path:
    path.mkdir(parents=True)
    hard = ["easy", "medium", "hard", "extra"]
    with open(path / "results.jsonl", "w") as f:
        for i, c in enumerate(correct):
            rec = {"id": f"dev-{i}", "correct": c, "hardness": hard[i % 4], "n_tokens": tokens}
            if not c:
                rec["category"] = "execution error" if i % 2 else "wrong result"
            f.write(json.dumps(rec) + "\n")
    (path / "summary.json").write_text(
        json.dumps({"ex": sum(correct) / len(correct), **({"name": name} if name else {})})
    )
    return path


def test_bootstrap_ci_brackets_the_mean_and_is_reproducible():
    vals = [1] * 70 + [0] * 30
    lo, hi = bootstrap_ci(vals)
    assert lo < 0.7 < hi and 0.55 < lo and hi < 0.82
    assert bootstrap_ci(vals) == (lo, hi)
    assert bootstrap_ci([1, 1, 1]) == (1.0, 1.0)


def test_mcnemar_exact_binomial():
    # 10 discordant pairs, split 9/1: p = 2 * (1 + 10) / 1024
    a = [True] * 9 + [False] + [True] * 5
    b = [False] * 9 + [True] + [True] * 5
    t = mcnemar(a, b)
    assert (t.only_a, t.only_b) == (9, 1)
    assert t.p_value == pytest.approx(22 / 1024)
    assert mcnemar([True, False], [True, False]).p_value == 1.0


def test_analyse_pairs_by_id_and_reports_hardness(tmp_path):
    base = load_run(make_run(tmp_path / "base", [True] * 10 + [False] * 10, 100))
    better = load_run(make_run(tmp_path / "better", [True] * 19 + [False], 300))
    data = analyse([base, better])
    arm = data["arms"][1]
    assert data["baseline"] == "base" and arm["ex"] == 0.95
    assert arm["mcnemar"]["only_arm"] == 9 and arm["mcnemar"]["only_baseline"] == 0
    assert arm["mcnemar"]["p"] == pytest.approx(2 / 512)
    assert set(data["hardness"]) == {"easy", "medium", "hard", "extra"}
    assert data["arms"][0]["errors"] == {"execution error": 5, "wrong result": 5}
    with pytest.raises(T2SError):
        analyse([base, better], baseline="nope")


def test_write_report_is_self_contained(tmp_path):
    runs = [make_run(tmp_path / n, [i % k != 0 for i in range(24)], 50 * k) for n, k in (("a", 2), ("b", 3))]
    paths = write_report(runs, tmp_path / "out")
    md = paths["markdown"].read_text()
    assert "| a |" in md and "McNemar vs a" in md and "EX by hardness" in md
    page = paths["html"].read_text()
    imgs = re.findall(r"src='data:image/png;base64,([A-Za-z0-9+/=]+)'", page)
    assert len(imgs) == 3 and all(base64.b64decode(s)[:8] == b"\x89PNG\r\n\x1a\n" for s in imgs)
    assert not re.search(r"(src|href)=['\"]https?:", page)  # no external assets


def test_missing_results_is_a_user_error(tmp_path):
    with pytest.raises(T2SError, match="results.jsonl"):
        load_run(tmp_path)


def test_report_renders_in_headless_chromium(tmp_path):
    sys.path.insert(0, str(REPO / "scripts"))
    from screenshot_report import find_chromium, screenshot

    if find_chromium() is None:
        pytest.skip("chromium not installed (apt-get install chromium)")
    runs = [make_run(tmp_path / n, [i % k != 0 for i in range(24)], 50 * k) for n, k in (("a", 2), ("b", 3))]
    paths = write_report(runs, tmp_path / "out")
    try:
        png = screenshot(paths["html"], tmp_path / "shot.png", size="1000,1600")
    except (subprocess.SubprocessError, RuntimeError) as e:
        pytest.skip(f"chromium could not run here: {e}")
    from PIL import Image

    img = Image.open(png).convert("L")
    assert img.size == (1000, 1600)
    # a rendered page with tables and figures is far from one flat colour
    assert sum(1 for c in img.histogram() if c) > 20
