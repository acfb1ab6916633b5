"""Render runs as one Markdown file and one self-contained HTML page (figures embedded as PNG).

The HTML page has no external assets, so it can be mailed, attached to a PR or opened offline.
"""

from __future__ import annotations

import base64
import html
import io
import json
from collections import Counter
from pathlib import Path

from text2sql.errors import T2SError
from text2sql.report.runs import HARDNESS_ORDER, Run, load_run
from text2sql.report.stats import bootstrap_ci, mcnemar


def _pct(x: float) -> str:
    return "—" if x != x else f"{100 * x:.1f}"  # x != x: NaN


def _setup(gen: dict) -> dict | None:
    """What produced an arm's predictions, so a reader can tell the arms apart (from `t2s eval --model`)."""
    if not gen:
        return None
    dec = gen.get("decoding") or {}
    sampling = (
        "greedy" if not dec.get("temperature") else f"T={dec['temperature']}, top-p={dec.get('top_p', 1.0)}"
    )
    if (dec.get("samples") or 1) > 1:
        sampling += f", vote of {dec['samples']}"
    return {
        "backend": gen.get("backend"),
        "model": gen.get("model"),
        "adapter": gen.get("adapter"),
        "decoding": sampling,
        "prompt_hash": gen.get("prompt_config_hash"),
    }


def analyse(runs: list[Run], baseline: str | None = None, seed: int = 0) -> dict:
    """Every number the report shows, as plain data (also written as `report.json`)."""
    if not runs:
        raise T2SError("no runs to report on")
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        raise T2SError(f"two runs share a name ({', '.join(names)}): give each arm its own folder name")
    base = next((r for r in runs if r.name == baseline), None) if baseline else runs[0]
    if base is None:
        raise T2SError(f"baseline {baseline!r} is not one of the runs: {', '.join(names)}")
    hardness = [h for h in HARDNESS_ORDER if any(x["hardness"] == h for r in runs for x in r.results)]
    categories = sorted({x["category"] for r in runs for x in r.results} - {"correct"})
    arms = []
    for run in runs:
        vals = [x["correct"] for x in run.results]
        arm = {
            "name": run.name,
            "path": str(run.path),
            "n": len(vals),
            "ex": sum(vals) / len(vals) if vals else float("nan"),
            "ci": bootstrap_ci(vals, seed=seed),
            "mean_tokens": run.mean_tokens,
            "by_hardness": {},
            "errors": dict(Counter(x["category"] for x in run.results if not x["correct"])),
            "voted_ex": run.summary.get("voted_ex"),
            "greedy_ex": run.summary.get("greedy_ex"),
            "setup": _setup(run.summary.get("generation") or {}),
        }
        for h in hardness:
            hv = [x["correct"] for x in run.results if x["hardness"] == h]
            if hv:
                arm["by_hardness"][h] = {
                    "n": len(hv),
                    "ex": sum(hv) / len(hv),
                    "ci": bootstrap_ci(hv, seed=seed),
                }
        if run is not base:
            a, b = base.correct, run.correct
            shared = sorted(set(a) & set(b))
            if shared:
                t = mcnemar([a[i] for i in shared], [b[i] for i in shared])
                arm["mcnemar"] = {
                    "n": len(shared),
                    "only_baseline": t.only_a,
                    "only_arm": t.only_b,
                    "p": t.p_value,
                }
        arms.append(arm)
    return {"baseline": base.name, "hardness": hardness, "categories": categories, "arms": arms}


