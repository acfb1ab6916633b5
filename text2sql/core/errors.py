"""One exception type for user-facing failures.

The CLI turns a `T2SError` into a one-line message and a non-zero exit, so raise it (with a
message that says what to fix) for every bad input: missing files, unknown db_id, bad configs.
"""


class T2SError(Exception):
    """A problem with the user's input or environment, reported without a traceback.

    A config's `validate` names the field it refuses in backticks (`top_p`); whoever shows the message
    spells it as its user wrote it: the CLI as its flag (--top-p), an ablation spec as its key (top_p).
    """


# What Ctrl-C should tell the user (where the partial output is, how to continue); set by long steps.
_interrupt_hint = None


def set_interrupt_hint(hint) -> None:
    """Record what an interruption leaves behind (a string, or a callable giving one at Ctrl-C time)."""
    global _interrupt_hint
    _interrupt_hint = hint


def interrupted_hint() -> str | None:
    hint = _interrupt_hint
    return hint() if callable(hint) else hint
