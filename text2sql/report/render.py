"""Compare evaluated runs: one Markdown file and one self-contained HTML page (figures embedded as PNG).

The HTML page has no external assets, so it can be mailed, attached to a PR or opened offline.
Runs are paired question by question, so runs of different benchmarks, splits, metrics or question
lists are refused rather than compared.
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from collections import Counter
from pathlib import Path

from text2sql.core.errors import T2SError
from text2sql.core.stats import DIFF_BOOTSTRAP, MCNEMAR, WILSON, ex_ci, holm, mcnemar, paired_diff_ci
from text2sql.report.runs import DIFFICULTY_ORDER, HARDNESS_ORDER, Run, disambiguate, load_run

N_BOOT = 5000


def _pct(x: float | None) -> str:
    return "—" if x is None or x != x else f"{100 * x:.1f}"  # x != x: NaN


def _ci(ci) -> str:
    return f"[{_pct(ci[0])}, {_pct(ci[1])}]"


def _signed(x: float) -> str:
    return "—" if x != x else f"{100 * x:+.1f}"


def _setup(gen: dict) -> dict:
    """What produced an arm's predictions, so a reader can tell the arms apart (from `t2s eval --model`)."""
    if not gen:
        return {}
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


def check_comparable(runs: list[Run], base: Run) -> None:
    """Refuse to pair runs scored on different data folders, splits, metrics or questions."""
    for attr, what in (("data", "data folders"), ("split", "splits"), ("metric", "metrics")):
        known = {r.name: getattr(r, attr) for r in runs if getattr(r, attr) is not None}
        if len(set(known.values())) > 1:
            listing = "; ".join(f"{n}: {v}" for n, v in known.items())
            raise T2SError(
                f"these runs were scored on different {what} ({listing}): a report pairs runs question by "
                "question, so give it runs of one benchmark, split and metric"
            )
    base_ids = set(base.correct)
    base_rows = {r["id"]: r for r in base.results}
    base_sum = base.setting("questions_sha256")
    for run in runs:
        if run is base:
            continue
        ids = set(run.correct)
        if ids != base_ids:
            only_base, only_run = sorted(base_ids - ids), sorted(ids - base_ids)
            example = (only_run or only_base)[0]
            raise T2SError(
                f"{run.name} and {base.name} answer different questions ({len(ids)} vs {len(base_ids)}; "
                f"{len(only_base)} only in {base.name}, {len(only_run)} only in {run.name}, e.g. {example!r}): "
                "compare runs of the same benchmark, split and --limit"
            )
        for r in run.results:
            for key, what in (("question", "reads differently"), ("gold", "has another gold SQL")):
                mine, theirs = r[key], base_rows[r["id"]][key]
                if mine is not None and theirs is not None and mine != theirs:
                    raise T2SError(
                        f"question {r['id']!r} {what} in {run.name} and {base.name}: "
                        "these runs come from different benchmarks (or versions of one)"
                    )
        checksum = run.setting("questions_sha256")
        if checksum and base_sum and str(checksum) != str(base_sum):
            checksum, base_sum = str(checksum), str(base_sum)
            raise T2SError(
                f"{run.name} and {base.name} record different question checksums ({checksum[:19]}… vs "
                f"{base_sum[:19]}…): these runs come from different benchmarks (or versions of one)"
            )


def _bucketing(runs: list[Run]) -> tuple[str, list[str]]:
    """BIRD's `difficulty` when the rows have it, else Spider hardness; buckets in their natural order."""
    rows = [x for r in runs for x in r.results]
    kind = "difficulty" if any(x["difficulty"] for x in rows) else "hardness"
    seen = {(x[kind] or "unknown") for x in rows}
    order = DIFFICULTY_ORDER if kind == "difficulty" else HARDNESS_ORDER
    known = [b for b in order if b in seen and b != "unknown"]
    return kind, known + sorted(seen - set(order)) + (["unknown"] if "unknown" in seen else [])


def _find_baseline(runs: list[Run], baseline: str | None) -> Run:
    if not baseline:
        return runs[0]
    for match in (
        lambda r: r.name == baseline,
        lambda r: r.path.name == baseline or str(r.path) == baseline,
    ):
        hits = [r for r in runs if match(r)]
        if len(hits) == 1:
            return hits[0]
    names = ", ".join(r.name for r in runs)
    raise T2SError(f"baseline {baseline!r} is not one of the runs (by name or folder): {names}")


