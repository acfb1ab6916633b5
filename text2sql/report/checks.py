"""What a report refuses: runs that cannot be paired question by question, and an unknown baseline."""

from __future__ import annotations

from text2sql.core.errors import T2SError
from text2sql.report.runs import Run


def check_comparable(runs: list[Run], base: Run) -> None:
    """Refuse to pair runs scored on different data folders, splits, metrics or questions."""
    for attr, what in (("data", "data folders"), ("split", "splits"), ("metric", "metrics")):
        known = {r.name: getattr(r, attr) for r in runs if getattr(r, attr) is not None}
        if len(set(known.values())) > 1:
            listing = "; ".join(f"{n}: {v}" for n, v in known.items())
            raise T2SError(
                f"these runs were scored on different {what} ({listing}): a report pairs runs question by "
                "question, so give it runs of one benchmark, split and metric"
            )
    base_ids = set(base.correct)
    base_rows = {r["id"]: r for r in base.results}
    base_sum = base.setting("questions_sha256")
    for run in runs:
        if run is base:
            continue
        ids = set(run.correct)
        if ids != base_ids:
            only_base, only_run = sorted(base_ids - ids), sorted(ids - base_ids)
            example = (only_run or only_base)[0]
            raise T2SError(
                f"{run.name} and {base.name} answer different questions ({len(ids)} vs {len(base_ids)}; "
                f"{len(only_base)} only in {base.name}, {len(only_run)} only in {run.name}, e.g. {example!r}): "
                "compare runs of the same benchmark, split and --limit"
            )
        for r in run.results:
            for key, what in (("question", "reads differently"), ("gold", "has another gold SQL")):
                mine, theirs = r[key], base_rows[r["id"]][key]
                if mine is not None and theirs is not None and mine != theirs:
                    raise T2SError(
                        f"question {r['id']!r} {what} in {run.name} and {base.name}: "
                        "these runs come from different benchmarks (or versions of one)"
                    )
        checksum = run.setting("questions_sha256")
        if checksum and base_sum and str(checksum) != str(base_sum):
            checksum, base_sum = str(checksum), str(base_sum)
            raise T2SError(
                f"{run.name} and {base.name} record different question checksums ({checksum[:19]}… vs "
                f"{base_sum[:19]}…): these runs come from different benchmarks (or versions of one)"
            )


def find_baseline(runs: list[Run], baseline: str | None) -> Run:
    if not baseline:
        return runs[0]
    for match in (
        lambda r: r.name == baseline,
        lambda r: r.path.name == baseline or str(r.path) == baseline,
    ):
        hits = [r for r in runs if match(r)]
        if len(hits) == 1:
            return hits[0]
    names = ", ".join(r.name for r in runs)
    raise T2SError(f"baseline {baseline!r} is not one of the runs (by name or folder): {names}")
