"""`t2s ablate SPEC.json`: run a grid of prompt and model arms, evaluate each, report them side by side.

A spec (see examples/ablation-*.json):

    {"name": "fk-rows", "split": "dev", "limit": 60, "output_dir": "runs/ablate/fk-rows",
     "base": {"repr": "code", "backend": "hf", "model": "runs/tiny-model"},
     "grid": {"fk": [true, false], "rows": [0, 3],
              "model": [{"name": "base"}, {"name": "sft", "adapter": "runs/tiny-qlora-sft"}]},
     "baseline": "fk=true,rows=0,model=base"}

`grid` keys are PromptConfig fields (repr, fk, rule, rows, values, shots, select, org, ...) or
generation keys (model, adapter, backend, samples, temperature, max_new_tokens, pick, verifier, ...); a dict value
sets several keys at once and is named by its `name`. Each arm lives in `output_dir/<arm name>`:
rerunning resumes its predictions and reuses the gold-result cache, and a finished arm is skipped.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

from text2sql.core.errors import T2SError

# Backend keys; decoding keys are DecodingConfig's fields (`seed` seeds both example selection and sampling).
GEN_KEYS = {"model", "adapter", "backend", "base_url", "api_key_env", "concurrency", "predictions", "prompts"}
GEN_KEYS |= {"pick", "verifier", "verifier_adapter"}  # best-of-N selection (text2sql/generation/picking.py)
# Settings renamed (old -> new); the old names are read for one release, with a note.
RENAMED_SETTINGS = {"reward_model": "verifier", "reward_adapter": "verifier_adapter"}
# The spec's own top-level keys.
SPEC_KEYS = {"name", "data", "split", "limit", "output_dir", "base", "grid", "baseline", "workers"}


def _did_you_mean(word: str, choices) -> str:
    import difflib

    match = difflib.get_close_matches(str(word), sorted(choices), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _label(value) -> str:
    if isinstance(value, dict):
        if not isinstance(value.get("name"), str | int | float) or isinstance(value.get("name"), bool):
            raise T2SError(f"grid value {value} needs a 'name' (a string) to label its arm")
        return str(value["name"])
    return json.dumps(value) if not isinstance(value, str) else value


def arms(spec: dict) -> list[tuple[str, dict]]:
    """Every (arm name, settings) of the grid, base settings first overridden by the arm's values."""
    grid = spec.get("grid") or {}
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise T2SError("spec 'grid' must map each key to a non-empty list of values")
    out, noted = [], set()
    for combo in itertools.product(*grid.values()) if grid else [()]:
        settings, parts = dict(spec.get("base") or {}), []
        for key, value in zip(grid, combo, strict=True):
            if isinstance(value, dict):
                settings.update({k: v for k, v in value.items() if k != "name"})
            else:
                settings[key] = value
            parts.append(f"{key}={_label(value)}")
        name = ",".join(parts) or "base"
        out.append((re.sub(r"[^\w.,=+-]", "_", name), renamed_settings(settings, noted)))
    return out


def renamed_settings(settings: dict, noted: set | None = None) -> dict:
    """`settings` under the current key names and pick values; each old spelling prints a note (once per
    `noted` set), so a spec written for the old names keeps running for one release."""
    import sys

    from text2sql.generation.picking import pick_name

    noted = set() if noted is None else noted

    def note(line: str) -> None:
        if line not in noted:
            noted.add(line)
            print(f"note: {line}; the old name goes in the next release", file=sys.stderr)

    out = {}
    for key, value in settings.items():
        if key in RENAMED_SETTINGS:
            note(f"ablation setting {key!r} is now {RENAMED_SETTINGS[key]!r}")
            key = RENAMED_SETTINGS[key]
        if key == "pick" and isinstance(value, str) and pick_name(value) != value:
            note(f"pick {value!r} is now {pick_name(value)!r}")
            value = pick_name(value)
        out[key] = value
    return out


