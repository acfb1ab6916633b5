"""`build-dpo` gives the same negatives, counts and bytes on every run (issue 13: 611 vs 612 wobble)."""

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# An unqualified column that two joined tables both have: its owner must not depend on set order.
PROBE = """
import json, sys
from text2sql.trainsets.corruptions import corruptions
from text2sql.data.benchmark import load_benchmark
schema = load_benchmark(None).schema("library")
sql = "SELECT name FROM member JOIN author ON member.member_id = author.author_id"
print(json.dumps(corruptions(sql, schema)))
"""


def _run(code_or_args, seed: int, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONHASHSEED": str(seed), "PYTHONPATH": str(REPO)}
    cmd = [sys.executable, "-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    assert res.returncode == 0, res.stderr
    return res


def test_corruptions_do_not_depend_on_the_hash_seed(tmp_path):
    outs = {_run(PROBE, seed, tmp_path).stdout for seed in (0, 1, 2, 3, 4, 5)}
    assert len(outs) == 1
    assert any(kind == "wrong_column" for kind, _ in json.loads(outs.pop()))


@pytest.mark.require_train
def test_build_dpo_twice_gives_identical_counts_and_bytes(tmp_path):
    digests, stats = set(), set()
    for seed in (1, 2):
        out = tmp_path / f"dpo-{seed}.jsonl"
        cmd = [sys.executable, "-m", "text2sql", "build-dpo", "-o", str(out), "--limit", "40"]
        res = _run(cmd, seed, tmp_path)
        line = next(x for x in res.stdout.splitlines() if x.startswith('{"dpo_stats"'))
        stats.add(line)
        digests.add(hashlib.sha256(out.read_bytes()).hexdigest())
    assert len(stats) == 1 and len(digests) == 1
    assert json.loads(stats.pop())["dpo_stats"]["pairs"] > 0
