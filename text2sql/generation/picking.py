"""Best-of-N selection among sampled SQL candidates: by vote, by a learned verifier, or both.

Every candidate is executed; the ones whose results the EX metric calls equal form a group
(`text2sql.execution.voting.vote`), and groups are ranked by size (rank 0 = the vote's winner). Then:

- `greedy`:      the greedy answer; the samples are only recorded (a baseline arm on the same candidates).
- `vote`:        self-consistency, the vote's own answer (`Vote.index`, a member of the largest group).
- `verifier`:    the candidate the verifier scores highest among those that execute (execution errors are
                 free to detect, so a failing candidate is never preferred); if none executes, the
                 highest-scored overall. Ties go to the earlier candidate.
- `vote+verifier`: verifier-weighted voting (DIVERSE, Li et al. 2023): a group's weight is the sum over its
                 members of sigmoid(score), a confidence in [0, 1] per candidate, so a group needs both
                 members and verifier trust to win; ties go to the larger, then the earlier-ranked group.
                 Within the winning group (all return the same result) the highest-scored candidate is
                 answered. If none executes, as `verifier`.

The learned verifier is trained as a reward model (`task_type` reward), but is called the verifier here, as
everywhere in t2s: "reward" is the RL reward of `t2s reward`. The old names `reward` / `vote+reward` are read
for one release (`PICK_ALIASES`).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from text2sql.core.errors import T2SError

PICKS = ("greedy", "vote", "verifier", "vote+verifier")
NEEDS_VERIFIER = ("verifier", "vote+verifier")
PICK_ALIASES = {"reward": "verifier", "vote+reward": "vote+verifier"}  # the names before 0.x; one release


def pick_name(method: str) -> str:
    """The current name of a pick method (an old one is translated)."""
    return PICK_ALIASES.get(method, method)


def check_pick(method: str, samples: int, has_verifier: bool) -> None:
    """Errors name the settings (`pick`, `verifier`, `samples`): a spec's key and a CLI flag alike."""
    method = pick_name(method)
    if method not in PICKS:
        raise T2SError(f"`pick` must be one of {', '.join(PICKS)}, got {method!r}")
    if method in NEEDS_VERIFIER and not has_verifier:
        raise T2SError(f"`pick` {method} needs a verifier: set `verifier` to a model from task_type reward")
    if samples < 2 and (method in NEEDS_VERIFIER or has_verifier):
        raise T2SError("the verifier scores sampled candidates: set `samples` >= 2 and `temperature` > 0")


def _argmax(indices: list[int], scores: list[float]) -> int:
    return max(indices, key=lambda i: (scores[i], -i))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x >= 0 else math.exp(x) / (1.0 + math.exp(x))


def pick_index(method: str, group_of: list[int | None], scores: list[float] | None) -> int:
    """The chosen candidate's index under `method` (-1: the greedy answer / nothing executed for `vote`)."""
    method = pick_name(method)
    n = len(group_of)
    executed = [i for i in range(n) if group_of[i] is not None]
    if method == "greedy" or n == 0:
        return -1
    if method == "vote":
        winners = [i for i in executed if group_of[i] == 0]
        return winners[0] if winners else -1
    if scores is None or len(scores) != n:
        raise T2SError(f"`pick` {method} needs one verifier score per candidate")
    if method == "verifier" or not executed:
        return _argmax(executed or list(range(n)), scores)
    weight: dict[int, float] = {}
    size: dict[int, int] = {}
    for i in executed:
        g = group_of[i]
        weight[g] = weight.get(g, 0.0) + sigmoid(scores[i])
        size[g] = size.get(g, 0) + 1
    best = max(weight, key=lambda g: (weight[g], size[g], -g))
    return _argmax([i for i in executed if group_of[i] == best], scores)


