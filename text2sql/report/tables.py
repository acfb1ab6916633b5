"""The report's tables and text, shared by the Markdown file and the HTML page."""

from __future__ import annotations


def _pct(x: float | None) -> str:
    return "—" if x is None or x != x else f"{100 * x:.1f}"  # x != x: NaN


def _ci(ci) -> str:
    return f"[{_pct(ci[0])}, {_pct(ci[1])}]"


def _signed(x: float) -> str:
    return "—" if x != x else f"{100 * x:+.1f}"


Table = tuple[str, list[str], list[list[str]]]


def report_tables(data: dict) -> list[Table]:
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


def statistics_lines(data: dict) -> list[str]:
    s = data["statistics"]
    return [
        f"EX intervals: {s['ex_interval']}.",
        f"Δ EX: arm minus baseline on the same questions, {s['difference_interval']}.",
        f"Test against the baseline: {s['test']}; wins / losses are the discordant pairs.",
        f"Several arms: {s['multiple_comparisons']} (column Holm p).",
    ]


def scope(data: dict) -> str:
    arms = data["arms"]
    data_dir = next((a["data"] for a in arms if a["data"]), None) or "unknown"
    split = next((a["split"] for a in arms if a["split"]), None) or "unknown"
    metric = next((a["metric"] for a in arms if a["metric"]), None)
    scope = f"data {data_dir}, split {split}, {arms[0]['n']} questions"
    return scope + (f", metric {metric}" if metric else "")
