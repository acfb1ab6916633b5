"""scripts/gpu_smoke.sh: parses, and its --dry-run (CPU, micro models) runs every stage a GPU session runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "gpu_smoke.sh"


def test_script_parses():
    assert shutil.which("bash")
    r = subprocess.run(["bash", "-n", str(SCRIPT)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_unknown_argument_is_one_error_line():
    r = subprocess.run(["bash", str(SCRIPT), "--fast"], capture_output=True, text=True)
    assert r.returncode == 2 and r.stderr.strip() == "error: unknown argument --fast (use --dry-run)"


@pytest.mark.require_train
@pytest.mark.slow
def test_dry_run_measures_every_stage(tmp_path):
    env = {**os.environ, "PYTHON": sys.executable, "WORK": str(tmp_path / "work"), "OMP_NUM_THREADS": "2"}
    r = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run"], capture_output=True, text=True, env=env, timeout=900
    )
    out = r.stdout
    assert r.returncode == 0, out[-4000:] + r.stderr[-2000:]
    summary = out[out.index("== summary") :]
    for line in ("RESULT train lora-micro:", "RESULT train qlora-micro:", "RESULT generate hf-micro:"):
        assert line in summary
    train_lines = [x for x in summary.splitlines() if x.startswith("RESULT train")]
    assert all("tokens/s" in x and "peak" in x and "eval_loss" in x for x in train_lines)
    hf = next(x for x in summary.splitlines() if x.startswith("RESULT generate hf"))
    assert "new tokens/s (4 prompts x 8 tokens" in hf
    vllm = [x for x in summary.splitlines() if "generate vllm" in x]
    assert len(vllm) == 1 and (vllm[0].startswith("SKIPPED") or vllm[0].startswith("RESULT"))
    assert (tmp_path / "work" / "lora-small" / "adapter_config.json").is_file()