def split_settings(settings: dict):
    """(PromptConfig, generation kwargs) from one arm's flat settings."""
    from dataclasses import fields

    from text2sql.generation import DecodingConfig
    from text2sql.prompts.builder import PromptConfig

    prompt_keys = {f.name for f in fields(PromptConfig)}
    known = prompt_keys | GEN_KEYS | set(DecodingConfig.__dataclass_fields__)
    unknown = sorted(set(settings) - known)
    if unknown:
        raise T2SError(
            f"unknown ablation setting(s) {', '.join(unknown)}{_did_you_mean(unknown[0], known)}; "
            f"settings are prompt options ({', '.join(sorted(prompt_keys))}), decoding options "
            f"({', '.join(DecodingConfig.__dataclass_fields__)}) or {', '.join(sorted(GEN_KEYS))}"
        )
    _check_types(settings)
    config = PromptConfig(**{k: v for k, v in settings.items() if k in prompt_keys})
    config.validate()
    decoding = DecodingConfig(
        **{k: v for k, v in settings.items() if k in DecodingConfig.__dataclass_fields__}
    )
    gen = {
        k: v for k, v in settings.items() if k in GEN_KEYS and k not in DecodingConfig.__dataclass_fields__
    }
    return config, decoding, gen


def _check_types(settings: dict) -> None:
    """Each value has its option's type: `"fk": "no"` would otherwise silently mean True."""
    from dataclasses import MISSING, fields

    from text2sql.generation import DecodingConfig
    from text2sql.prompts.builder import PromptConfig

    defaults = {f.name: f.default for f in fields(PromptConfig) if f.default is not MISSING}
    defaults.update({f.name: f.default for f in fields(DecodingConfig)})
    for key, value in settings.items():
        default = defaults.get(key)
        if key == "concurrency":
            ok = isinstance(value, int) and not isinstance(value, bool) and value >= 1
        elif key in GEN_KEYS:  # paths, names and URLs
            ok = value is None or isinstance(value, str)
        elif isinstance(default, bool):
            ok = isinstance(value, bool)
        elif isinstance(default, int):
            ok = isinstance(value, int) and not isinstance(value, bool)
        elif isinstance(default, float):
            ok = isinstance(value, int | float) and not isinstance(value, bool)
        else:
            ok = value is None or isinstance(value, str | int | float)
        if not ok:
            want = (
                "a positive int"
                if key == "concurrency"
                else "a string"
                if key in GEN_KEYS or default is None
                else type(default).__name__
            )
            raise T2SError(f"ablation setting {key!r} must be {want}, not {value!r}")


def _check_arm(name: str, settings: dict) -> None:
    """Everything that would otherwise fail only when this arm's turn comes."""
    from text2sql.generation import BACKENDS
    from text2sql.models.checks import check_model_path

    try:
        config, decoding, gen = split_settings(settings)
        backend = gen.get("backend", "hf")
        if backend not in BACKENDS:
            raise T2SError(f"unknown backend {backend!r}: choose one of {', '.join(BACKENDS)}")
        if backend in ("hf", "vllm", "openai") and not gen.get("model"):
            raise T2SError(f"the {backend} backend needs a 'model'")
        if backend == "replay" and not gen.get("predictions"):
            raise T2SError("the replay backend needs 'predictions'")
        decoding.validate()  # its errors name the fields: the spec's keys
        if decoding.samples > 1 and decoding.temperature <= 0:
            raise T2SError("samples > 1 needs temperature > 0")
        if backend in ("hf", "vllm"):
            check_model_path(gen.get("model"), "model")
            check_model_path(gen.get("adapter"), "adapter")
        for key in ("predictions", "prompts"):
            if gen.get(key) and not Path(gen[key]).is_file():
                raise T2SError(f"{key} file {gen[key]} does not exist")
    except T2SError as e:
        raise T2SError(f"arm {name}: {e}") from None


