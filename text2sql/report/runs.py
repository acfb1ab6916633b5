"""Read evaluated run folders (`summary.json` + `results.jsonl`, as `t2s eval` writes them).

Besides the verdicts, a run says what it was scored on (data folder, split, metric) so that the report
can refuse to pair runs of different benchmarks, and what produced it (model, adapter, backend,
decoding) so that an arm gets a name a reader understands instead of its timestamped folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.jsonl import BadRow
from text2sql.core.records import RESULTS, RunSummary, result_field

HARDNESS_ORDER = ["easy", "medium", "hard", "extra", "unknown"]
DIFFICULTY_ORDER = ["simple", "moderate", "challenging", "unknown"]
_SECTIONS = ("settings", "provenance", "run")  # where summaries keep data/split/metric


@dataclass
class Run:
    name: str
    path: Path
    summary: dict
    results: list[dict] = field(default_factory=list)  # id, question, correct, hardness, difficulty, ...
    named: bool = False  # the name was given (--name, the ablation arm), not derived

    @property
    def correct(self) -> dict[str, bool]:
        return {r["id"]: r["correct"] for r in self.results}

    @property
    def mean_tokens(self) -> float | None:
        """Mean prompt tokens; None when unknown (e.g. scored from a predictions file)."""
        toks = [r["n_tokens"] for r in self.results if r.get("n_tokens") is not None]
        if toks:
            return sum(toks) / len(toks)
        mean = self.summary.get("prompt_tokens_mean")
        return float(mean) if isinstance(mean, int | float) else None

    def setting(self, key: str):
        """A run-level setting (data, split, metric) wherever the summary keeps it; None if absent."""
        for section in _SECTIONS:
            value = (self.summary.get(section) or {}).get(key)
            if value not in (None, "", "None"):
                return value
        gen = self.summary.get("generation") or {}
        value = self.summary.get(key) or gen.get(key)
        return None if value in ("", "None") else value

    @property
    def data(self) -> str | None:
        value = self.setting("data")
        if isinstance(value, dict):  # a provenance record: the folder is one of its fields
            value = next((value[k] for k in ("folder", "path", "root", "dir") if value.get(k)), None)
        return os.path.normpath(str(value)) if value else None

    @property
    def split(self) -> str | None:
        value = self.setting("split")
        return str(value) if value else None

    @property
    def metric(self) -> str | None:
        """The EX metric (spider | bird), with `+ keep DISTINCT` when Spider's DISTINCT removal was off.

        A run scored before `--metric` existed but with `keep_distinct` recorded was scored with
        Spider's rules, so it says `spider`; a summary that records neither says nothing (None).
        """
        settings = self.summary.get("settings") or {}
        value = self.setting("metric")
        if value is None and "keep_distinct" not in settings:
            return None
        label = str(value or "spider")
        if settings.get("keep_distinct") and label == "spider":
            label += " + keep DISTINCT"
        return label


def _normalise(rec: dict) -> dict:
    """A results row as the report reads it, whatever spelling (`RESULT_ALIASES`) its file used."""
    n_tokens = result_field(rec, "n_tokens")
    if n_tokens is not None and (isinstance(n_tokens, bool) or not isinstance(n_tokens, int | float)):
        raise TypeError(f"n_tokens is {type(n_tokens).__name__}, expected a number")
    if "id" not in rec:
        raise KeyError("id")
    if not isinstance(rec["id"], str | int) or isinstance(rec["id"], bool):
        raise TypeError(f"id is {type(rec['id']).__name__}, expected a string")
    correct = result_field(rec, "correct", default=False)
    category = result_field(rec, "error")
    difficulty = rec.get("difficulty")
    return {
        "id": str(rec["id"]),
        "question": rec.get("question"),
        "gold": rec.get("gold"),
        "correct": bool(correct),
        "hardness": str(rec.get("hardness") or "unknown").lower(),
        "difficulty": str(difficulty).lower() if difficulty else None,
        "category": "correct" if correct else (category or "wrong result"),
        "n_tokens": n_tokens,
    }


def _check_result(rec: dict) -> None:
    try:
        _normalise(rec)
    except (KeyError, TypeError) as e:
        raise BadRow(f"not a result record ({e})") from None


def _short(path: str) -> str:
    """The last component of a model/adapter path or hub id; two for `.../checkpoint-500`."""
    parts = Path(str(path).rstrip("/")).parts
    if not parts:
        return str(path)
    tail = parts[-1]
    if len(parts) > 1 and (tail.startswith("checkpoint") or tail in ("final", "adapter", "merged")):
        return f"{parts[-2]}/{tail}"
    return tail


def derived_name(summary: dict) -> str | None:
    """A readable arm name from what produced the predictions (None when the summary does not say)."""
    gen = summary.get("generation") or {}
    settings = summary.get("settings") or {}
    backend = gen.get("backend")
    if backend == "gold":
        return "gold SQL"
    if backend == "replay" or (not gen and settings.get("predictions") not in (None, "None")):
        preds = gen.get("predictions") or settings.get("predictions")
        if preds in (None, "None"):
            return "replayed predictions"
        p = Path(str(preds))
        label = p.name if p.stem not in ("predictions", "pred", "preds") else f"{p.parent.name}/{p.name}"
        return f"predictions {label}"
    if not gen.get("model"):
        return None
    name = _short(gen["model"])
    if gen.get("adapter"):
        name += f" + {_short(gen['adapter'])}"
    if backend and backend != "hf":
        name += f" ({backend})"
    dec = gen.get("decoding") or {}
    if (dec.get("samples") or 1) > 1:
        name += f" · vote of {dec['samples']}"
    elif dec.get("temperature"):
        name += f" · T={dec['temperature']}"
    return name


_NUMBER = (int, float)


def _declared_fields() -> dict[tuple[str, ...], tuple[type, ...]]:
    """The top-level fields as `RunSummary` declares them (a float field takes any JSON number)."""
    import typing

    return {(k,): _NUMBER if t is float else (t,) for k, t in typing.get_type_hints(RunSummary).items()}


# Where a summary's fields live and what each must be: a report reads every one of them, so a summary
# written by hand or by another tool is checked here, once, rather than failing deep in the rendering.
# The top level is RunSummary's; below it, the fields a report reads from the nested objects.
_SUMMARY_FIELDS = {
    **_declared_fields(),
    ("arm",): (str,),  # an ablation arm's name, as older ablation summaries wrote it
    ("questions_sha256",): (str,),  # read from the top level too (Run.setting)
    ("generation", "backend"): (str,),
    ("generation", "model"): (str,),
    ("generation", "adapter"): (str,),
    ("generation", "predictions"): (str,),
    ("generation", "prompt_config_hash"): (str,),
    ("generation", "decoding"): (dict,),
    ("generation", "decoding", "temperature"): _NUMBER,
    ("generation", "decoding", "top_p"): _NUMBER,
    ("generation", "decoding", "samples"): (int,),
    **{(section,): (dict,) for section in _SECTIONS},
    ("settings", "keep_distinct"): (bool, int),
}


def check_summary(summary: dict, path: Path) -> None:
    """One `error:` line naming the file and the field when a summary field has the wrong type."""
    for keys, types in _SUMMARY_FIELDS.items():
        value, where = summary, []
        for k in keys:
            if not isinstance(value, dict):
                break
            value = value.get(k)
            where.append(k)
        else:
            bad = isinstance(value, bool) and bool not in types  # JSON true is not a number here
            if value is not None and (bad or not isinstance(value, types)):
                want = " or ".join({"str": "a string", "dict": "an object", "int": "an integer",
                                    "float": "a number", "bool": "true/false"}[t.__name__] for t in types)  # fmt: skip
                raise T2SError(
                    f"{path}: field {'.'.join(where)} is {type(value).__name__} {_short_repr(value)}, "
                    f"expected {want}: not a t2s run summary"
                )
    samples = ((summary.get("generation") or {}).get("decoding") or {}).get("samples")
    if samples is not None and samples < 1:
        raise T2SError(f"{path}: field generation.decoding.samples is {samples}, expected 1 or more")


def _short_repr(value, limit: int = 60) -> str:
    text = json.dumps(value, ensure_ascii=True, default=str)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def load_run(path: str | Path, name: str | None = None) -> Run:
    path = Path(path)
    summary_path, results_path = path / "summary.json", path / "results.jsonl"
    if not results_path.exists():
        raise T2SError(f"{path} is not an evaluated run: no results.jsonl (run `t2s eval` into it first)")
    try:
        summary = json.loads(summary_path.read_text()) if summary_path.exists() else {}
    except json.JSONDecodeError as e:
        raise T2SError(f"{summary_path} is not valid JSON: {e}") from None
    if not isinstance(summary, dict):
        raise T2SError(f"{summary_path} is not a run summary (a JSON object)")
    check_summary(summary, summary_path)
    results = [_normalise(r) for r in RESULTS.read(results_path, check=_check_result, empty_ok=True)]
    if not results:
        raise T2SError(f"{results_path} holds no results: nothing to report on")
    given = name or summary.get("name") or summary.get("arm")
    label = given or derived_name(summary) or path.name
    return Run(name=str(label), path=path, summary=summary, results=results, named=bool(given))


def disambiguate(runs: list[Run]) -> None:
    """Derived names that collide get the prompt hash, then the folder, appended (given names must differ)."""
    given = [r.name for r in runs if r.named]
    dup = sorted({n for n in given if given.count(n) > 1})
    if dup:
        raise T2SError(f"two runs share the name {dup[0]!r}: give each arm its own name")
    suffixes = (
        lambda r: f"prompt {str((r.summary.get('generation') or {}).get('prompt_config_hash') or '?')[:8]}",
        lambda r: r.path.name,
        lambda r: str(r.path),
    )
    for suffix in suffixes:
        names = [r.name for r in runs]
        for clash in sorted({n for n in names if names.count(n) > 1}):
            group = [r for r in runs if r.name == clash]
            free = [r for r in group if not r.named]
            values = [suffix(r) for r in free]
            if len(set(values)) > 1 or len(free) < len(group):  # this suffix tells them apart
                for r, v in zip(free, values, strict=True):
                    r.name = f"{r.name} · {v}"
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        raise T2SError(f"two runs share a name ({', '.join(names)}): give each arm its own name")
