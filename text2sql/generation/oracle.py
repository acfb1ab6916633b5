"""Backends that need no model: the gold SQL (pipeline checks: EX must be 100%) and replayed predictions."""

from __future__ import annotations

from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.records import PREDICTIONS, row_id, sql_of
from text2sql.generation.base import Backend


class GoldBackend(Backend):
    """Answers every prompt with its gold SQL, fenced like a chat model would, to exercise extraction too."""

    name = "gold"

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        out = []
        for r in records:
            if not r.get("gold"):
                raise T2SError(f"the gold backend needs gold SQL, and example {r.get('id')!r} has none")
            out.append([f"```sql\n{r['gold']}\n```"] * n)
        return out


def read_prediction_records(path: str | Path) -> dict[str, dict]:
    """id -> record from a JSONL of `{"id", "sql"}` records (what `t2s predict` writes); `sql` may be
    spelled as any of `SQL_KEYS`. Records made with `--samples N` also carry `greedy_sql` and `candidates`."""

    def check(rec: dict) -> None:
        row_id(rec)
        rec["sql"] = sql_of(rec, default="")

    return {str(rec["id"]): rec for rec in PREDICTIONS.read(path, check=check, empty_ok=True)}


def read_prediction_map(path: str | Path) -> dict[str, str]:
    """id -> SQL from a predictions JSONL."""
    return {k: r["sql"] for k, r in read_prediction_records(path).items()}


class ReplayBackend(Backend):
    """Answers with SQL read from an earlier predictions file, keyed by example id.

    With `samples > 1` it replays a self-consistency run: the greedy answer (`greedy_sql`) and the
    recorded `candidates`, so the same samples can be picked again another way (vote, verifier)
    without generating them twice.
    """

    name = "replay"
    fixed_candidates = True  # sampling settings do not change what it answers

    def __init__(self, path: str | Path, samples: int = 1):
        self.path = str(path)
        self.records = read_prediction_records(path)
        self.samples = samples
        if samples > 1:
            short = [k for k, r in self.records.items() if len(r.get("candidates") or []) < samples]
            if short:
                have = len(self.records[short[0]].get("candidates") or [])
                raise T2SError(
                    f"{self.path} has {have} sampled candidate(s) for example {short[0]!r}, and --samples is "
                    f"{samples}: replay a run made with --samples {samples} (or more)"
                )

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        missing = [r["id"] for r in records if str(r["id"]) not in self.records]
        if missing:
            raise T2SError(
                f"{self.path} has no prediction for {len(missing)} example(s), e.g. {missing[0]!r}"
            )
        found = [self.records[str(r["id"])] for r in records]
        if n > 1:
            return [list(rec["candidates"][:n]) for rec in found]
        key = "greedy_sql" if self.samples > 1 else "sql"
        return [[rec.get(key, rec["sql"])] for rec in found]

    def info(self) -> dict:
        return {"backend": self.name, "predictions": self.path}
