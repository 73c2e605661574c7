"""`course bench`: what each lesson costs (seconds, peak kernel memory) against a bare-kernel floor, and the shelf's build cost.

Every notebook runs headless in a fresh kernel, offline, so the figures compare across commits.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from .errors import CourseError
from .kernels import private_kernel_manager
from .modes import offline_environment

LESSON_SECONDS, COURSE_SECONDS, PEAK_MB = 60, 8 * 60, 2.5 * 1024
SHELF_SECONDS, SHELF_MB = 10 * 60, 600
FLOOR_SOURCE = "import torch\nimport transformers\nfrom transformers import pipeline"


@dataclass
class Run:
    name: str
    seconds: float
    peak_mb: float
    ok: bool
    error: str = ""


class _PeakSampler(threading.Thread):
    """Samples the kernel's resident memory (with its children) until stopped."""

    def __init__(self, pid: int, every: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.every, self.peak = pid, every, 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        import psutil

        try:
            process = psutil.Process(self.pid)
        except psutil.Error:
            return
        while not self._stop_event.is_set():
            try:
                rss = process.memory_info().rss + sum(c.memory_info().rss for c in process.children(recursive=True))
                self.peak = max(self.peak, rss)
            except psutil.Error:
                break
            self._stop_event.wait(self.every)

    def stop(self) -> int:
        self._stop_event.set()
        self.join(timeout=2)
        return self.peak


def run_notebook(nb, name: str, cwd: Path, timeout: int = 600, env: dict[str, str] | None = None) -> Run:
    """Execute one notebook object in a fresh offline kernel (with `env` added to its environment); time it and
    sample its peak memory."""
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    started = time.perf_counter()
    sampler = None
    error = ""
    with private_kernel_manager() as manager:
        client = NotebookClient(nb, km=manager, timeout=timeout, resources={"metadata": {"path": str(cwd)}})
        try:
            with client.setup_kernel(env={**os.environ, **offline_environment(), **(env or {})}):
                sampler = _PeakSampler(client.km.provisioner.process.pid)
                sampler.start()
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index)
        except CellExecutionError as exc:
            error = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else "a cell failed"
        finally:
            seconds = time.perf_counter() - started
            peak = sampler.stop() if sampler else 0
    return Run(name, round(seconds, 1), round(peak / 2**20), not error, error)


def floor_run(cwd: Path) -> Run:
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(FLOOR_SOURCE)])
    return run_notebook(nb, "(floor: import torch + transformers)", cwd)


def lesson_paths(folder: Path, names: list[str]) -> list[Path]:
    """The notebooks to time: all of `folder`, or those whose name starts with one of `names` (each must match)."""
    paths = sorted(folder.glob("*.ipynb")) if folder.is_dir() else []
    if not paths:
        raise CourseError(f"No notebooks in {folder.resolve()}; run this from the course folder or pass --folder DIR.")
    unmatched = [n for n in names if not any(p.stem.startswith(n) or p.name == n for p in paths)]
    if unmatched:
        raise CourseError(f"No lesson in {folder} matches {', '.join(map(repr, unmatched))}; the lessons are: "
                          f"{', '.join(p.stem for p in paths)}.")
    return [p for p in paths if not names or any(p.stem.startswith(n) or p.name == n for n in names)]


def bench_lessons(paths: list[Path]) -> tuple[Run, list[Run]]:
    import nbformat
    from tqdm.auto import tqdm

    floor = floor_run(paths[0].parent)
    runs = []
    for path in tqdm(paths, desc="lessons", unit="notebook"):
        runs.append(run_notebook(nbformat.read(path, as_version=4), path.stem, path.parent))
    return floor, runs


def bench_shelf(roles: list[str]) -> list[dict]:
    """Build each stand-in from nothing in a temporary shelf, one after another; time and size each."""
    from .checkpoints import course_shelf, get_role, trained_roles
    from .shelf import Shelf
    from .shelf.builds import build_many

    for name in roles:
        if not get_role(name).recipe:
            raise CourseError(f"{name!r} has no stand-in to build (it is a real model shipped by a package).")
    with tempfile.TemporaryDirectory(prefix="bench-shelf-") as root:
        shelf = Shelf(root, course_shelf().recipes)
        outcomes = build_many(shelf, roles or trained_roles(), jobs=1, progress=False)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        raise CourseError(f"Building {failed[0].role!r} failed: {failed[0].error}")
    return [{"role": o.role, "seconds": o.seconds, "mb": round(o.size_bytes / 2**20, 1), "heldout": o.metrics}
            for o in outcomes]


def _mark(ok: bool) -> str:
    return "ok" if ok else "OVER"


def print_lessons(floor: Run, runs: list[Run]) -> None:
    print(f"{'lesson':<34} {'seconds':>8} {'x floor':>8} {'peak MB':>8}  target")
    print(f"{floor.name:<34} {floor.seconds:>8.1f} {1:>8.1f} {floor.peak_mb:>8.0f}")
    for run in runs:
        ratio = run.seconds / floor.seconds if floor.seconds else 0
        verdict = _mark(run.seconds <= LESSON_SECONDS and run.peak_mb <= PEAK_MB) if run.ok else f"FAILED: {run.error}"
        print(f"{run.name:<34} {run.seconds:>8.1f} {ratio:>8.1f} {run.peak_mb:>8.0f}  {verdict}")
    total = sum(r.seconds for r in runs)
    print(f"{'total':<34} {total:>8.1f} {'':>8} {max((r.peak_mb for r in runs), default=0):>8.0f}  "
          f"{_mark(total <= COURSE_SECONDS)} (course <= {COURSE_SECONDS // 60} min, lesson <= {LESSON_SECONDS} s, "
          f"peak <= {PEAK_MB / 1024:.1f} GB)")


def print_shelf(results: list[dict]) -> None:
    print(f"\n{'role':<22} {'seconds':>8} {'MB':>8}  held-out")
    for r in results:
        print(f"{r['role']:<22} {r['seconds']:>8.1f} {r['mb']:>8.1f}  {r['heldout']}")
    seconds, mb = sum(r["seconds"] for r in results), sum(r["mb"] for r in results)
    print(f"{'total':<22} {seconds:>8.1f} {mb:>8.1f}  {_mark(seconds <= SHELF_SECONDS and mb <= SHELF_MB)} "
          f"(shelf <= {SHELF_SECONDS // 60} min and <= {SHELF_MB} MB)")


def run_bench(names: list[str], folder: Path, shelf: bool, shelf_roles: list[str], json_path: str | None) -> int:
    report: dict = {}
    failed = False
    if not shelf or names:
        floor, runs = bench_lessons(lesson_paths(folder, names))
        print_lessons(floor, runs)
        report["floor"], report["lessons"] = asdict(floor), [asdict(r) for r in runs]
        failed = not all(r.ok for r in runs)
    if shelf:
        results = bench_shelf(shelf_roles)
        print_shelf(results)
        report["shelf"] = results
    if json_path:
        Path(json_path).write_text(json.dumps(report, indent=2) + "\n")
        print(f"\nFigures written to {json_path}")
    return 1 if failed else 0
