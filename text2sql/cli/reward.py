"""`t2s reward`: score raw completions with the RL rewards, to check a reward before spending GPU hours."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from text2sql.core.errors import T2SError
from text2sql.core.text import scrub_all


def _prompt_fields(path: Path | None) -> dict[str, dict]:
    """`response_prefix` and `answer_format` per id from `t2s build-prompts` records (the prompt's cue)."""
    if path is None:
        return {}
    from text2sql.train.data import read_jsonl

    out = {}
    for n, rec in enumerate(read_jsonl(path)):
        fields = {
            "response_prefix": rec.get("response_prefix") or None,
            "answer_format": (rec.get("config") or {}).get("answer_format") or "sql",
        }
        out[str(rec.get("id", n))] = fields
    return out


def register(app: typer.Typer) -> None:
    @app.command("reward")
    def reward_cmd(
        completions: Path = typer.Option(
            ...,
            "--completions",
            "-c",
            help='JSONL: {"id": example index or id, "completion": raw model text}.',
        ),
        data: Path | None = typer.Option(
            None, "--data", help="Benchmark folder (default: the bundled sample)."
        ),
        split: str = typer.Option("dev", "--split", help="Split the ids refer to."),
        reward: list[str] = typer.Option(
            None,
            "--reward",
            "-r",
            help="execution | result_overlap | format (repeatable; default execution).",
        ),
        weight: list[float] = typer.Option(
            None, "--weight", help="One weight per --reward (default 1 each): reward = weighted sum."
        ),
        prompts: Path | None = typer.Option(
            None,
            "--prompts",
            help="The prompt records the completions answer (their SELECT cue, answer format).",
        ),
        select_cue: bool = typer.Option(
            False, "--select-cue", help='The prompts ended in "SELECT" (as `build-prompts --select-cue`).'
        ),
        output: Path | None = typer.Option(
            None, "--output", "-o", help="JSONL: id, reward, correct, executed, error, sql per completion."
        ),
        timeout: float = typer.Option(
            30.0, "--timeout", help="Seconds per predicted query (`t2s eval`'s default; RL training uses 5)."
        ),
        workers: int | None = typer.Option(None, "--workers", help="Worker processes (default: CPU count)."),
        keep_distinct: bool = typer.Option(False, "--keep-distinct", help="Do not strip DISTINCT."),
        metric: str | None = typer.Option(
            None, "--metric", help="spider | bird (default: the benchmark's, as `t2s eval` picks it)."
        ),
        correct: float = typer.Option(1.0, "--correct", help="execution reward when correct."),
        executes: float = typer.Option(0.1, "--executes", help="execution reward when it runs but is wrong."),
        fails: float = typer.Option(0.0, "--fails", help="execution reward otherwise."),
    ) -> None:
        """Score completions with the RL rewards; print mean reward, EX rate and executable rate."""
        from text2sql.data.benchmark import load_benchmark
        from text2sql.execution.rewards import (
            REWARD_FUNCTIONS,
            RewardScorer,
            RewardSettings,
            read_completions,
            reward_functions,
        )

        names = list(reward or ["execution"])
        for name in names:
            if name not in REWARD_FUNCTIONS:
                raise T2SError(f"unknown --reward {name!r}: use one of {', '.join(REWARD_FUNCTIONS)}")
        weights = list(weight or [1.0] * len(names))
        if len(weights) != len(names):
            raise T2SError(f"{len(weights)} --weight values for {len(names)} --reward names")
        if timeout <= 0:
            raise T2SError("--timeout must be positive")
        if metric not in (None, "spider", "bird"):
            raise T2SError(f"--metric must be spider or bird, got {metric!r}")
        settings = RewardSettings(
            correct=correct,
            executes=executes,
            fails=fails,
            timeout=timeout,
            gold_timeout=max(timeout, 30.0),
            metric=metric,
            keep_distinct=keep_distinct,
            workers=workers,
            overlap="result_overlap" in names,
        )
        settings.validate()
        bench = load_benchmark(data)
        examples = bench.examples(split)
        by_key = {ex.id: ex for ex in examples} | {str(i): ex for i, ex in enumerate(examples)}
        items = read_completions(completions)
        rows = []
        for cid, text in items:
            ex = by_key.get(str(cid))
            if ex is None:
                raise T2SError(f"completion id {cid!r} is neither an index nor an id of split {split!r}")
            rows.append((cid, ex, text))
        from_prompts = _prompt_fields(prompts)
        default_prefix = "SELECT" if select_cue else None
        prefix, fmt = [], []
        for cid, ex, _ in rows:
            rec = from_prompts.get(ex.id) or from_prompts.get(str(cid)) or {}
            prefix.append(rec.get("response_prefix", default_prefix))
            fmt.append(rec.get("answer_format", "sql"))
        columns = {
            "db_id": [ex.db_id for _, ex, _ in rows],
            "gold": [ex.query for _, ex, _ in rows],
            "response_prefix": prefix,
            "answer_format": fmt,
        }
        texts = [t for _, _, t in rows]
        with RewardScorer(bench, settings) as scorer:
            scorer.check_databases(columns["db_id"])
            per_reward = {
                name: fn(None, texts, **columns)
                for name, fn in zip(names, reward_functions(names, scorer), strict=True)
            }
            verdicts = scorer.score(texts, columns["db_id"], columns["gold"], prefix)
            stats = scorer.total
        totals = [
            sum(w * per_reward[n][i] for n, w in zip(names, weights, strict=True)) for i in range(len(rows))
        ]
        if output is not None:
            lines = []
            for i, (cid, _, _) in enumerate(rows):
                v = verdicts[i]
                obj = {
                    "id": cid,
                    "reward": totals[i],
                    "correct": v.correct,
                    "executed": v.executed,
                    "reads_table": v.reads_table,
                    "error": v.error,
                    "sql": v.sql,
                }
                if len(names) > 1:
                    obj["rewards"] = {n: per_reward[n][i] for n in names}
                lines.append(json.dumps(scrub_all(obj), ensure_ascii=False) + "\n")
            # whole or not at all: a file cut at row 7 of 11 reads as a smaller, finished run
            tmp = output.with_name(f".{output.name}.tmp")
            try:
                output.parent.mkdir(parents=True, exist_ok=True)
                tmp.write_text("".join(lines), encoding="utf-8")
                tmp.replace(output)
            except OSError as e:
                if tmp.is_file():
                    tmp.unlink()
                raise T2SError(f"cannot write {output}: {e.strerror or e}") from None
        n = len(rows)
        typer.echo(
            f"{n} completions: mean reward {sum(totals) / n:.4f}, EX {100 * sum(v.correct for v in verdicts) / n:.2f}%, "
            f"executable {100 * sum(v.executed for v in verdicts) / n:.2f}%; timeouts {stats.timeouts}, "
            f"resource limits {stats.resource_limits}, forbidden {stats.forbidden}, crashed {stats.crashed}, "
            f"gold errors {stats.gold_errors}; "
            f"{stats.seconds:.2f} s in the reward"
        )
        if output is not None:
            typer.echo(f"wrote {output}")
