"""`t2s ablate SPEC.json`: run a grid of prompt and model arms, evaluate each, report them side by side.

A spec (see examples/ablation-*.json):

    {"name": "fk-rows", "split": "dev", "limit": 60, "output_dir": "runs/ablate/fk-rows",
     "base": {"repr": "code", "backend": "hf", "model": "runs/tiny-model"},
     "grid": {"fk": [true, false], "rows": [0, 3],
              "model": [{"name": "base"}, {"name": "sft", "adapter": "runs/tiny-qlora-sft"}]},
     "baseline": "fk=true,rows=0,model=base"}

`grid` keys are PromptConfig fields (repr, fk, rule, rows, values, shots, select, org, ...) or
generation keys (model, adapter, backend, samples, temperature, max_new_tokens, pick, reward_model, ...); a dict value
sets several keys at once and is named by its `name`. Each arm lives in `output_dir/<arm name>`:
rerunning resumes its predictions and reuses the gold-result cache, and a finished arm is skipped.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable
from pathlib import Path

from text2sql.errors import T2SError

# Backend keys; decoding keys are DecodingConfig's fields (`seed` seeds both example selection and sampling).
GEN_KEYS = {"model", "adapter", "backend", "base_url", "api_key_env", "concurrency", "predictions", "prompts"}
GEN_KEYS |= {"pick", "reward_model", "reward_adapter"}  # best-of-N selection (text2sql/generation/picking.py)


def _label(value) -> str:
    if isinstance(value, dict):
        if "name" not in value:
            raise T2SError(f"grid value {value} needs a 'name' to label its arm")
        return str(value["name"])
    return json.dumps(value) if not isinstance(value, str) else value


def arms(spec: dict) -> list[tuple[str, dict]]:
    """Every (arm name, settings) of the grid, base settings first overridden by the arm's values."""
    grid = spec.get("grid") or {}
    if not isinstance(grid, dict) or any(not isinstance(v, list) or not v for v in grid.values()):
        raise T2SError("spec 'grid' must map each key to a non-empty list of values")
    out = []
    for combo in itertools.product(*grid.values()) if grid else [()]:
        settings, parts = dict(spec.get("base") or {}), []
        for key, value in zip(grid, combo, strict=True):
            if isinstance(value, dict):
                settings.update({k: v for k, v in value.items() if k != "name"})
            else:
                settings[key] = value
            parts.append(f"{key}={_label(value)}")
        name = ",".join(parts) or "base"
        out.append((re.sub(r"[^\w.,=+-]", "_", name), settings))
    return out


def split_settings(settings: dict):
    """(PromptConfig, generation kwargs) from one arm's flat settings."""
    from dataclasses import fields

    from text2sql.generation import DecodingConfig
    from text2sql.prompt_builder import PromptConfig

    prompt_keys = {f.name for f in fields(PromptConfig)}
    unknown = set(settings) - prompt_keys - GEN_KEYS - set(DecodingConfig.__dataclass_fields__)
    if unknown:
        raise T2SError(f"unknown ablation setting(s) {', '.join(sorted(unknown))}")
    config = PromptConfig(**{k: v for k, v in settings.items() if k in prompt_keys})
    config.validate()
    decoding = DecodingConfig(
        **{k: v for k, v in settings.items() if k in DecodingConfig.__dataclass_fields__}
    )
    gen = {
        k: v for k, v in settings.items() if k in GEN_KEYS and k not in DecodingConfig.__dataclass_fields__
    }
    return config, decoding, gen


def run_ablation(
    spec_path: str | Path | dict, output_dir: str | Path | None = None, log: Callable[[str], None] = print
) -> dict[str, Path]:
    """Run (or resume) every arm, then write the report into the output folder."""
    from text2sql.data.benchmark import load_benchmark
    from text2sql.generation.pipeline import generate_predictions, score
    from text2sql.report import write_report

    if isinstance(spec_path, dict):
        spec = spec_path
    else:
        try:
            spec = json.loads(Path(spec_path).read_text())
        except (OSError, json.JSONDecodeError) as e:
            raise T2SError(f"cannot read ablation spec {spec_path}: {e}") from None
    out = Path(output_dir or spec.get("output_dir") or f"runs/ablate/{spec.get('name', 'ablation')}")
    bench = load_benchmark(spec.get("data"))
    split, limit = spec.get("split", "dev"), spec.get("limit")
    plan = arms(spec)
    for name, settings in plan:
        config, decoding, gen = split_settings(settings)
        arm_dir = out / name
        done = arm_dir / "summary.json"
        if done.exists() and json.loads(done.read_text()).get("arm_settings") == settings:
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
            **gen,
        )
        report = score(bench, run, None, workers=spec.get("workers"))
        report.summary.update(name=name, arm_settings=settings)
        report.write(arm_dir)
        log(f"{name}: EX {100 * report.summary['ex']:.1f}%")
    baseline = spec.get("baseline")
    return write_report([out / n for n, _ in plan], out, baseline=baseline)
