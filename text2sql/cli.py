"""The `t2s` command line. Each area registers its commands from `text2sql/commands/<area>.py`.

Command modules import only typer/rich at module level; torch, transformers and friends are
imported inside the command bodies so that `t2s --help` stays fast.
"""

from __future__ import annotations

import sys

import typer

from text2sql.errors import T2SError

app = typer.Typer(
    name="t2s",
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
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """Text-to-SQL finetuning and evaluation."""


def _register_all() -> None:
    import importlib
    import pkgutil

    import text2sql.commands as commands

    for mod in sorted(m.name for m in pkgutil.iter_modules(commands.__path__)):
        module = importlib.import_module(f"text2sql.commands.{mod}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_all()


def _quiet_offline_noise() -> None:
    """bitsandbytes warns on import that it cannot fetch an optional CPU kernel from the hub; it falls back."""
    import logging

    logging.getLogger("bitsandbytes.backends.cpu.ops").addFilter(
        lambda record: "kernels-community" not in record.getMessage()
    )


def main() -> None:
    """Entry point: user errors become one red line and exit code 2, never a traceback."""
    from rich.console import Console
    from rich.markup import escape

    _quiet_offline_noise()
    try:
        app()
    except T2SError as e:
        Console(stderr=True).print(f"[bold red]error:[/] {escape(str(e))}", highlight=False, soft_wrap=True)
        sys.exit(2)
    except KeyboardInterrupt:
        Console(stderr=True).print("[yellow]interrupted[/]")
        sys.exit(130)


if __name__ == "__main__":
    main()