def analyse(runs: list[Run], baseline: str | None = None, seed: int = 0) -> dict:
    """Every number the report shows, as plain data (also written as `report.json`)."""
    if not runs:
        raise T2SError("no runs to report on")
    disambiguate(runs)
    base = _find_baseline(runs, baseline)
    check_comparable(runs, base)
    kind, buckets = _bucketing(runs)
    categories = sorted({x["category"] for r in runs for x in r.results} - {"correct"})
    arms = []
    for run in runs:
        vals = [x["correct"] for x in run.results]
        arm = {
            "name": run.name,
            "path": str(run.path),
            "data": run.data,
            "split": run.split,
            "metric": run.metric,
            "n": len(vals),
            "correct": sum(vals),
            "ex": sum(vals) / len(vals) if vals else float("nan"),
            "ci": ex_ci(vals),
            "mean_tokens": run.mean_tokens,
            "by_bucket": {},
            "errors": dict(Counter(x["category"] for x in run.results if not x["correct"])),
            "voted_ex": run.summary.get("voted_ex"),
            "greedy_ex": run.summary.get("greedy_ex"),
            "setup": _setup(run.summary.get("generation") or {}),
        }
        for b in buckets:
            bv = [x["correct"] for x in run.results if (x[kind] or "unknown") == b]
            if bv:
                arm["by_bucket"][b] = {
                    "n": len(bv),
                    "correct": sum(bv),
                    "ex": sum(bv) / len(bv),
                    "ci": ex_ci(bv),
                }
        if run is not base:
            a, b = base.correct, run.correct
            ids = sorted(a)
            xa, xb = [a[i] for i in ids], [b[i] for i in ids]
            t = mcnemar(xa, xb)
            arm["mcnemar"] = {
                "n": len(ids),
                "diff": (sum(xb) - sum(xa)) / len(ids) if ids else float("nan"),
                "diff_ci": paired_diff_ci(xa, xb, n_boot=N_BOOT, seed=seed),
                "only_baseline": t.only_a,
                "only_arm": t.only_b,
                "p": t.p_value,
            }
        arms.append(arm)
    tested = [a for a in arms if "mcnemar" in a]
    for a, p in zip(tested, holm([a["mcnemar"]["p"] for a in tested]), strict=True):
        a["mcnemar"]["p_holm"] = p
    return {
        "baseline": base.name,
        "bucket": kind,
        "buckets": buckets,
        "categories": categories,
        "statistics": {
            "ex_interval": f"95% {WILSON}",
            "difference_interval": f"95% {DIFF_BOOTSTRAP} ({N_BOOT} resamples, seed {seed})",
            "test": MCNEMAR,
            "multiple_comparisons": "Holm–Bonferroni over the arms compared with the baseline",
        },
        "arms": arms,
    }


# -- figures ----------------------------------------------------------------------------------------
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


# -- tables ---------------------------------------------------------------------------------------
Table = tuple[str, list[str], list[list[str]]]


