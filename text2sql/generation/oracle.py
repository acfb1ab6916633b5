"""Backends that need no model: the gold SQL (pipeline checks: EX must be 100%) and replayed predictions."""

from __future__ import annotations

import json
from pathlib import Path

from text2sql.core.errors import T2SError
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


def read_prediction_map(path: str | Path) -> dict[str, str]:
    """id -> SQL from a JSONL of `{"id", "sql"}` records (what `t2s predict` writes)."""
    path = Path(path)
    if not path.exists():
        raise T2SError(f"predictions file {path} does not exist")
    out = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
            out[str(rec["id"])] = rec.get("sql", rec.get("prediction", ""))
        except (json.JSONDecodeError, KeyError, TypeError):
            raise T2SError(f"{path}:{n}: each line must be a JSON object with id and sql") from None
    return out


class ReplayBackend(Backend):
    """Answers with SQL read from an earlier predictions file, keyed by example id."""

    name = "replay"

    def __init__(self, path: str | Path):
        self.path = str(path)
        self.sql = read_prediction_map(path)

    def generate(self, records: list[dict], n: int = 1, temperature: float = 0.0) -> list[list[str]]:
        missing = [r["id"] for r in records if r["id"] not in self.sql]
        if missing:
            raise T2SError(
                f"{self.path} has no prediction for {len(missing)} example(s), e.g. {missing[0]!r}"
            )
        return [[self.sql[r["id"]]] * n for r in records]

    def info(self) -> dict:
        return {"backend": self.name, "predictions": self.path}
