"""`course bench --classroom N`: what a class costs one server. N learners run a lesson at the same moment, each in
a fresh kernel, against one learner alone in the same run; from the slowdown and the kernels' peak memory, how many
learners one 2-core, 24 GB server serves within twice the one-learner time."""

from __future__ import annotations

import copy
import json
import math
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from pathlib import Path

from ..bench import Run, lesson_paths, run_notebook
from ..errors import CourseError
from . import LEARNER_THREADS, learner_threads_environment

SERVER_CORES, SERVER_GB = 2, 24
SLOWDOWN = 2.0  # "served": each learner's lesson takes at most twice as long as alone
RESERVED_GB = 2.0  # the system, the hub and its proxy
SERVER_MB = 150  # a learner's jupyterhub-singleuser process without its kernel (measured by tests/test_classroom.py)
BUSY_SAMPLE_SECONDS = 2.0
BUSY_WARNING_PERCENT = 25  # a quarter of the cores already busy slows the one-learner run the others are compared to


def capacity(learners: int, ratio: float, peak_mb: float, cores_here: int) -> dict:
    """Learners one 2-core, 24 GB server serves at once, by CPU and by memory.

    CPU: a lesson's running time grows in proportion to the learners sharing the cores once they are busy, so N
    learners at a slowdown `ratio` mean the cores absorb N / ratio learners at full speed, and twice that within a
    2x slowdown; scaled from this machine's cores to the server's. Memory: what is left after the system, divided by
    one learner's kernel peak plus their server process."""
    by_cpu = math.floor(SLOWDOWN * learners / max(ratio, 1.0) * SERVER_CORES / cores_here)
    by_memory = math.floor((SERVER_GB - RESERVED_GB) * 1024 / (peak_mb + SERVER_MB))
    return {"by_cpu": by_cpu, "by_memory": by_memory, "learners": min(by_cpu, by_memory)}


def _lesson(folder: Path, names: list[str]) -> Path:
    return lesson_paths(folder, names[:1] or ["01"])[0]


def bench_classroom(learners: int, path: Path, threads: int = LEARNER_THREADS) -> dict:
    """A warm-up run (it reads the models from disk once), one learner alone, then `learners` at the same moment;
    every kernel held to `threads` CPU threads, as the class's hub holds a learner's."""
    import nbformat
    import psutil

    nb = nbformat.read(path, as_version=4)
    env = learner_threads_environment(threads)

    def learner(name: str) -> Run:
        return run_notebook(copy.deepcopy(nb), name, path.parent, env=env)

    load_before = os.getloadavg()[0]
    # The load average lags by a minute (it stays high just after a heavy run ends); a sample says what runs now.
    busy_before = psutil.cpu_percent(interval=BUSY_SAMPLE_SECONDS)
    warm = learner("warm-up")
    alone = learner("one learner alone")
    with ThreadPoolExecutor(learners) as pool:
        together = list(pool.map(lambda i: learner(f"learner {i + 1} of {learners}"), range(learners)))
    runs: list[Run] = [warm, alone, *together]
    failed = [r for r in runs if not r.ok]
    mean = sum(r.seconds for r in together) / learners
    ratio = mean / alone.seconds if alone.seconds else float("inf")
    peak = max(r.peak_mb for r in runs)
    cores = os.cpu_count() or 1
    return {"lesson": path.stem, "learners": learners, "threads_per_kernel": threads, "cores_here": cores,
            "load_average": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "cpu_busy_percent_before": round(busy_before), "alone_seconds": alone.seconds,
            "together_mean_seconds": round(mean, 1), "together_max_seconds": max(r.seconds for r in together),
            "ratio": round(ratio, 2), "peak_mb_per_kernel": peak,
            "capacity": capacity(learners, ratio, peak, cores), "failed": [asdict(r) for r in failed],
            "runs": [asdict(r) for r in runs]}


def caveats(figures: dict) -> list[str]:
    """What makes these figures less than they seem, one sentence each."""
    found = []
    if figures["cpu_busy_percent_before"] >= BUSY_WARNING_PERCENT:
        found.append(f"other work kept {figures['cpu_busy_percent_before']}% of the CPU busy just before the run: the "
                     "one-learner time is slowed too, so the slowdown and the capacity below are rough; measure on an "
                     "idle server to rely on them")
    if figures["threads_per_kernel"] > figures["cores_here"]:
        found.append(f"torch runs at most {figures['cores_here']} threads on this {figures['cores_here']}-core "
                     f"machine, so {figures['threads_per_kernel']} threads per kernel measure the same as "
                     f"{figures['cores_here']}")
    return found


def print_classroom(figures: dict) -> None:
    n, cap = figures["learners"], figures["capacity"]
    threads = figures["threads_per_kernel"]
    print(f"{figures['lesson']}: {n} learners at once, each in a fresh kernel with {threads} CPU "
          f"thread{'s' if threads > 1 else ''}, offline, on this machine ({figures['cores_here']} cores, "
          f"{figures['cpu_busy_percent_before']}% busy in the {BUSY_SAMPLE_SECONDS:g} s before; load average "
          f"{figures['load_average'][0]:g} before and {figures['load_average'][1]:g} after)")
    for caveat in caveats(figures):
        print(f"  {caveat}")
    for run in figures["runs"]:
        state = "ok" if run["ok"] else f"FAILED: {run['error']}"
        print(f"  {run['name']:<22} {run['seconds']:>7.1f} s  peak {run['peak_mb']:>6.0f} MB  {state}")
    print(f"seconds per learner: {figures['together_mean_seconds']:.1f} with {n} together (slowest "
          f"{figures['together_max_seconds']:.1f}) against {figures['alone_seconds']:.1f} alone: "
          f"{figures['ratio']:.2f}x")
    print(f"peak memory per learner kernel: {figures['peak_mb_per_kernel']:.0f} MB")
    print(f"one {SERVER_CORES}-core, {SERVER_GB} GB server, every learner within {SLOWDOWN:g}x the one-learner time: "
          f"about {cap['learners']} learners running this lesson at the same moment (CPU allows {cap['by_cpu']}, "
          f"memory {cap['by_memory']} at {figures['peak_mb_per_kernel']:.0f} + {SERVER_MB} MB each, "
          f"{RESERVED_GB:g} GB kept for the system)")


def run_classroom_bench(learners: int, folder: Path, names: list[str], json_path: str | None,
                        threads: int = LEARNER_THREADS) -> int:
    if learners < 1:
        raise CourseError(f"--classroom needs a number of learners of at least 1, not {learners}.")
    if threads < 1:
        raise CourseError(f"--threads needs a number of CPU threads per learner of at least 1, not {threads}.")
    figures = bench_classroom(learners, _lesson(folder, names), threads)
    print_classroom(figures)
    if json_path:
        Path(json_path).write_text(json.dumps(figures, indent=2) + "\n")
        print(f"Figures written to {json_path}")
    return 1 if figures["failed"] else 0