def _tables(data: dict) -> list[Table]:
    arms, buckets, cats = data["arms"], data["buckets"], data["categories"]
    show_metric = any(a["metric"] for a in arms)
    main = []
    for a in arms:
        m = a.get("mcnemar")
        if a["name"] == data["baseline"]:
            test = ["baseline", "", "", ""]
        else:
            test = [
                f"{_signed(m['diff'])} {_ci(m['diff_ci'])}",
                f"{m['p']:.3g}",
                f"{m['p_holm']:.3g}",
                f"+{m['only_arm']} / −{m['only_baseline']}",
            ]
        row = [a["name"], str(a["n"]), _pct(a["ex"]), _ci(a["ci"])] + test
        row.append("—" if a["mean_tokens"] is None else f"{a['mean_tokens']:.0f}")
        main.append(row)
    head = [
        "arm",
        "n",
        "EX %",
        "95% CI",
        "Δ EX [95% CI]",
        "McNemar p",
        "Holm p",
        "wins / losses",
        "prompt tokens",
    ]
    by_b = [
        [a["name"]]
        + [
            f"{_pct(a['by_bucket'][b]['ex'])} {_ci(a['by_bucket'][b]['ci'])}" if b in a["by_bucket"] else "—"
            for b in buckets
        ]
        for a in arms
    ]
    errs = [
        [a["name"]] + [str(a["errors"].get(c, 0)) for c in cats] + [str(sum(a["errors"].values()))]
        for a in arms
    ]
    counts = {b: max((a["by_bucket"].get(b, {}).get("n", 0) for a in arms), default=0) for b in buckets}
    setups = [
        [a["name"]]
        + [str(a["setup"].get(k) or "—") for k in ("backend", "model", "adapter", "decoding", "prompt_hash")]
        + [a["data"] or "—", a["split"] or "—"]
        + ([a["metric"] or "—"] if show_metric else [])
        + [a["path"]]
        for a in arms
    ]
    tables: list[Table] = [
        (
            "Arms",
            ["arm", "backend", "model", "adapter", "decoding", "prompt hash", "data", "split"]
            + (["metric"] if show_metric else [])
            + ["folder"],
            setups,
        ),
        ("Execution accuracy", head, main),
        (f"EX by {data['bucket']}, % [95% CI]", ["arm"] + [f"{b} (n={counts[b]})" for b in buckets], by_b),
        ("Error taxonomy (wrong answers)", ["arm"] + cats + ["all wrong"], errs),
    ]
    sc = [a for a in arms if a.get("voted_ex") is not None]
    if sc:
        rows = [[a["name"], _pct(a["greedy_ex"]), _pct(a["voted_ex"])] for a in sc]
        tables.append(("Self-consistency", ["arm", "greedy EX %", "voted EX %"], rows))
    return tables


def _statistics_lines(data: dict) -> list[str]:
    s = data["statistics"]
    return [
        f"EX intervals: {s['ex_interval']}.",
        f"Δ EX: arm minus baseline on the same questions, {s['difference_interval']}.",
        f"Test against the baseline: {s['test']}; wins / losses are the discordant pairs.",
        f"Several arms: {s['multiple_comparisons']} (column Holm p).",
    ]


def _scope(data: dict) -> str:
    arms = data["arms"]
    data_dir = next((a["data"] for a in arms if a["data"]), None) or "unknown"
    split = next((a["split"] for a in arms if a["split"]), None) or "unknown"
    metric = next((a["metric"] for a in arms if a["metric"]), None)
    scope = f"data {data_dir}, split {split}, {arms[0]['n']} questions"
    return scope + (f", metric {metric}" if metric else "")