def validate_spec(spec: dict) -> list[tuple[str, dict]]:
    """Check the whole spec before any arm runs (keys, every grid value, the baseline); return the arms."""
    if not isinstance(spec, dict):
        raise T2SError("an ablation spec is a JSON object with base, grid and baseline")
    unknown = sorted(set(spec) - SPEC_KEYS)
    if unknown:
        raise T2SError(
            f"unknown spec key {unknown[0]!r}{_did_you_mean(unknown[0], SPEC_KEYS)}; "
            f"a spec has {', '.join(sorted(SPEC_KEYS))}"
        )
    for key in ("name", "data", "split", "output_dir", "baseline"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise T2SError(f"spec {key!r} must be a string, not {spec[key]!r}")
    if not isinstance(spec.get("base") or {}, dict):
        raise T2SError("spec 'base' must be an object of settings")
    limit = spec.get("limit")
    if limit is not None and (not isinstance(limit, int) or isinstance(limit, bool) or limit < 1):
        raise T2SError(f"spec 'limit' must be a positive integer, not {limit!r}")
    workers = spec.get("workers")
    if workers is not None and (not isinstance(workers, int) or isinstance(workers, bool) or workers < 1):
        raise T2SError(f"spec 'workers' must be a positive integer, not {workers!r}")
    plan = arms(spec)
    for name, settings in plan:
        _check_arm(name, settings)
    names = [n for n, _ in plan]
    baseline = spec.get("baseline")
    if baseline is not None and baseline not in names:
        raise T2SError(
            f"baseline {baseline!r} is not an arm{_did_you_mean(baseline, names)}; the arms are {', '.join(names)}"
        )
    return plan


def run_ablation(
    spec_path: str | Path | dict,
    output_dir: str | Path | None = None,
    log: Callable[[str], None] = print,
    overwrite: bool = False,
) -> dict[str, Path]:
    """Validate the whole spec, run (or resume) every arm, then write the report into the output folder.

    `overwrite` starts every arm afresh instead of resuming or skipping it.
    """
    from text2sql.core.provenance import run_provenance
    from text2sql.data.benchmark import load_benchmark
    from text2sql.report import write_report
    from text2sql.workflows.pipeline import generate_predictions, score

    if isinstance(spec_path, dict):
        spec = spec_path
    else:
        try:
            spec = json.loads(Path(spec_path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise T2SError(f"cannot read ablation spec {spec_path}: {e}") from None
    plan = validate_spec(spec)
    out = Path(output_dir or spec.get("output_dir") or f"runs/ablate/{spec.get('name', 'ablation')}")
    bench = load_benchmark(spec.get("data"))
    split, limit = spec.get("split", "dev"), spec.get("limit")
    bench.examples(split)  # an unknown split fails here, before any arm
    for name, settings in plan:
        config, decoding, gen = split_settings(settings)
        arm_dir = out / name
        done = arm_dir / "summary.json"
        if not overwrite and done.exists() and json.loads(done.read_text()).get("arm_settings") == settings:
            log(f"{name}: done already, skipped")
            continue
        log(f"{name}: generating and evaluating")
        run = generate_predictions(
            data=None,
            bench=bench,
            split=split,
            output_dir=arm_dir,
            prompt_config=config,
            decoding=decoding,
            limit=limit,
            backend=gen.pop("backend", "hf"),
            overwrite=overwrite,
            **gen,
        )
        report = score(bench, run, None, workers=spec.get("workers"))
        report.summary.update(name=name, arm_settings=settings)
        report.summary["provenance"] = run_provenance(bench, split, run.examples, run.records)
        report.summary["provenance"]["ablation_spec"] = spec
        report.write(arm_dir)
        log(f"{name}: EX {100 * report.summary['ex']:.1f}%")
    baseline = spec.get("baseline")
    return write_report([out / n for n, _ in plan], out, baseline=baseline)
