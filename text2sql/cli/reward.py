"""`t2s reward`: score raw completions with the RL rewards, to check a reward before spending GPU hours."""

from __future__ import annotations

from pathlib import Path

import typer

from text2sql.core.errors import T2SError


def register(app: typer.Typer) -> None:
    from text2sql.cli._options import renamed

    # the settings the library's errors name (`rewards`), as this command spells them
    @app.command("reward", cls=renamed(flags={"rewards": "--reward", "weights": "--weight"}))
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
        from text2sql.execution.rewards import RewardSettings
        from text2sql.workflows.reward_check import RewardMix, check_rewards

        if timeout <= 0:
            raise T2SError("--timeout must be positive")
        mix = RewardMix(list(reward or ["execution"]), list(weight) if weight else None)
        settings = RewardSettings(
            correct=correct,
            executes=executes,
            fails=fails,
            timeout=timeout,
            gold_timeout=max(timeout, 30.0),
            metric=metric,
            keep_distinct=keep_distinct,
            workers=workers,
            overlap="result_overlap" in mix.rewards,
        )
        settings.validate()  # values in order, a known metric: before the benchmark loads
        check = check_rewards(load_benchmark(data), split, completions, mix, settings, prompts, select_cue)
        if output is not None:
            check.write(output)
        typer.echo(check.summary_line())
        if output is not None:
            typer.echo(f"wrote {output}")