_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*|~"})
# `_` inside snake_case cannot emphasise, and brackets make a link only as `](`, `][` or `]:`; escaping
# just those keeps the file readable as text ("EX [95% CI]", paths) and still literal when rendered.
_MD_CONTEXTUAL = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])|\](?=[(\[:])|!(?=\[)")


def md(text) -> str:
    """Text as literal Markdown: HTML-escaped (a `<script>` in a name stays text) and its markup escaped."""
    text = " ".join(str(text).split())  # a newline would end a table row
    return _MD_CONTEXTUAL.sub(
        lambda m: "\\" + m.group(), html.escape(text, quote=False).translate(_MD_SPECIAL)
    )


def to_markdown(data: dict) -> str:
    lines = [
        "# t2s report",
        "",
        f"{len(data['arms'])} arm(s) on {md(_scope(data))}; baseline {md(data['baseline'])}.",
        "",
    ]
    lines += [f"- {md(line)}" for line in _statistics_lines(data)] + [""]
    for title, head, rows in _tables(data):
        lines += [f"## {md(title)}", "", "| " + " | ".join(map(md, head)) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(md(c) for c in r) + " |" for r in rows] + [""]
    lines += ["Figures: see report.html.", ""]
    return "\n".join(lines)


WRAPPING = {"model", "adapter", "decoding", "data"}  # Arms-table columns holding paths, allowed to wrap
CSS = """body{font-family:system-ui,sans-serif;margin:1.5em 2.5em;color:#222;line-height:1.4}
h1{margin-bottom:.2em}h2{margin:1.4em 0 .4em;font-size:1.2em}
.scope{color:#444;margin:.2em 0 .8em}.stats{color:#444;font-size:.92em;margin:.4em 0 1em;padding-left:1.2em}
.table{overflow-x:auto;max-width:100%}
table{border-collapse:collapse;width:100%;font-size:.9em;font-variant-numeric:tabular-nums}
td,th{border:1px solid #d4d4d4;padding:3px 8px;text-align:right;white-space:nowrap}
th{background:#f3f3f3;font-weight:600}td:first-child,th:first-child{text-align:left}
td.wrap{white-space:normal;text-align:left;min-width:6em}
.path{color:#666;font-size:.88em}
tr:nth-child(even) td{background:#fafafa}
img{display:block;max-width:100%;height:auto;margin:.6em 0 1.2em}
.note{color:#555;font-style:italic;margin:.4em 0 1.2em}"""


def _cell(text: str, wrap: bool) -> str:
    """A table cell; a path may break after its slashes (never inside a name), other cells never break."""
    if wrap:
        return "<td class='wrap'>" + html.escape(text).replace("/", "/<wbr>") + "</td>"
    return f"<td>{html.escape(text)}</td>"


def to_html(data: dict, figs: dict[str, str | None]) -> str:
    e = html.escape
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>t2s report</title><style>{CSS}</style></head><body>",
        "<h1>t2s report</h1>",
        f"<p class='scope'>{len(data['arms'])} arm(s) on {e(_scope(data))}; "
        f"baseline <code>{e(data['baseline'])}</code>.</p>",
        "<ul class='stats'>" + "".join(f"<li>{e(line)}</li>" for line in _statistics_lines(data)) + "</ul>",
    ]
    for title, head, rows in _tables(data):
        parts.append(
            f"<h2>{e(title)}</h2><div class='table'><table><tr>"
            + "".join(f"<th>{e(h)}</th>" for h in (head[:-1] if head[-1] == "folder" else head))
            + "</tr>"
        )
        # paths may wrap; numbers and intervals never do
        wrap = [h in WRAPPING for h in head]
        for r in rows:
            cells = [_cell(c, w) for c, w in zip(r, wrap, strict=True)]
            if head[-1] == "folder":  # the folder goes under the arm's name, where the column has room
                cells = [f"<td>{e(r[0])}<br><span class='path'>{e(r[-1])}</span></td>"] + cells[1:-1]
            parts.append("<tr>" + "".join(cells) + "</tr>")
        parts.append("</table></div>")
    missing_tokens = [a["name"] for a in data["arms"] if a["mean_tokens"] is None]
    empty = {
        "ex_vs_tokens": "no arm records prompt tokens (runs scored from a predictions file): nothing to plot",
        "errors": "no wrong answers",
    }
    for key, title in (
        ("ex_vs_tokens", "EX against prompt tokens"),
        ("ex_by_bucket", f"EX by {data['bucket']}"),
        ("errors", "Error taxonomy"),
    ):
        parts.append(f"<h2>{e(title)}</h2>")
        if figs.get(key):
            parts.append(f"<img alt='{e(title)}' src='data:image/png;base64,{figs[key]}'>")
        else:
            parts.append(f"<p class='note'>{e(empty[key])}</p>")
        if key == "ex_vs_tokens" and missing_tokens and figs.get(key):
            parts.append(
                f"<p class='note'>not plotted, prompt tokens unknown: {e(', '.join(missing_tokens))}</p>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)


def write_report(
    run_dirs: list[str | Path],
    output: str | Path,
    baseline: str | None = None,
    names: list[str] | None = None,
) -> dict[str, Path]:
    """Load evaluated runs and write `report.md`, `report.html` and `report.json` into `output`."""
    if names is not None and len(names) != len(run_dirs):
        raise T2SError(f"{len(names)} name(s) for {len(run_dirs)} run(s): give one `name` per run")
    runs = [load_run(p, names[i] if names else None) for i, p in enumerate(run_dirs)]
    data = analyse(runs, baseline)
    out = Path(output)
    try:
        out.mkdir(parents=True, exist_ok=True)
        paths = {"markdown": out / "report.md", "html": out / "report.html", "json": out / "report.json"}
        paths["markdown"].write_text(to_markdown(data), encoding="utf-8")
        paths["html"].write_text(to_html(data, figures(data)), encoding="utf-8")
        paths["json"].write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise T2SError(f"cannot write the report into {out}: {err.strerror or err}") from None
    return paths
