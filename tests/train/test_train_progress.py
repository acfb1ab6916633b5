"""The training progress line: step, loss, lr, step/s and ETA; redrawn in place on a TTY, plain lines otherwise."""

from __future__ import annotations

import io
from types import SimpleNamespace

import pytest

pytestmark = pytest.mark.require_train


def _state(step: int, max_steps: int = 10):
    return SimpleNamespace(global_step=step, max_steps=max_steps, is_world_process_zero=True)


def test_plain_lines_when_not_a_terminal():
    from text2sql.train.progress import ProgressLine  # imports transformers

    out = io.StringIO()
    cb = ProgressLine(out, live=False)
    cb.on_train_begin(None, _state(0), None)
    cb.on_step_end(None, _state(1), None)  # nothing between logs when not live
    assert out.getvalue() == ""
    cb.on_log(None, _state(2), None, logs={"loss": 1.23456, "learning_rate": 2e-5, "grad_norm": 0.5})
    cb.on_log(None, _state(2), None, logs={"eval_loss": 0.75, "eval_runtime": 0.1, "epoch": 1.0})
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("step 2/10 | loss 1.235 | lr 2.00e-05 | ") and " step/s | ETA " in lines[0]
    assert lines[1].startswith("eval at step 2: loss 0.75") and "runtime" not in lines[1]
    assert "'" not in out.getvalue() and "{" not in out.getvalue()  # no quoted numbers, no log dicts


def test_live_line_is_redrawn_in_place():
    from text2sql.train.progress import ProgressLine  # imports transformers

    out = io.StringIO()
    cb = ProgressLine(out, live=True)
    cb.on_train_begin(None, _state(4), None)  # resumed at step 4
    cb.on_log(None, _state(5), None, logs={"loss": 0.5, "learning_rate": 1e-3})
    cb.on_step_end(None, _state(5), None)
    cb.on_step_end(None, _state(6), None)
    cb.on_train_end(None, _state(6), None)
    text = out.getvalue()
    assert text.count("\r\x1b[K") == 3 and text.endswith("\n") and text.count("\n") == 1
    assert "step 6/10 | loss 0.5 | lr 0.001 | " in text and "ETA" in text


def test_rl_line_shows_reward_and_warns_once_when_rewards_are_flat():
    from text2sql.train.progress import ProgressLine  # imports transformers

    out = io.StringIO()
    cb = ProgressLine(out, live=False)
    cb.on_train_begin(None, _state(0), None)
    cb.on_log(None, _state(1), None, logs={"loss": 0.1, "reward": 0.55, "frac_reward_zero_std": 0.5})
    assert "| reward 0.55 |" in out.getvalue() and "warning" not in out.getvalue()
    flat = {"loss": 0.0, "reward": 0.0, "reward/ex": 0.0, "frac_reward_zero_std": 1.0}
    cb.on_log(None, _state(2), None, logs=flat)
    cb.on_log(None, _state(3), None, logs=flat)
    warnings = [line for line in out.getvalue().splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "step 2" in warnings[0] and "no gradient" in warnings[0] and "num_generations" in warnings[0]
