"""How `t2s` commands get their options, and how old spellings keep working.

- `config_options`: flags generated from a config dataclass's fields (default and help live in the library).
- `with_options`: an option table appended to a command, handed over as one dict.
- `renamed(...)`: the command class. An old spelling (flag, option value) works for one release, hidden
  from `--help`, and prints a one-line note naming the new one; a setting a library error names in
  backticks (`top_p`) is shown as the command's flag (--top-p). Renamed commands: `RENAMED_COMMANDS`.
"""

from __future__ import annotations

import functools
import inspect

import typer
from typer.core import TyperCommand

from text2sql.core.errors import T2SError

# Old command name -> new one.
RENAMED_COMMANDS = {"eval-reward": "eval-verifier"}

# `-o` names a file in every command; the commands that write folders take `--output-dir`.
OUTPUT_DIR_RENAMES = {"-o": "--output-dir"}
# Flags renamed in the prompt options every prompt-building and generating command shares.
PROMPT_RENAMES = {"--seed": "--shot-seed"}
# Flags renamed in the generation options of `t2s predict` and `t2s eval`.
GENERATION_RENAMES = {
    "--gen-seed": "--sampling-seed",
    "--reward-model": "--verifier",
    "--reward-adapter": "--verifier-adapter",
}
GENERATION_VALUE_RENAMES = {"--pick": {"reward": "verifier", "vote+reward": "vote+verifier"}}
# PromptConfig / DecodingConfig fields whose flag is not the option of the same name.
SETTING_FLAGS = {"values": "--values-per-column"}


def deprecation_note(old: str, new: str) -> None:
    """The one line an old spelling prints (stderr, so piped output stays clean)."""
    typer.echo(f"note: {old} is now {new}; the old spelling goes in the next release", err=True)


def translate(
    args: list[str],
    options: dict[str, str],
    values: dict[str, dict[str, str]],
    takes_value: set[str],
    note=deprecation_note,
) -> list[str]:
    """`args` with old option spellings (`--old`, `--old=v`, `-o`, `-ov`) and old option values replaced.

    `takes_value` names the (new) options that consume the next argument, so that a value is never
    mistaken for an option; everything after `--` is left alone.
    """
    out: list[str] = []
    pending: str | None = None  # the option whose value the next argument is
    for i, arg in enumerate(args):
        if pending is not None:
            new_value = values.get(pending, {}).get(arg)
            if new_value is not None:
                note(f"{pending} {arg}", f"{pending} {new_value}")
                arg = new_value
            out.append(arg)
            pending = None
            continue
        if arg == "--":
            out.extend(args[i:])
            break
        name, value = arg, None
        if arg.startswith("--") and "=" in arg:
            name, value = arg.split("=", 1)
        elif len(arg) > 2 and arg[0] == "-" and arg[1] != "-" and arg[:2] in options:
            name, value = arg[:2], arg[2:]  # `-oDIR`
        if name in options:
            note(name, options[name])
            name = options[name]
        if value is None:
            out.append(name)
            if name in takes_value:
                pending = name
            continue
        new_value = values.get(name, {}).get(value)
        if new_value is not None:
            note(f"{name} {value}", f"{name} {new_value}")
            value = new_value
        out.append(f"{name}={value}" if name.startswith("--") else name + value)
    return out


