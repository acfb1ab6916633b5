"""Prompts -> backend -> predictions: the one call behind `t2s predict` and `t2s eval --model`."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.files import atomic_write_text
from text2sql.core.jsonl import BadRow
from text2sql.core.records import PROMPTS
from text2sql.generation import BackendConfig, DecodingConfig, library_versions, open_backend, predict

PREDICTIONS = "predictions.jsonl"
GENERATION = "generation.json"


@dataclass
class GenerationRun:
    records: list[dict]
    predictions: list[dict]
    info: dict  # backend, decoding, versions, model, adapter, prompt hash: goes into the summary
    output_dir: Path
    examples: list = field(default_factory=list)  # benchmark Examples, in record order

    def sql_for(self, examples) -> list[str]:
        """One predicted SQL per example, matched by id (prompt files may be ordered differently)."""
        by_id = {p["id"]: p["sql"] for p in self.predictions}
        missing = [ex.id for ex in examples if ex.id not in by_id]
        if missing:
            raise T2SError(
                f"no prediction for {len(missing)} example(s), e.g. {missing[0]!r}: do the prompts cover them?"
            )
        return [by_id[ex.id] for ex in examples]


def _check_prompt(rec: dict) -> None:
    if "id" not in rec or not (rec.get("messages") or rec.get("prompt")):
        raise BadRow("a prompt record needs id and messages")


def read_prompt_records(path: str | Path) -> list[dict]:
    """Records written by `t2s build-prompts` (JSONL)."""
    return PROMPTS.read(path, check=_check_prompt)


def check_prompt_hash(adapter_or_model: str | None, records: list[dict]) -> str | None:
    """A warning when the model was trained on prompts built with another configuration."""
    if not adapter_or_model or not Path(adapter_or_model).is_dir():
        return None
    from text2sql.models.meta import read_training_meta

    trained = read_training_meta(adapter_or_model).get("prompt_config_hash")
    used = {r.get("config_hash") for r in records} - {None}
    if trained and used and used != {trained}:
        return (
            f"warning: {adapter_or_model} was trained on prompts with config hash {trained}, "
            f"but these prompts have {', '.join(sorted(used))}: scores may understate the model"
        )
    return None


def _slug(text: str) -> str:
    import re

    name = Path(str(text).rstrip("/\\")).name or str(text)
    return re.sub(r"[^\w.+-]", "_", name)[:40] or "model"


def default_run_dir(
    kind: str,
    *,
    backend: str,
    model: str | None,
    adapter: str | None,
    data,
    split: str,
    prompt_key: str | None,
    decoding: DecodingConfig,
) -> Path:
    """`runs/<kind>/<model>[+<adapter>]-<split>-<hash>`: the same command gets the same folder, so it resumes.

    The hash covers everything that changes the answers: backend, model, adapter, data folder,
    split, the prompt settings (or prompts file) and decoding; batch size and --limit do not.
    """
    import hashlib

    dec = decoding.to_dict()
    dec.pop("batch_size", None)
    if dec.get("precision") == "auto":  # the default keeps the folders of runs made before the option
        dec.pop("precision")
    key = json.dumps(
        {
            "backend": backend,
            "model": str(Path(model).resolve()) if model and Path(model).exists() else model,
            "adapter": str(Path(adapter).resolve()) if adapter else None,
            "data": str(Path(data).resolve()) if data else None,
            "split": split,
            "prompts": prompt_key,
            "decoding": dec,
        },
        sort_keys=True,
    )
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    name = _slug(model) if model else backend
    if adapter:
        name += "+" + _slug(adapter)
    return Path("runs") / kind / f"{name}-{split}-{digest}"


def prompts_key(prompts: str | Path | None, prompt_config) -> str | None:
    """What identifies the prompts: the file's content hash, or the prompt configuration's hash."""
    if prompts:
        import hashlib

        path = Path(prompts)
        if not path.is_file():
            return str(path)
        return "file:" + hashlib.sha256(path.read_bytes()).hexdigest()[:16]
    if prompt_config is None:
        from text2sql.prompts.builder import PromptConfig

        prompt_config = PromptConfig()
    return prompt_config.hash()


def generate_predictions(
    *,
    data: str | None,
    split: str,
    output_dir: str | Path,
    source: BackendConfig | None = None,
    prompts: str | None = None,
    prompt_config=None,
    decoding: DecodingConfig | None = None,
    limit: int | None = None,
    overwrite: bool = False,
    bench=None,
    pick: str = "vote",
    metric: str | None = None,
    keep_distinct: bool = False,
    verifier: str | None = None,
    verifier_adapter: str | None = None,
    **backend_fields,
) -> GenerationRun:
    """Build (or read) prompts, generate resumably into `output_dir/predictions.jsonl`, record settings.

    The model comes from `source`, or from its fields given flat (`backend="hf", model=...`).
    """
    from text2sql.data.benchmark import load_benchmark

    if source is not None and backend_fields:
        raise TypeError("pass the backend as `source` or as its fields, not both")
    source = source or BackendConfig(**backend_fields)
    model, adapter, tokenizer = source.model, source.adapter, source.tokenizer
    bench = bench or load_benchmark(data)
    decoding = decoding or DecodingConfig()
    from text2sql.generation.picking import check_pick, pick_name

    pick = pick_name(pick)
    check_pick(pick, decoding.samples, bool(verifier or verifier_adapter))
    if not prompts:  # the questions and their databases before the model: a bad db_id costs nothing
        examples = bench.examples(split)
        bench.check_databases(examples[:limit] if limit is not None else examples)
    # the backend first: a bad model or a missing library fails before prompts are built
    be = open_backend(source, decoding)
    if prompts:
        records = read_prompt_records(prompts)
    else:
        from text2sql.prompts.builder import PromptConfig, build_prompts

        config = prompt_config or PromptConfig()
        counter = getattr(be, "tokenizer", None) if config.tokenizer is None else None
        if counter is not None:
            # count tokens (and apply --max-tokens) with the model's own tokenizer, and say which it was
            name = getattr(counter, "name_or_path", None) or tokenizer or model
            config = replace(config, tokenizer=str(name))
        from text2sql.core.progress import Progress

        n = len(bench.examples(split))
        with Progress("prompts", min(n, limit) if limit is not None else n, unit="prompts") as bar:
            records = build_prompts(
                bench, split, config, limit=limit, tokenizer=counter, progress=bar.advance
            )
    if limit is not None:
        records = records[:limit]
    by_id = {e.id: e for e in bench.examples(split)}
    missing = [r["id"] for r in records if r["id"] not in by_id]
    if missing:
        raise T2SError(f"prompt ids not in split {split!r}, e.g. {missing[0]!r}: were they built from it?")
    bench.check_databases([by_id[r["id"]] for r in records])  # before generation, not after it
    warning = check_prompt_hash(adapter or model, records)
    if warning:
        print(warning, file=sys.stderr)

    voter, picking = None, {}
    if decoding.samples > 1:
        from text2sql.generation.picking import make_picker

        scorer = None
        if verifier or verifier_adapter:
            from text2sql.generation.verifier import Verifier

            scorer = Verifier(verifier, verifier_adapter, batch_size=decoding.batch_size)
        from text2sql.execution.metric import default_metric

        vote_metric = metric or default_metric(bench)
        picking = {"pick": pick, "vote_metric": vote_metric, "vote_keep_distinct": keep_distinct}
        picking.update(scorer.info() if scorer else {})
        voter = make_picker(bench, pick, scorer, metric=vote_metric, keep_distinct=keep_distinct)
    hashes = sorted({r.get("config_hash") for r in records} - {None})
    info = {
        **be.info(),
        "model": model if be.name not in ("gold", "replay") else None,
        "adapter": adapter,
        "decoding": decoding.to_dict(),
        "seed": decoding.seed,
        "prompt_config_hash": hashes[0] if len(hashes) == 1 else hashes or None,
        "prompts": str(prompts) if prompts else None,
        "split": split,
        "versions": library_versions(),
        **picking,
    }
    if warning:
        info["warning"] = warning
    out = Path(output_dir)
    settings = {
        k: info.get(k) for k in ("backend", "model", "base_url", "adapter", "prompt_config_hash", "split")
    }
    settings.update(picking)  # the pick decides each answer: resuming under another is refused
    generated = 0  # rows this invocation generated (a resumed run counts only those)

    def count(_batch: int, size: int) -> None:
        nonlocal generated
        generated += size

    started = time.monotonic()
    preds = predict(
        records,
        be,
        out / PREDICTIONS,
        decoding,
        voter=voter,
        settings=settings,
        overwrite=overwrite,
        on_batch=count,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    seconds, n_new = time.monotonic() - started, generated
    info["timing"] = {  # this invocation's generation
        "seconds": round(seconds, 2),
        "generated": n_new,
        "resumed": len(preds) - n_new,
        "questions_per_second": round(n_new / seconds, 3) if seconds > 0 and n_new else None,
        "run_on_stopped": getattr(be, "run_ons", None),
    }
    atomic_write_text(out / GENERATION, json.dumps(info, indent=2, default=str) + "\n")
    return GenerationRun(records, preds, info, out, [by_id[r["id"]] for r in records])


def annotate(report, run: GenerationRun, rescore=None) -> None:
    """Add generation settings, prompt tokens and (with self-consistency) greedy EX to an `EvalReport`.

    `rescore(sqls) -> EvalReport` evaluates other SQL for the same examples: the greedy answers.
    """
    tokens = {r["id"]: r.get("n_tokens") for r in run.records}
    for res in report.results:
        res["n_tokens"] = tokens.get(res["id"])
    toks = [tokens.get(r["id"]) for r in report.results if tokens.get(r["id"]) is not None]
    report.summary["prompt_tokens_mean"] = sum(toks) / len(toks) if toks else None
    report.summary["generation"] = run.info
    if run.info["decoding"]["samples"] > 1 and rescore is not None:
        greedy_by_id = {p["id"]: p.get("greedy_sql", p["sql"]) for p in run.predictions}
        greedy = rescore([greedy_by_id[r["id"]] for r in report.results])
        report.summary["voted_ex"] = report.summary["ex"]
        report.summary["greedy_ex"] = greedy.summary["ex"]
        for res, g in zip(report.results, greedy.results, strict=True):
            res["greedy_correct"] = g["correct"]
        from text2sql.generation.picking import attach_candidates

        attach_candidates(report, run, rescore)


def score(bench, run: GenerationRun, output_dir: str | Path | None = None, **eval_kwargs):
    """Evaluate a generation run (greedy and voted EX side by side under self-consistency)."""
    from text2sql.eval.evaluate import evaluate

    report = evaluate(bench, run.examples, run.sql_for(run.examples), **eval_kwargs)
    report.summary["settings"].update(data=str(bench.root), split=run.info.get("split"))  # for `t2s report`
    annotate(report, run, lambda sqls: evaluate(bench, run.examples, sqls, **eval_kwargs))
    if output_dir is not None:
        report.write(output_dir)
    return report


@dataclass
class ScoringConfig:
    """How `t2s eval` scores predictions: the execution bounds, the metric and the gold cache.

    Errors name the fields (`timeout`); the CLI shows them as its flags (--timeout).
    """

    timeout: float = 30.0  # seconds per query
    workers: int | None = None  # None: one per core
    keep_distinct: bool = False
    metric: str | None = None  # None: the benchmark's own (BIRD data -> bird)
    ves: bool = False
    ves_runs: int = 100
    cache_dir: str | Path | None = None
    use_cache: bool = True

    def validate(self) -> None:
        from text2sql.execution.metric import check_metric

        if not self.timeout > 0:
            raise T2SError("`timeout` must be positive")
        if self.workers is not None and self.workers < 1:
            raise T2SError("`workers` must be at least 1")
        if self.metric is not None:
            check_metric(self.metric)
        if self.ves_runs < 1:
            raise T2SError("`ves_runs` must be at least 1")

    def evaluate_kwargs(self, with_ves: bool = True) -> dict:
        """Keyword arguments of `text2sql.eval.evaluate.evaluate` (without VES: a rescoring of other SQL)."""
        from dataclasses import asdict

        kwargs = asdict(self)
        if not with_ves:
            kwargs.pop("ves")
            kwargs.pop("ves_runs")
        return kwargs


def score_predictions(bench, examples: list, sqls: list[str], scoring: ScoringConfig, run=None):
    """The `EvalReport` of `sqls` on `examples`; with the `GenerationRun` that made them, its settings and
    (under self-consistency) the greedy, voted and per-candidate EX beside the picked one."""
    from text2sql.eval.evaluate import evaluate

    scoring.validate()
    report = evaluate(bench, examples, sqls, **scoring.evaluate_kwargs())
    if run is not None:
        rescore = scoring.evaluate_kwargs(with_ves=False)
        annotate(report, run, lambda other: evaluate(bench, examples, other, **rescore))
    return report
