"""The loss curve of a run as a PNG beside its checkpoints."""

from __future__ import annotations

from pathlib import Path


def plot_loss(log_history: list[dict], output_dir: str | Path, name: str = "loss_curve.png") -> Path | None:
    """Train (and eval) loss against step from `trainer.state.log_history`; None when nothing was logged."""
    train = [(e["step"], e["loss"]) for e in log_history if "loss" in e and "step" in e]
    evals = [(e["step"], e["eval_loss"]) for e in log_history if "eval_loss" in e]
    if not train and not evals:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4))
    if train:
        ax.plot(*zip(*train, strict=True), label="train loss")
    if evals:
        ax.plot(*zip(*evals, strict=True), "o-", label="eval loss")
    ax.set_xlabel("step")
    ax.set_ylabel("loss")
    ax.grid(alpha=0.3)
    ax.legend()
    path = Path(output_dir) / name
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path