class RenamingCommand(TyperCommand):
    """A typer command that accepts the old spellings in `renames` / `value_renames` (see `renamed`), and
    shows the settings a library error names (`top_p`) as this command's flags (--top-p)."""

    renames: dict[str, str] = {}
    value_renames: dict[str, dict[str, str]] = {}
    setting_flags: dict[str, str] = {}  # settings whose flag is not the option of the same name

    def parse_args(self, ctx, args):
        takes_value = {
            opt
            for p in self.params
            if getattr(p, "is_flag", True) is False and not getattr(p, "count", False)
            for opt in p.opts
        }
        seen: set[tuple[str, str]] = set()

        def once(old: str, new: str) -> None:
            if (old, new) not in seen:
                seen.add((old, new))
                deprecation_note(old, new)

        args = translate(list(args), self.renames, self.value_renames, takes_value, once)
        return super().parse_args(ctx, args)

    def flags(self) -> dict[str, str]:
        """Setting name -> flag: each option's parameter name, then the overrides."""
        out = {}
        for p in self.params:
            longs = [o for o in p.opts if o.startswith("--")]
            if p.name and longs:
                out[p.name] = longs[0]
        return out | self.setting_flags

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except T2SError as e:
            raise T2SError(name_flags(str(e), self.flags())) from None


def renamed(
    options: dict[str, str] | None = None,
    values: dict[str, dict[str, str]] | None = None,
    flags: dict[str, str] | None = None,
) -> type[RenamingCommand]:
    """A command class whose parser maps old flag spellings (and old option values) to the new ones, and
    whose errors spell settings as flags (`flags` for those not named as their option)."""
    return type(
        "RenamingCommand",
        (RenamingCommand,),
        {
            "renames": dict(options or {}),
            "value_renames": dict(values or {}),
            "setting_flags": dict(flags or {}),
        },
    )


def name_flags(message: str, flags: dict[str, str]) -> str:
    """A library error names a setting in backticks (`top_p`); the CLI user reads the flag (--top-p).

    A backticked name without a flag here is left as it is (a JSON key, say)."""
    import re

    return re.sub(r"`([a-z][a-z0-9_]*)`", lambda m: flags.get(m[1], m[0]), message)


def with_options(func, table: list[tuple], into: str):
    """`func` with the options of `table` ((name, type, typer.Option) rows) appended to its signature;
    typer parses them, and they reach `func` as one dict, the keyword `into`. One table then serves many
    commands (the prompt options of build-prompts/sft/dpo, predict and eval)."""
    own = [p for p in inspect.signature(func).parameters.values() if p.name != into]
    params = own + [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=ann)
        for name, ann, default in table
    ]

    @functools.wraps(func)
    def wrapper(**kwargs):
        return func(**{into: {name: kwargs.pop(name) for name, _, _ in table}}, **kwargs)

    wrapper.__signature__ = inspect.Signature(params)
    return wrapper


def config_options(
    target: str,
    *,
    skip: tuple[str, ...] = (),
    names: dict[str, str] | None = None,
    defaults: dict | None = None,
    short: dict[str, str] | None = None,
    flags: dict[str, str] | None = None,
) -> list[tuple]:
    """Option-table rows for the fields of a config dataclass ("module:Class"): `--field-name`, the field's
    default and its `help` metadata, so that an option is defined once, in the library. A bool field is a
    `--field/--no-field` switch.

    `names` renames a field's option (DecodingConfig.seed is --sampling-seed), `flags` only respells its flag
    (PromptConfig.seed is --shot-seed, and errors naming `seed` show that flag), `defaults` overrides a default,
    `short` adds a short flag. The module is imported here: keep such configs free of heavy imports.
    """
    import importlib
    import typing
    from dataclasses import fields

    module, cls_name = target.split(":")
    cls = getattr(importlib.import_module(module), cls_name)
    hints = typing.get_type_hints(cls)
    names, defaults, short, flags = names or {}, defaults or {}, short or {}, flags or {}
    rows = []
    for f in fields(cls):
        if f.name in skip:
            continue
        name = names.get(f.name, f.name)
        default = defaults.get(f.name, f.default)
        ann = hints[f.name] if default is not None or f.default is None else hints[f.name] | None
        flag = flags.get(f.name, "--" + name.replace("_", "-"))
        if hints[f.name] is bool:
            flag = f"{flag}/--no-{flag[2:]}"
        decls = [flag, *([short[f.name]] if f.name in short else [])]
        rows.append((name, ann, typer.Option(default, *decls, help=f.metadata.get("help"))))
    return rows
