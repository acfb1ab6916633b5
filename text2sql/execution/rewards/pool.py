"""A persistent pool of spawn worker processes that judge completions (never a fork of a process that holds
torch/CUDA). Each prompt (database, gold) is routed to one worker, so its gold result is computed once and
cached there, while one database's prompts spread over all workers. A crashed or stuck worker scores its
completion `worker_crashed` and is replaced.
"""

from __future__ import annotations

import multiprocessing as mp
import time
from collections import deque
from multiprocessing.connection import wait

from text2sql.execution.rewards.judging import (
    CRASHED,
    RewardSettings,
    Verdict,
    judge_completion,
    worker_judge,
)


def _worker_main(conn, settings: RewardSettings) -> None:
    """Worker loop: receive a list of jobs, answer each with `(index, Verdict)` as soon as it is done."""
    judge, _ = worker_judge(settings)
    conn.send("ready")
    while True:
        try:
            jobs = conn.recv()
        except (EOFError, OSError):
            return
        if jobs is None:
            return
        for job in jobs:
            conn.send((job[0], judge_completion(judge, job, settings.overlap)))


class _Worker:
    def __init__(self, ctx, settings: RewardSettings):
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, settings), daemon=True)
        self.proc.start()
        child.close()
        self.pending: deque = deque()
        self.last = time.monotonic()

    def ready(self, timeout: float = 120.0) -> None:
        """Wait for the worker's imports, so a step never pays for a start (nor mistakes it for a hang)."""
        try:
            if self.conn.poll(timeout):
                self.conn.recv()
        except (EOFError, OSError):
            pass  # died while starting: the wait loop sees it and replaces it

    def send(self, jobs: list) -> None:
        if jobs:
            self.pending.extend(jobs)
            self.conn.send(jobs)
            self.last = time.monotonic()

    def kill(self) -> None:
        try:
            self.proc.kill()
            self.proc.join(5)
        finally:
            self.conn.close()


class RewardPool:
    """Persistent spawn workers; jobs for one prompt (database and gold) always go to the same worker."""

    def __init__(self, settings: RewardSettings, workers: int):
        self.settings = settings  # a plain dataclass: pickled to each spawn worker
        self.ctx = mp.get_context("spawn")
        self.workers = [_Worker(self.ctx, self.settings) for _ in range(workers)]
        for w in self.workers:
            w.ready()
        self.restarts = 0
        self.route: dict[tuple[str, str], int] = {}  # (database, gold) -> worker, sticky (its gold result)
        self.load = [0] * workers
        # a job checks at most one gold and one prediction per file; past that the worker is stuck
        self.per_file = settings.timeout + settings.gold_timeout + 5.0

    def _budget(self, job: tuple) -> float:
        return self.per_file * max(1, len(job[1])) + 5.0

    def run(self, jobs: list[tuple]) -> dict[int, Verdict]:
        out: dict[int, Verdict] = {}
        parts: list[list] = [[] for _ in self.workers]
        for job in jobs:
            # routed by (database, gold): a prompt's gold runs once on its worker, while the prompts of
            # one database (and their slow completions) spread over all workers
            key = (job[1][0] if job[1] else "", job[2])
            if key not in self.route:  # a new prompt goes to the worker with the least work so far
                self.route[key] = min(range(len(self.workers)), key=self.load.__getitem__)
            self.load[self.route[key]] += 1
            parts[self.route[key]].append(job)
        for w, part in zip(self.workers, parts, strict=True):
            self._send(w, part, out)
        while any(w.pending for w in self.workers):
            busy = [w for w in self.workers if w.pending]
            now = time.monotonic()
            wait_s = min(max(0.0, w.last + self._budget(w.pending[0]) - now) for w in busy)
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], timeout=wait_s))
            for k, w in enumerate(self.workers):
                if not w.pending:
                    continue
                if w.conn in ready:
                    try:
                        while w.pending and w.conn.poll():
                            idx, verdict = w.conn.recv()
                            w.pending.popleft()
                            out[idx] = verdict
                            w.last = time.monotonic()
                        continue
                    except (EOFError, OSError):
                        pass  # died mid-answer: handled as a crash below
                if (
                    w.conn in ready
                    or w.proc.sentinel in ready
                    or time.monotonic() - w.last > self._budget(w.pending[0])
                ):
                    self._replace(k, out)
        return out

    def _send(self, w: _Worker, jobs: list, out: dict) -> None:
        try:
            w.send(jobs)
        except (OSError, ValueError):
            pass  # a dead pipe: the wait loop sees the dead process and replaces the worker

    def _replace(self, k: int, out: dict) -> None:
        """The worker died or hangs on its current job: that job scores as crashed, the rest go to a new one."""
        old = self.workers[k]
        rest = list(old.pending)
        culprit = rest.pop(0)
        out[culprit[0]] = Verdict(culprit[3], False, CRASHED, False, 0.0, 0.0)
        old.kill()
        self.restarts += 1
        self.workers[k] = _Worker(self.ctx, self.settings)
        self.workers[k].ready()
        self._send(self.workers[k], rest, out)

    def close(self) -> None:
        for w in self.workers:
            try:
                w.conn.send(None)
            except (OSError, ValueError):
                pass
        for w in self.workers:
            w.proc.join(2)
            if w.proc.is_alive():
                w.proc.kill()
            w.conn.close()
        self.workers = []
