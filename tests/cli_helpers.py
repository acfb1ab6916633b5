"""Run the `t2s` CLI in-process from any test (shared, so test modules never import each other)."""

from __future__ import annotations

import io
import sys
from contextlib import redirect_stderr
from types import SimpleNamespace

from text2sql.cli import main


def t2s(*args, check=True):
    """Run the CLI in-process (the entry point's exit code and stderr, without re-importing torch)."""
    err, argv = io.StringIO(), sys.argv
    sys.argv = ["t2s", *args]
    try:
        with redirect_stderr(err):
            main()
        code = 0
    except SystemExit as e:
        code = e.code or 0
    finally:
        sys.argv = argv
    res = SimpleNamespace(returncode=code, stderr=err.getvalue())
    if check:
        assert code == 0, res.stderr
    return res