# -- figures ----------------------------------------------------------------------------------------
def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def figures(data: dict) -> dict[str, str]:
    """Base64 PNGs: EX against prompt tokens, EX by hardness, error taxonomy."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    arms, out = data["arms"], {}
    fig, ax = plt.subplots(figsize=(6, 4))
    for arm in arms:
        x = arm["mean_tokens"] or 0
        lo, hi = arm["ci"]
        ax.errorbar(
            [x],
            [100 * arm["ex"]],
            yerr=[[100 * (arm["ex"] - lo)], [100 * (hi - arm["ex"])]],
            fmt="o",
            capsize=4,
        )
        ax.annotate(arm["name"], (x, 100 * arm["ex"]), textcoords="offset points", xytext=(6, 4), fontsize=8)
    ax.set_ylim(-2, 102)
    ax.set_xlabel("mean prompt tokens")
    ax.set_ylabel("EX (%) with 95% CI")
    ax.set_title("Execution accuracy against prompt length")
    ax.grid(alpha=0.3)
    out["ex_vs_tokens"] = _png(fig)

    hard = data["hardness"]
    fig, ax = plt.subplots(figsize=(max(6, 1.5 * len(hard) + 2), 4))
    width = 0.8 / max(1, len(arms))
    for k, arm in enumerate(arms):
        xs = np.arange(len(hard)) + k * width
        ys = [100 * arm["by_hardness"].get(h, {"ex": 0})["ex"] for h in hard]
        err = [
            [
                100 * (arm["by_hardness"][h]["ex"] - arm["by_hardness"][h]["ci"][0])
                if h in arm["by_hardness"]
                else 0
                for h in hard
            ],
            [
                100 * (arm["by_hardness"][h]["ci"][1] - arm["by_hardness"][h]["ex"])
                if h in arm["by_hardness"]
                else 0
                for h in hard
            ],
        ]
        ax.bar(xs, ys, width, yerr=err, capsize=3, label=arm["name"])
    ax.set_xticks(np.arange(len(hard)) + width * (len(arms) - 1) / 2, hard)
    ax.set_ylabel("EX (%)")
    ax.set_ylim(0, 105)
    ax.set_title("EX by hardness (95% bootstrap CI)")
    ax.legend(fontsize=8)
    out["ex_by_hardness"] = _png(fig)

    cats = data["categories"]
    fig, ax = plt.subplots(figsize=(6, 0.5 * len(arms) + 2))
    left = np.zeros(len(arms))
    for c in cats:
        vals = np.array([arm["errors"].get(c, 0) for arm in arms], dtype=float)
        ax.barh([a["name"] for a in arms], vals, left=left, label=c)
        left += vals
    ax.set_xlabel("wrong examples")
    ax.set_title("Error taxonomy per arm")
    if cats:
        ax.legend(fontsize=8, loc="best")
    out["errors"] = _png(fig)
    return out


# -- tables ---------------------------------------------------------------------------------------
def _tables(data: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    arms, hard, cats = data["arms"], data["hardness"], data["categories"]
    main = []
    for a in arms:
        m = a.get("mcnemar")
        test = (
            "baseline"
            if a["name"] == data["baseline"]
            else (f"p={m['p']:.3g} (+{m['only_arm']}/−{m['only_baseline']})" if m else "no shared ids")
        )
        row = [
            a["name"],
            str(a["n"]),
            _pct(a["ex"]),
            f"[{_pct(a['ci'][0])}, {_pct(a['ci'][1])}]",
            "—" if a["mean_tokens"] is None else f"{a['mean_tokens']:.0f}",
            test,
        ]
        main.append(row)
    by_h = [
        [a["name"]]
        + [
            f"{_pct(a['by_hardness'][h]['ex'])} [{_pct(a['by_hardness'][h]['ci'][0])}, {_pct(a['by_hardness'][h]['ci'][1])}]"
            if h in a["by_hardness"]
            else "—"
            for h in hard
        ]
        for a in arms
    ]
    errs = [
        [a["name"]] + [str(a["errors"].get(c, 0)) for c in cats] + [str(sum(a["errors"].values()))]
        for a in arms
    ]
    counts = {h: max((a["by_hardness"].get(h, {}).get("n", 0) for a in arms), default=0) for h in hard}
    tables = [
        (
            "Execution accuracy",
            ["arm", "n", "EX %", "95% CI", "prompt tokens", f"McNemar vs {data['baseline']}"],
            main,
        ),
        ("EX by hardness (95% CI)", ["arm"] + [f"{h} (n={counts[h]})" for h in hard], by_h),
        ("Error taxonomy (wrong examples)", ["arm"] + cats + ["all wrong"], errs),
    ]
    if any(a.get("setup") for a in arms):
        setups = [
            [a["name"]]
            + [
                str((a.get("setup") or {}).get(k) or "—")
                for k in ("backend", "model", "adapter", "decoding", "prompt_hash")
            ]
            for a in arms
        ]
        tables.insert(0, ("Arms", ["arm", "backend", "model", "adapter", "decoding", "prompt hash"], setups))
    sc = [a for a in arms if a.get("voted_ex") is not None]
    if sc:
        rows = [
            [
                a["name"],
                _pct(a["greedy_ex"] if a["greedy_ex"] is not None else float("nan")),
                _pct(a["voted_ex"]),
            ]
            for a in sc
        ]
        tables.append(("Self-consistency", ["arm", "greedy EX %", "voted EX %"], rows))
    return tables


def to_markdown(data: dict) -> str:
    lines = ["# t2s report", "", f"Baseline arm for McNemar's test: `{data['baseline']}`.", ""]
    for title, head, rows in _tables(data):
        lines += [f"## {title}", "", "| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    lines += ["Figures: see report.html.", ""]
    return "\n".join(lines)


CSS = """body{font-family:system-ui,sans-serif;max-width:1000px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:4px 10px;text-align:right}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}img{max-width:100%;margin:1em 0}"""


def to_html(data: dict, figs: dict[str, str]) -> str:
    e = html.escape
    parts = [
        f"<!doctype html><html><head><meta charset='utf-8'><title>t2s report</title><style>{CSS}</style></head><body>",
        "<h1>t2s report</h1>",
        f"<p>Baseline arm for McNemar's test: <code>{e(data['baseline'])}</code>.</p>",
    ]
    for title, head, rows in _tables(data):
        parts.append(f"<h2>{e(title)}</h2><table><tr>" + "".join(f"<th>{e(h)}</th>" for h in head) + "</tr>")
        parts += ["<tr>" + "".join(f"<td>{e(c)}</td>" for c in r) + "</tr>" for r in rows]
        parts.append("</table>")
    for key, title in (
        ("ex_vs_tokens", "EX against prompt tokens"),
        ("ex_by_hardness", "EX by hardness"),
        ("errors", "Error taxonomy"),
    ):
        parts.append(f"<h2>{title}</h2><img alt='{title}' src='data:image/png;base64,{figs[key]}'>")
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    run_dirs: list[str | Path],
    output: str | Path,
    baseline: str | None = None,
    names: list[str] | None = None,
) -> dict[str, Path]:
    """Load evaluated runs and write `report.md`, `report.html` and `report.json` into `output`."""
    runs = [load_run(p, names[i] if names else None) for i, p in enumerate(run_dirs)]
    data = analyse(runs, baseline)
    out = Path(output)
    out.mkdir(parents=True, exist_ok=True)
    paths = {"markdown": out / "report.md", "html": out / "report.html", "json": out / "report.json"}
    paths["markdown"].write_text(to_markdown(data), encoding="utf-8")
    paths["html"].write_text(to_html(data, figures(data)), encoding="utf-8")
    paths["json"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return paths
