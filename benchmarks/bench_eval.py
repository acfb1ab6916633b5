"""Benchmark: t2s evaluation vs. the official evaluator's execution pattern on Spider dev.

Candidates per question: the gold plus corrupted variants (ORDER BY direction swapped, LIMIT
changed, WHERE dropped), so there are real non-matches. The baseline executes the way
test-suite-sql-eval does: a fresh connection per query, gold re-executed for every candidate,
sequential, no cache. We also check that both give the same verdict on every candidate.

    python benchmarks/bench_eval.py [--data ../shared/data/spider] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from text2sql.data.benchmark import load_benchmark
from text2sql.eval.evaluate import evaluate
from text2sql.execution.metric import normalize_sql, order_matters, results_equal

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "spider"


def corruptions(sql: str) -> list[str]:
    """Plausible wrong answers derived from the gold query."""
    out = []
    if re.search(r"\bDESC\b", sql, re.I):
        out.append(re.sub(r"\bDESC\b", "ASC", sql, count=1, flags=re.I))
    elif re.search(r"\bORDER BY\b", sql, re.I):
        out.append(re.sub(r"(\bORDER BY\b[^)]*?)(\s+LIMIT\b|$)", r"\1 DESC\2", sql, count=1, flags=re.I))
    if re.search(r"\bLIMIT\s+\d+", sql, re.I):
        out.append(
            re.sub(r"\bLIMIT\s+(\d+)", lambda m: f"LIMIT {int(m.group(1)) + 2}", sql, count=1, flags=re.I)
        )
    dropped = re.sub(
        r"\s+WHERE\s+.*?(?=\s+(GROUP BY|ORDER BY|LIMIT|INTERSECT|UNION|EXCEPT)\b|\)|$)",
        "",
        sql,
        count=1,
        flags=re.I,
    )
    if dropped != sql:
        out.append(dropped)
    if not out:
        out.append(sql + " LIMIT 1")
    return out


def official_style(db_path: str, gold: str, pred: str) -> bool:
    """One candidate as exec_eval.eval_exec_match runs it: new connections, gold executed again."""

    async def exec_on_db_(sql: str):
        con = sqlite3.connect(db_path)
        con.text_factory = lambda b: b.decode(errors="ignore")
        try:
            return con.execute(sql).fetchall()
        except Exception:
            return None
        finally:
            con.close()

    def run(sql: str):  # official: asyncio.run(exec_on_db(...)) with asyncio.wait_for(..., TIMEOUT)
        return asyncio.run(asyncio.wait_for(exec_on_db_(sql), 60))

    gold, pred = normalize_sql(gold), normalize_sql(pred)
    g, p = run(gold), run(pred)
    return p is not None and results_equal(g, p, order_matters(gold))


def cpu_seconds() -> float:
    """CPU time of this process and its finished workers: a measure that other load does not inflate."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    if not (args.data / "tables.json").exists():
        print(f"skipped: Spider not found at {args.data}")
        return 0
    bench = load_benchmark(args.data)
    dev = bench.examples("dev")
    examples, preds = [], []
    for ex in dev:
        # The gold, re-spaced as a model would write it (a verbatim gold is recognised and not executed).
        for cand in [" ".join(ex.query.split()), *corruptions(ex.query)]:
            examples.append(ex)
            preds.append(cand)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Spider dev: {len(dev)} questions, {len(preds)} candidates, {args.workers} workers")
    print(f"machine: {cores} cores, load average {load:.1f} at start (other processes slow both sides)")

    start, cpu = time.perf_counter(), cpu_seconds()
    baseline = [
        official_style(str(bench.db_path(ex.db_id)), ex.query, p)
        for ex, p in zip(examples, preds, strict=True)
    ]
    t_base, c_base = time.perf_counter() - start, cpu_seconds() - cpu

    with tempfile.TemporaryDirectory() as cache:
        start, cpu = time.perf_counter(), cpu_seconds()
        ours = evaluate(bench, examples, preds, workers=args.workers, cache_dir=cache)
        t_ours, c_ours = time.perf_counter() - start, cpu_seconds() - cpu
        start, cpu = time.perf_counter(), cpu_seconds()
        warm_all = evaluate(bench, examples, preds, workers=args.workers, cache_dir=cache)
        t_warm_all, c_warm_all = time.perf_counter() - start, cpu_seconds() - cpu

    golds = [ex.query for ex in dev]
    with tempfile.TemporaryDirectory() as cache:
        start = time.perf_counter()
        evaluate(bench, dev, golds, workers=args.workers, cache_dir=cache)
        t_cold_dev = time.perf_counter() - start
        start = time.perf_counter()
        warm = evaluate(bench, dev, golds, workers=args.workers, cache_dir=cache)
        t_warm_dev = time.perf_counter() - start

    verdicts = [r["correct"] for r in ours.results]
    agree = sum(a == b for a, b in zip(verdicts, baseline, strict=True))
    assert [r["correct"] for r in warm_all.results] == verdicts
    print(
        f"verdicts: {sum(verdicts)} correct of {len(verdicts)}; agreement with baseline {agree}/{len(verdicts)}"
    )
    print("                                                          wall        CPU (all processes)")
    print(f"baseline (official-style, sequential, fresh connections): {t_base:6.2f} s   {c_base:6.2f} s")
    print(f"t2s, cold gold cache:                                     {t_ours:6.2f} s   {c_ours:6.2f} s")
    print(
        f"t2s, warm gold cache:                                     {t_warm_all:6.2f} s   {c_warm_all:6.2f} s"
    )
    print(f"speed-up (wall): {t_base / t_ours:.1f}x cold, {t_base / t_warm_all:.1f}x warm")
    print(
        f"full dev, gold as prediction: cold {t_cold_dev:.2f} s, warm {t_warm_dev:.2f} s "
        f"(EX {100 * warm.summary['ex']:.1f}%, target warm < 3 s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
