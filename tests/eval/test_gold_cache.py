"""The gold cache: keyed by the database's content, never reused for a replaced file, reused for an unchanged one."""

from __future__ import annotations

import json
import os

import pytest
from db_helpers import nums_benchmark

import text2sql.eval.gold_cache as gold_cache_module
from text2sql.eval.evaluate import evaluate


def _one_db_bench(root, values):
    """The database's new content written beside it (`new.tmp`), for the test to move into place."""
    from text2sql.data.benchmark import load_benchmark

    folder = nums_benchmark(root, {"new.tmp": values}, "SELECT a FROM t")
    return folder / "nums.sqlite", folder / "new.tmp", load_benchmark(root)


@pytest.mark.parametrize("replace", ["rename", "overwrite"])
def test_gold_cache_never_reuses_a_replaced_database(tmp_path, monkeypatch, replace):
    """Same size, same mtime, different content: the cached gold of the old content must not be used."""
    monkeypatch.setattr(gold_cache_module, "RACY_SECONDS", -1.0)  # trust identities at once (settled files)
    root = tmp_path / "bench"
    path, tmp, bench = _one_db_bench(root, [1, 2, 3])
    tmp.rename(path)
    old = path.stat()
    cache = tmp_path / "cache"
    first = evaluate(
        bench, bench.examples("dev"), ["SELECT 1 UNION SELECT 2 UNION SELECT 3"], cache_dir=cache
    )
    assert first.summary["ex"] == 1.0
    _, tmp, _ = _one_db_bench(root, [7, 8, 9])  # same schema and row count: same file size
    assert tmp.stat().st_size == old.st_size
    if replace == "rename":
        tmp.rename(path)
    else:
        path.write_bytes(tmp.read_bytes())
        tmp.unlink()
    os.utime(path, ns=(old.st_atime_ns, old.st_mtime_ns))  # mtime put back, as `cp -p` or rsync would
    assert path.stat().st_size == old.st_size and path.stat().st_mtime_ns == old.st_mtime_ns
    again = evaluate(
        bench, bench.examples("dev"), ["SELECT 7 UNION SELECT 8 UNION SELECT 9"], cache_dir=cache
    )
    assert again.summary["ex"] == 1.0 and again.summary["gold_cache"]["hits"] == 0


def test_gold_cache_reused_for_unchanged_database(tmp_path, monkeypatch):
    monkeypatch.setattr(gold_cache_module, "RACY_SECONDS", -1.0)
    path, tmp, bench = _one_db_bench(tmp_path / "bench", [1, 2])
    tmp.rename(path)
    for _ in range(2):
        report = evaluate(bench, bench.examples("dev"), ["SELECT 1 UNION SELECT 2"], cache_dir=tmp_path / "c")
    assert report.summary["gold_cache"] == {"hits": 1, "misses": 0}
    hashes = json.loads((tmp_path / "c" / gold_cache_module.HASHES_FILE).read_text())
    assert list(hashes.values())[0][-1] == __import__("hashlib").sha256(path.read_bytes()).hexdigest()
