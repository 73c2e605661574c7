"""Building several shelf entries: in dependency order, one after another or N at a time in worker processes, with
one structured outcome per role for whoever asked (the CLI, `make shelf`, `course lab`, the bench)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import CourseError
from .store import Shelf, score_text


@dataclass(frozen=True)
class BuildOutcome:
    role: str
    state: str  # "built", "ready" (nothing to do) or "failed"
    seconds: float = 0.0
    path: str = ""
    score: str = ""  # the recipe's headline held-out figure
    metrics: dict = field(default_factory=dict)
    size_bytes: int = 0
    error: str = ""
    log: str = ""  # a failed parallel build's output

    @property
    def ok(self) -> bool:
        return self.state != "failed"


def plan(shelf: Shelf, roles: list[str]) -> list[str]:
    """`roles` plus every base they start from that is not ready, each after its bases."""
    ordered: list[str] = []

    def visit(role: str) -> None:
        if role in ordered:
            return
        for base in shelf.bases(role):
            if base in roles or shelf.status(base).state != "ready":
                visit(base)
        ordered.append(role)

    for role in roles:
        visit(role)
    return ordered


def _outcome(shelf: Shelf, role: str, state: str, seconds: float) -> BuildOutcome:
    status = shelf.status(role)
    manifest = status.manifest or {}
    return BuildOutcome(role, state, round(seconds, 1), str(status.path), score_text(shelf.recipe(role), manifest),
                        manifest.get("heldout_metrics", {}), shelf.size_bytes(role))


def _build_one(shelf: Shelf, role: str, force: bool, quiet: bool, *, trace: bool = False) -> BuildOutcome:
    """Build one role; a failure becomes an outcome (and, with `trace`, a traceback in the output) so that the
    other roles still build."""
    started = time.time()
    try:
        if not force and shelf.status(role).state == "ready":
            return _outcome(shelf, role, "ready", 0.0)
        shelf.build(role, force=force, quiet=quiet)
    except Exception as exc:
        if trace:
            traceback.print_exc()
        return BuildOutcome(role, "failed", round(time.time() - started, 1), error=f"{type(exc).__name__}: {exc}")
    return _outcome(shelf, role, "built", time.time() - started)


def _build_in_worker(shelf: Shelf, role: str, force: bool, log: str) -> BuildOutcome:
    """A worker process's build: its output goes to its own log, so parallel builds do not write over each other."""
    handle = open(log, "a", buffering=1)  # stays open: it is this worker's stdout until its next build
    os.dup2(handle.fileno(), 1)
    os.dup2(handle.fileno(), 2)
    sys.stdout = sys.stderr = handle
    outcome = _build_one(shelf, role, force, quiet=True, trace=True)
    return outcome if outcome.ok else replace(outcome, log=log)


def build_many(shelf: Shelf, roles: list[str], *, jobs: int = 1, force: bool = False, progress: bool = True,
               on_done=None) -> list[BuildOutcome]:
    """Build `roles` (and the bases they need), `jobs` at a time; return one outcome per role, in build order.

    `force` rebuilds the roles named, not their bases. `on_done(outcome)` hears about each role as it finishes.
    """
    if jobs < 1:
        raise CourseError(f"--jobs must be 1 or more, not {jobs}.")
    order = plan(shelf, roles)
    report = on_done or (lambda outcome: None)
    if jobs == 1 or len(order) == 1:
        outcomes = []
        for role in order:
            outcomes.append(_build_one(shelf, role, force and role in roles, quiet=not progress))
            report(outcomes[-1])
        return outcomes
    return _build_parallel(shelf, order, set(roles) if force else set(), jobs, report, progress)


def _build_parallel(shelf: Shelf, order: list[str], forced: set[str], jobs: int, report, progress: bool):
    """Worker processes, longest builds first, each role started once the roles it starts from are done."""
    import multiprocessing
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    from tqdm.auto import tqdm

    logs = Path(tempfile.mkdtemp(prefix="shelf-build-logs-"))
    waiting = sorted(order, key=lambda r: -shelf.recipe(r).estimate_seconds)
    done: dict[str, BuildOutcome] = {}
    running = {}
    bar = tqdm(total=len(order), desc="shelf", unit="role", disable=not progress)
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        while waiting or running:
            for role in list(waiting):
                bases = [b for b in shelf.bases(role) if b in order]
                if any(done.get(b) and not done[b].ok for b in bases):
                    waiting.remove(role)
                    done[role] = BuildOutcome(role, "failed", error=f"{bases[0]!r}, which it starts from, failed")
                    report(done[role])
                elif all(b in done for b in bases) and len(running) < jobs:
                    waiting.remove(role)
                    log = str(logs / f"{role}.log")
                    running[pool.submit(_build_in_worker, shelf, role, role in forced, log)] = role
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                outcome = future.result()
                done[running.pop(future)] = outcome
                report(outcome)
                bar.update()
    bar.close()
    for log in logs.iterdir():
        if done[log.stem].ok:
            log.unlink()
    if not any(logs.iterdir()):
        logs.rmdir()
    return [done[role] for role in order]
