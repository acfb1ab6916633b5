"""Training progress as one live line on a terminal (plain periodic lines otherwise), instead of raw log dicts.

Step, loss, learning rate, steps/s and ETA go to stderr; evaluation results get a line of their own. With
`t2s train -v` transformers' own progress bar and log dicts are kept and nothing here is used.
"""

from __future__ import annotations

import sys
import time

from transformers import TrainerCallback

from text2sql.core.progress import duration


def _number(value) -> str:
    if isinstance(value, float):
        return f"{value:.2e}" if value and abs(value) < 1e-3 else f"{value:.4g}"
    return str(value)


class ProgressLine(TrainerCallback):
    """`step 12/30 | loss 1.234 | lr 2.00e-04 | 1.52 step/s | ETA 0:00:12`, redrawn in place on a TTY."""

    def __init__(self, stream=None, live: bool | None = None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty() if live is None else live
        self.last: dict = {}
        self.start = self.first_step = None
        self.drawn = False
        self.printed = ""  # the last plain line, so the end of training does not repeat it
        self.warned_flat = False

    def on_train_begin(self, args, state, control, **kwargs):
        self.start, self.first_step = time.monotonic(), state.global_step

    def line(self, state) -> str:
        done = state.global_step - (self.first_step or 0)
        rate = done / max(time.monotonic() - (self.start or time.monotonic()), 1e-9)
        parts = [f"step {state.global_step}/{state.max_steps}"]
        parts += [
            f"{k} {_number(self.last[k])}" for k in ("loss", "reward", "learning_rate") if k in self.last
        ]
        if done:
            parts.append(f"{rate:.2f} step/s")
            parts.append(f"ETA {duration((state.max_steps - state.global_step) / rate)}")
        return " | ".join(parts).replace("learning_rate", "lr")

    def _draw(self, text: str, final: bool = False) -> None:
        if self.live:
            self.stream.write("\r\033[K" + text + ("\n" if final else ""))
            self.drawn = not final
        elif text.split(" | ")[0] != self.printed.split(" | ")[0] or not text.startswith("step "):
            self.stream.write(text + "\n")
            self.printed = text
        self.stream.flush()

    def on_step_end(self, args, state, control, **kwargs):
        if self.live and state.is_world_process_zero:
            self._draw(self.line(state))

    def on_log(self, args, state, control, logs=None, **kwargs):
        if not state.is_world_process_zero or not logs:
            return
        if "loss" in logs:
            self.last.update({k: logs[k] for k in ("loss", "reward", "learning_rate") if k in logs})
            if not self.live:
                self._draw(self.line(state))
            self._check_flat(logs, state)
        evals = {k[5:]: v for k, v in logs.items() if k.startswith("eval_") and "runtime" not in k
                 and "per_second" not in k}  # fmt: skip
        if evals:
            shown = " | ".join(f"{k} {_number(v)}" for k, v in evals.items())
            self._draw(f"eval at step {state.global_step}: {shown}", final=True)

    def _check_flat(self, logs: dict, state) -> None:
        """GRPO/RLOO learn from reward differences within a group: all equal means no gradient at all."""
        if self.warned_flat or logs.get("frac_reward_zero_std", 0.0) < 1.0:
            return
        self.warned_flat = True
        ex = logs.get("reward/ex")
        cause = (
            f"every completion got the same reward (mean {_number(logs.get('reward', 0.0))}"
            + (f", EX {100 * ex:.0f}%" if isinstance(ex, float) else "")
            + ")"
        )
        if self.live and self.drawn:
            self.stream.write("\n")
        self.stream.write(
            f"warning: at step {state.global_step} {cause} in every group, so the policy gets no gradient "
            "(loss 0): try more generations per prompt (num_generations), a higher temperature, easier "
            "prompts or an SFT step first, or a dense reward (reward_funcs: [execution, result_overlap])\n"
        )
        self.stream.flush()

    def on_train_end(self, args, state, control, **kwargs):
        if state.is_world_process_zero:
            self._draw(self.line(state), final=True)


def use_progress_line(trainer) -> None:
    """Replace transformers' tqdm bar / log-dict printer with `ProgressLine`."""
    from transformers.trainer_callback import PrinterCallback, ProgressCallback

    trainer.remove_callback(ProgressCallback)
    trainer.remove_callback(PrinterCallback)
    trainer.add_callback(ProgressLine())
