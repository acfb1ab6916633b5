"""Issue 18.10 (c): a usage error is one `error:` line with a did-you-mean and exit 2, not click's boxed panel."""

import pytest
from cli_helpers import t2s


@pytest.mark.parametrize(
    "args, line",
    [
        (["evl"], "error: no command 'evl' (did you mean 'eval'?)"),
        (["eval", "--limt", "3"], "error: no option '--limt' (did you mean '--limit'?)"),
        (["build-prompts", "--shot", "3"], "error: no option '--shot' (did you mean '--shots'?)"),
        (["xyzzy"], "error: no command 'xyzzy' (see `t2s --help`)"),
        (["eval", "--qqqqqq"], "error: no option '--qqqqqq' (see `t2s eval --help`)"),
        (["tiny-model"], "error: missing option '--output-dir' (see `t2s tiny-model --help`)"),
    ],
)
def test_usage_error_is_one_line_with_did_you_mean(args, line):
    res = t2s(*args, check=False)
    assert res.returncode == 2
    assert res.stderr.strip().splitlines() == [line]


def test_bad_value_is_one_line_naming_the_option():
    res = t2s("eval", "--limit", "x", check=False)
    (only,) = res.stderr.strip().splitlines()
    assert res.returncode == 2 and only.startswith("error: invalid value for '--limit'")
    assert "╭" not in res.stderr and "Usage:" not in res.stderr


def test_help_and_version_still_exit_zero(capsys):
    assert t2s("--version").returncode == 0
    assert "t2s " in capsys.readouterr().out
    assert t2s("eval", "--help").returncode == 0
    assert "--limit" in capsys.readouterr().out
