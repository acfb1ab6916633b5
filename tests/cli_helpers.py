"""Run the `t2s` CLI in-process from any test (shared, so test modules never import each other)."""

from __future__ import annotations

import io
import sys
import time
from contextlib import redirect_stderr
from types import SimpleNamespace

from text2sql.cli import main


def t2s(*args, check=True):
    """Run the CLI in-process: exit code, stderr and seconds (without re-importing torch)."""
    err, argv, t0 = io.StringIO(), sys.argv, time.monotonic()
    sys.argv = ["t2s", *args]
    try:
        with redirect_stderr(err):
            main()
        code = 0
    except SystemExit as e:
        code = e.code or 0
    finally:
        sys.argv = argv
    res = SimpleNamespace(returncode=code, stderr=err.getvalue(), seconds=time.monotonic() - t0)
    if check:
        assert code == 0, res.stderr
    return res
