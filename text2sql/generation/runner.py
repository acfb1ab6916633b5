"""Generate predictions for prompt records, written per example so that a rerun resumes.

The output is a JSONL keyed by example id, flushed after every example: a crash loses at most the
batch in flight, and rerunning the same command skips the ids already written. A sidecar
`<file>.meta.json` holds the generation settings; resuming under different settings is refused,
since mixing two decoders in one file would make the number meaningless.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path

from text2sql.core.errors import T2SError, set_interrupt_hint
from text2sql.core.files import atomic_write_text, hold_run_lock
from text2sql.core.jsonl import BadRow, JsonlAppender, read_jsonl
from text2sql.execution.extraction import extract_sql
from text2sql.generation.base import Backend, DecodingConfig, chunks

RESUME = "delete that line to keep the rest and rerun, or pass --overwrite to start again"


def _check_done(rec: dict) -> None:
    if rec.get("id") is None or not isinstance(rec.get("sql", ""), str):
        raise BadRow("not a prediction record with an id")


def _load_done(path: Path) -> dict[str, dict]:
    """Finished records (a torn last line is cut off by `JsonlAppender` before this reads them).
    Damage anywhere else is reported with its line number."""
    if not path.exists():
        return {}
    rows = read_jsonl(path, "predictions", RESUME, check=_check_done, empty_ok=True, damaged=True)
    return {str(rec["id"]): rec for rec in rows}


def _read_meta(path: Path, predictions: Path) -> dict | None:
    """The settings a folder was written with; a damaged file is one line (it is written atomically
    now, but an older t2s or a full disk may have torn it)."""
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        if not predictions.exists():
            return None  # nothing to protect: it is rewritten below
        raise T2SError(
            f"{path} is damaged ({e}): the settings of {predictions.name} are unknown; "
            "pass --overwrite to start again, or delete the .meta.json to resume under the current settings"
        ) from None
    if not isinstance(meta, dict):
        if not predictions.exists():
            return None
        raise T2SError(f"{path} is damaged (not a JSON object): pass --overwrite to start again")
    return meta


class PredictionWriter:
    def __init__(self, path: str | Path, settings: dict, overwrite: bool = False):
        self.path = Path(path)
        self.meta_path = self.path.with_name(self.path.name + ".meta.json")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # single writer: a second run into this file stops here, naming the first
        hold_run_lock(self.path.parent, f".{self.path.name}.lock")
        if overwrite:
            self.path.unlink(missing_ok=True)
            self.meta_path.unlink(missing_ok=True)
        old = _read_meta(self.meta_path, self.path) if self.meta_path.exists() else None
        if old is not None:
            # a key missing on one side counts as None: folders written before a key existed still resume
            changed = sorted(k for k in set(old) | set(settings) if old.get(k) != settings.get(k))
            if changed and self.path.exists():
                if {"model", "base_url"} & set(changed):
                    raise T2SError(
                        f"{self.path} holds answers from model {old.get('model')!r} at "
                        f"{old.get('base_url') or 'a local backend'}, not {settings.get('model')!r} at "
                        f"{settings.get('base_url') or 'a local backend'}: resuming would mix two endpoints; "
                        "pass --overwrite to start again or choose another output"
                    )
                raise T2SError(
                    f"{self.path} was written with other settings ({', '.join(changed)} differ): "
                    "pass --overwrite to start again or choose another output"
                )
        atomic_write_text(self.meta_path, json.dumps(settings, indent=2, sort_keys=True) + "\n")
        self._f = JsonlAppender(self.path)  # cuts a torn last line, so appends stay valid JSONL
        try:
            self.done = _load_done(self.path)
        except BaseException:
            self._f.close()
            raise

    def write(self, record: dict) -> None:
        self._f.write(record)
        self.done[str(record["id"])] = record

    def close(self) -> None:
        self._f.close()


def continue_hint(writer: PredictionWriter, total: int, argv: list[str]) -> str:
    """Where the partial predictions are and the command (`argv`) that continues them."""
    from text2sql.core.provenance import command_line

    done = len(writer.done)
    argv = [a for a in argv if a != "--overwrite"]  # continuing must not start afresh
    return (
        f"{done} of {total} predictions are saved in {writer.path}; to continue, rerun: {command_line(argv)}"
    )


Voter = Callable[[dict, list[str]], dict]  # (prompt record, candidate SQLs) -> {"sql", "votes", ...}


def predict(
    records: list[dict],
    backend: Backend,
    output: str | Path,
    decoding: DecodingConfig | None = None,
    voter: Voter | None = None,
    settings: dict | None = None,
    overwrite: bool = False,
    on_batch: Callable[[int, int], None] | None = None,
    log: Callable[[str], None] | None = None,
) -> list[dict]:
    """Predictions for `records` in their order, reusing those already in `output`.

    With `decoding.samples > 1`, each example gets a greedy answer and `samples` sampled candidates;
    `voter` picks among the candidates (self-consistency) and both answers are kept.
    """
    d = decoding or DecodingConfig()
    if d.samples > 1 and voter is None:
        raise T2SError("self-consistency (`samples` > 1) needs a voter that executes the candidates")
    if d.samples > 1 and d.temperature <= 0 and not getattr(backend, "fixed_candidates", False):
        raise T2SError("`samples` > 1 needs `temperature` > 0: greedy candidates would all be identical")
    meta = {"decoding": d.to_dict(), **(settings or {})}
    meta["decoding"].pop("batch_size")  # batching changes speed, not answers
    writer = PredictionWriter(output, meta, overwrite=overwrite)
    from text2sql.core.progress import Progress

    todo = [r for r in records if str(r["id"]) not in writer.done]
    todo.sort(key=lambda r: r.get("n_tokens") or len(r.get("prompt") or ""))  # length-sorted batches
    n_done = len(records) - len(todo)
    if n_done and log is not None:
        log(f"resuming: {n_done} of {len(records)} done in {writer.path}")
    argv = list(sys.argv)
    set_interrupt_hint(lambda: continue_hint(writer, len(records), argv))
    bar = Progress("generate", len(records), unit="rows", done=n_done) if todo else None
    try:
        for k, batch in enumerate(chunks(todo, d.batch_size)):
            first = backend.generate(batch, n=1, temperature=d.temperature if d.samples == 1 else 0.0)
            sampled = (
                backend.generate(batch, n=d.samples, temperature=d.temperature) if d.samples > 1 else None
            )
            for i, rec in enumerate(batch):
                prefix = rec.get("response_prefix")
                raw = first[i][0]
                out = {
                    "id": rec["id"],
                    "db_id": rec.get("db_id"),
                    "sql": extract_sql(raw, prefix),
                    "raw": raw,
                }
                if sampled is not None:
                    cands = [extract_sql(t, prefix) for t in sampled[i]]
                    out["greedy_sql"] = out["sql"]
                    out.update(voter(rec, cands))  # sets "sql" to the voted answer, adds "votes"
                    out["candidates"] = cands
                writer.write(out)
            if bar is not None:
                bar.advance(len(batch))
            if on_batch:
                on_batch(k + 1, len(batch))
    finally:
        if bar is not None:
            bar.close()
        writer.close()
    set_interrupt_hint(None)
    return [writer.done[str(r["id"])] for r in records if str(r["id"]) in writer.done]