def make_picker(
    bench,
    method: str = "vote",
    verifier=None,
    timeout: float = 30.0,
    *,
    metric: str | None = None,
    keep_distinct: bool = False,
) -> Callable:
    """A `predict` voter: executes the candidates, groups them exactly as the EX metric that scores the run
    (`metric` None: the benchmark's default; `keep_distinct` as `t2s eval --keep-distinct`), scores them with
    the verifier (when given) and answers the `method`'s choice; the record keeps every candidate's group,
    score and the plain vote's answer, so one run can be read under any rule."""
    from text2sql.execution.executor import Executor
    from text2sql.execution.metric import default_metric
    from text2sql.execution.voting import vote as metric_vote

    executor = Executor(timeout=timeout)
    metric = metric or default_metric(bench)
    method = pick_name(method)

    def vote(candidates: list[str], execute):
        return metric_vote(candidates, execute, metric, keep_distinct=keep_distinct)

    def picker(record: dict, candidates: list[str]) -> dict:
        db = bench.db_path(record["db_id"])

        def execute(sql: str):
            res = executor.execute(db, sql)
            return None if res.error else res.rows

        v = vote(candidates, execute)
        group_of = list(v.group_of) if v.group_of else [None] * len(candidates)
        scores = verifier.score_record(record, candidates) if verifier is not None and candidates else None
        chosen = v.index if method == "vote" else pick_index(method, group_of, scores)
        out = {
            "votes": v.votes,
            "valid_candidates": v.valid,
            "vote_sql": v.sql,
            "pick": method,
            "picked": chosen,
            "candidate_groups": group_of,
            "candidate_votes": [v.groups[g] if g is not None else 0 for g in group_of],
        }
        if scores is not None:
            out["candidate_scores"] = [round(s, 6) for s in scores]
        if method == "vote":
            out["sql"] = v.sql
        elif method != "greedy":
            out["sql"] = candidates[chosen]
        return out  # no "sql" for greedy: the runner's greedy answer stands

    return picker


def candidate_table(prediction: dict) -> list[dict]:
    """Per candidate: its SQL, execution group (rank, None = failed), the group's votes, verifier score."""
    cands = prediction.get("candidates") or []
    groups = prediction.get("candidate_groups") or [None] * len(cands)
    votes = prediction.get("candidate_votes") or [None] * len(cands)
    scores = prediction.get("candidate_scores") or [None] * len(cands)
    picked = prediction.get("picked")
    return [
        {"sql": sql, "group": g, "votes": n, "score": s, "picked": i == picked}
        for i, (sql, g, n, s) in enumerate(zip(cands, groups, votes, scores, strict=False))
    ]


def attach_candidates(report, run, rescore=None) -> None:
    """results.jsonl: every candidate with group, votes, score (and whether it is correct); summary.json: the
    selection method, under a non-vote pick the plain vote's EX on the same candidates (`voted_ex`) beside
    the picked EX, and `oracle_ex`, the share of examples where some candidate is right (any rule's ceiling)."""
    method = run.info.get("pick")
    if not method or run.info["decoding"]["samples"] < 2:
        return
    by_id = {p["id"]: p for p in run.predictions}
    for res in report.results:
        pred = by_id.get(res["id"], {})
        res["candidates"] = candidate_table(pred)
        res["pick"] = pred.get("pick", method)
    report.summary["pick"] = {
        "method": method,
        "verifier": run.info.get("verifier"),
        "verifier_adapter": run.info.get("verifier_adapter"),
    }
    report.summary["picked_ex"] = report.summary["ex"]
    if rescore is None:
        return
    if method != "vote":
        voted = rescore([by_id[r["id"]].get("vote_sql", by_id[r["id"]]["sql"]) for r in report.results])
        report.summary["voted_ex"] = voted.summary["ex"]
        for res, g in zip(report.results, voted.results, strict=True):
            res["voted_correct"] = g["correct"]
    # the ceiling of any selector on these samples: some candidate is right (pass@N, "oracle" selection)
    n = min(len(res["candidates"]) for res in report.results) if report.results else 0
    for k in range(n):
        kth = rescore([res["candidates"][k]["sql"] for res in report.results])
        for res, g in zip(report.results, kth.results, strict=True):
            res["candidates"][k]["correct"] = g["correct"]
    if n:
        hits = [any(c.get("correct") for c in res["candidates"]) for res in report.results]
        report.summary["oracle_ex"] = sum(hits) / len(hits)
