"""One exception type for user-facing failures.

The CLI turns a `T2SError` into a one-line message and a non-zero exit, so raise it (with a
message that says what to fix) for every bad input: missing files, unknown db_id, bad configs.
"""


class T2SError(Exception):
    """A problem with the user's input or environment, reported without a traceback."""
