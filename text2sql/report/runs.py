"""Read evaluated run folders (`summary.json` + `results.jsonl`, as `t2s eval` writes them)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from text2sql.errors import T2SError

HARDNESS_ORDER = ["easy", "medium", "hard", "extra", "unknown"]


@dataclass
class Run:
    name: str
    path: Path
    summary: dict
    results: list[dict] = field(
        default_factory=list
    )  # per example: id, correct, hardness, category, n_tokens

    @property
    def correct(self) -> dict[str, bool]:
        return {r["id"]: r["correct"] for r in self.results}

    @property
    def mean_tokens(self) -> float | None:
        toks = [r["n_tokens"] for r in self.results if r.get("n_tokens") is not None]
        if toks:
            return sum(toks) / len(toks)
        return self.summary.get("prompt_tokens_mean")


def _first(rec: dict, *keys, default=None):
    for k in keys:
        if rec.get(k) is not None:
            return rec[k]
    return default


def _normalise(rec: dict) -> dict:
    correct = _first(rec, "correct", "ex", "exec_match", "match", default=False)
    category = _first(rec, "category", "error_category", "error_type", "error", default=None)
    return {
        "id": str(rec["id"]),
        "correct": bool(correct),
        "hardness": str(_first(rec, "hardness", "difficulty", default="unknown")).lower(),
        "category": "correct" if correct else (category or "wrong result"),
        "n_tokens": _first(rec, "n_tokens", "prompt_tokens"),
    }


def load_run(path: str | Path, name: str | None = None) -> Run:
    path = Path(path)
    summary_path, results_path = path / "summary.json", path / "results.jsonl"
    if not results_path.exists():
        raise T2SError(f"{path} is not an evaluated run: no results.jsonl (run `t2s eval` into it first)")
    summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    results = []
    for n, line in enumerate(results_path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            try:
                results.append(_normalise(json.loads(line)))
            except (json.JSONDecodeError, KeyError) as e:
                raise T2SError(f"{results_path}:{n}: not a result record ({e})") from None
    name = name or summary.get("name") or summary.get("arm") or path.name
    return Run(name=str(name), path=path, summary=summary, results=results)
