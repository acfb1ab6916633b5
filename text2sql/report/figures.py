"""The report's figures (matplotlib), as base64 PNG for the self-contained HTML page."""

from __future__ import annotations

import base64
import io

FIG_WIDTH = 12.5  # inches at 110 dpi: about the width of the page's content column
MARKERS = "osD^v<>pP*hX"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def _legend_outside(ax, title: str | None = None) -> None:
    """Legends go right of the axes, where they cannot cover a bar or a point."""
    ax.legend(
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
        fontsize=9,
        title=title,
        frameon=False,
    )


def figures(data: dict) -> dict[str, str | None]:
    """Base64 PNGs: EX against prompt tokens, EX by bucket, error taxonomy; None where nothing to draw."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np
    from matplotlib.ticker import MaxNLocator

    # Arm names are model paths and user labels: `$` in them must print, never start matplotlib mathtext.
    with matplotlib.rc_context({"text.parse_math": False}):
        return _figures(data, plt, np, MaxNLocator)


def _figures(data: dict, plt, np, MaxNLocator) -> dict[str, str | None]:
    arms, out = data["arms"], {}
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    style = {a["name"]: (colors[k % len(colors)], MARKERS[k % len(MARKERS)]) for k, a in enumerate(arms)}

    plotted = [a for a in arms if a["mean_tokens"] is not None]
    if plotted:
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.2))
        for arm in plotted:
            lo, hi = arm["ci"]
            color, marker = style[arm["name"]]
            ax.errorbar(
                [arm["mean_tokens"]],
                [100 * arm["ex"]],
                yerr=[[100 * (arm["ex"] - lo)], [100 * (hi - arm["ex"])]],
                fmt=marker,
                color=color,
                markersize=8,
                capsize=4,
                label=arm["name"],
            )
        ax.set_ylim(-4, 106)
        xs = [a["mean_tokens"] for a in plotted]
        pad = max(10.0, 0.08 * (max(xs) - min(xs)))
        ax.set_xlim(min(xs) - pad, max(xs) + pad)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("mean prompt tokens")
        ax.set_ylabel("EX (%), 95% Wilson CI")
        ax.set_title("Execution accuracy against prompt length", pad=12)
        ax.grid(alpha=0.3)
        _legend_outside(ax)
        out["ex_vs_tokens"] = _png(fig)
    else:
        out["ex_vs_tokens"] = None

    buckets = data["buckets"]
    fig, ax = plt.subplots(figsize=(FIG_WIDTH, 4.2))
    width = 0.8 / max(1, len(arms))
    for k, arm in enumerate(arms):
        xs, ys, err = [], [], [[], []]
        for j, b in enumerate(buckets):
            cell = arm["by_bucket"].get(b)
            if cell is None:
                continue  # no questions of this bucket: no bar, rather than a bar at 0
            xs.append(j + k * width)
            ys.append(100 * cell["ex"])
            err[0].append(100 * (cell["ex"] - cell["ci"][0]))
            err[1].append(100 * (cell["ci"][1] - cell["ex"]))
        ax.bar(xs, ys, width, yerr=err, capsize=3, label=arm["name"], color=style[arm["name"]][0])
    counts = {b: max((a["by_bucket"].get(b, {}).get("n", 0) for a in arms), default=0) for b in buckets}
    ax.set_xticks(
        np.arange(len(buckets)) + width * (len(arms) - 1) / 2, [f"{b}\n(n={counts[b]})" for b in buckets]
    )
    ax.set_ylabel("EX (%), 95% Wilson CI")
    ax.set_ylim(0, 105)
    ax.set_title(f"EX by {data['bucket']}", pad=12)
    ax.grid(axis="y", alpha=0.3)
    _legend_outside(ax)
    out["ex_by_bucket"] = _png(fig)

    cats = data["categories"]
    wrong = [sum(a["errors"].values()) for a in arms]
    if cats and any(wrong):
        fig, ax = plt.subplots(figsize=(FIG_WIDTH, 0.45 * len(arms) + 1.6))
        names = [a["name"] for a in arms][::-1]  # first arm on top, as in the tables
        left = np.zeros(len(arms))
        for c in cats:
            vals = np.array([a["errors"].get(c, 0) for a in arms][::-1], dtype=float)
            ax.barh(names, vals, left=left, label=c)
            left += vals
        for y, total in enumerate(wrong[::-1]):
            ax.annotate(
                f"{total}", (total, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=9
            )
        ax.set_xlim(0, max(wrong) * 1.08 + 1)
        ax.set_xlabel("wrong answers")
        ax.set_title("Error taxonomy per arm", pad=12)
        _legend_outside(ax, title="category")
        out["errors"] = _png(fig)
    else:
        out["errors"] = None
    return out
