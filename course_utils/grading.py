"""`course check`: run a learner's workspace notebooks headless, offline, and report each exercise as pass, fail or
not attempted, from the check results the exercise cells display."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .checks import MIME
from .errors import CourseError
from .kernels import private_kernel_manager
from .modes import offline_environment

STATUSES = ("pass", "fail", "not attempted")
UPDATE_OFFER = re.compile(r"\.updated-[0-9a-f]+$")  # a newer course version beside the learner's copy, not their work


@dataclass
class ExerciseResult:
    exercise: str
    title: str
    status: str
    parts: list[dict] = field(default_factory=list)

    def summary(self) -> str:
        """The status, with the first wrong part's message for a failure."""
        wrong = [p for p in self.parts if not p.get("ok")]
        if self.status != "fail" or not wrong:
            return self.status
        return f"fail: {wrong[0]['name']}: {wrong[0].get('message', '')}".rstrip(": ")


@dataclass
class LessonReport:
    lesson: str
    path: str
    exercises: list[ExerciseResult] = field(default_factory=list)
    problem: str | None = None  # the notebook could not be read or run to the end
    errors: list[str] = field(default_factory=list)  # cells that raised, as "cell N: Error: message"
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        return {status: sum(e.status == status for e in self.exercises) for status in STATUSES}


def _sort_key(number: str):
    return [int(p) if p.isdigit() else p for p in re.split(r"[.\-]", number)]


def workspace_notebooks(workspace: Path, lessons: list[str] | None = None) -> list[Path]:
    """The learner's notebooks to check: every lesson in the workspace, or those named (by number, name or file)."""
    if not workspace.is_dir():
        raise CourseError(f"No workspace folder at {workspace.resolve()}; pass --workspace DIR "
                          "(the folder with the learner's notebooks).")
    found = sorted(p for p in workspace.glob("*.ipynb") if not UPDATE_OFFER.search(p.stem))
    if not lessons:
        if not found:
            raise CourseError(f"No notebooks in {workspace.resolve()}.")
        return found
    chosen = []
    for wanted in lessons:
        name = Path(wanted).name.removesuffix(".ipynb")
        matches = [p for p in found if p.stem == name or p.stem.startswith(f"{name}_")]
        if not matches:
            names = ", ".join(p.stem for p in found) or "none"
            raise CourseError(f"No notebook in {workspace} matches {wanted!r}; the workspace has: {names}.")
        chosen.extend(p for p in matches if p not in chosen)
    return chosen


def expected_exercises(lesson: str) -> list[str]:
    """The numbers of the exercises the course's checker module for this lesson defines (none if it has none)."""
    number = re.match(r"(\d+)", lesson)
    if not number:
        return []
    name = f"course_utils.exercises.lesson{number.group(1)}"
    try:
        module = importlib.import_module(name)
    except ModuleNotFoundError as missing:
        if missing.name != name:
            raise
        return []
    return [fn.exercise for fn in vars(module).values()
            if callable(fn) and isinstance(getattr(fn, "exercise", None), str)]


def results_from_outputs(nb) -> list[ExerciseResult]:
    """The check results a notebook displayed; when one exercise was checked twice, the last one counts."""
    latest: dict[str, ExerciseResult] = {}
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {}) if output.get("output_type") in ("display_data", "execute_result") else {}
            bundle = data.get(MIME)
            if isinstance(bundle, str):
                bundle = json.loads(bundle)
            if isinstance(bundle, dict) and bundle.get("status") in STATUSES:
                latest[str(bundle.get("exercise"))] = ExerciseResult(
                    str(bundle.get("exercise")), str(bundle.get("title", "")), bundle["status"],
                    list(bundle.get("parts", [])))
    return list(latest.values())


def _first_line(text: str, width: int = 160) -> str:
    line = (text or "").strip().split("\n")[0]
    return line if len(line) <= width else line[: width - 1] + "\u2026"


def check_notebook(path: Path, timeout: int = 120, kernel_name: str = "python3") -> LessonReport:
    """Run one notebook from top to bottom in a fresh offline kernel, going on past errors, and collect its checks."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import DeadKernelError

    report = LessonReport(lesson=path.stem, path=str(path))
    started = time.time()
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as exc:  # not JSON, not a notebook, or an unreadable file: all are the learner's to fix
        report.problem = f"not a readable notebook ({type(exc).__name__}: {_first_line(str(exc))})"
        return report
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None

    def record_error(cell, cell_index, execute_reply):
        content = execute_reply.get("content", {})
        report.errors.append(f"cell {cell_index + 1}: {content.get('ename', 'Error')}: "
                             f"{_first_line(content.get('evalue', ''))}")

    env = {**os.environ, **offline_environment(), "MPLBACKEND": "agg"}
    # A scratch folder as the working directory: checking must never add or change files in the workspace.
    with tempfile.TemporaryDirectory(prefix="course-check-") as scratch, \
            private_kernel_manager(kernel_name) as manager:
        client = NotebookClient(
            nb, km=manager, timeout=timeout, allow_errors=True, interrupt_on_timeout=True,
            error_on_timeout={"ename": "Timeout", "evalue": f"the cell ran longer than {timeout} s", "traceback": []},
            on_cell_error=record_error)
        try:
            # The kernel process's own log is noise here; cell output arrives separately.
            client.execute(cwd=scratch, env=env, stderr=subprocess.DEVNULL)
        except DeadKernelError:
            report.problem = "the kernel died while running it (out of memory, or the process was killed)"
        except Exception as exc:
            report.problem = f"it could not be run ({type(exc).__name__}: {_first_line(str(exc))})"
    found = {r.exercise: r for r in results_from_outputs(nb)}
    for number in expected_exercises(path.stem):
        if number not in found:
            why = "its check cell did not run" + (f" (first error: {report.errors[0]})" if report.errors else "")
            found[number] = ExerciseResult(number, "", "fail", [{"name": "check", "ok": False, "message": why,
                                                                  "hint": ""}])
    report.exercises = sorted(found.values(), key=lambda r: _sort_key(r.exercise))
    report.seconds = round(time.time() - started, 1)
    return report


def check_workspace(workspace: Path, lessons: list[str] | None = None, timeout: int = 120,
                    progress=None) -> list[LessonReport]:
    reports = []
    for path in workspace_notebooks(workspace, lessons):
        if progress:
            progress(f"checking {path.name} ...")
        reports.append(check_notebook(path, timeout=timeout))
    return reports


def as_json(reports: list[LessonReport], workspace: Path) -> str:
    return json.dumps({"workspace": str(workspace.resolve()), "mode": "offline",
                       "lessons": [{**asdict(r), "counts": r.counts()} for r in reports]}, indent=2)


def as_table(reports: list[LessonReport]) -> str:
    rows = [("lesson", "exercise", "title", "status")]
    for report in reports:
        if report.problem:
            rows.append((report.lesson, "-", "-", f"NOTEBOOK PROBLEM: {report.problem}"))
        for result in report.exercises:
            rows.append((report.lesson, result.exercise, result.title or "-", result.summary()))
        if not report.exercises and not report.problem:
            rows.append((report.lesson, "-", "-", "no exercise checks in this notebook"))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    lines = []
    for i, row in enumerate(rows):
        lines.append("  ".join(v.ljust(w) for v, w in zip(row[:3], widths)) + "  " + row[3])
        if i == 0:
            lines.append("  ".join("-" * w for w in widths) + "  " + "-" * 6)
    totals = {s: sum(r.counts()[s] for r in reports) for s in STATUSES}
    lines.append("")
    lines.append(f"{sum(totals.values())} exercise(s): " + ", ".join(f"{n} {s}" for s, n in totals.items()))
    for report in reports:
        if report.errors:
            lines.append(f"{report.lesson}: {len(report.errors)} cell(s) raised; first: {report.errors[0]}")
    return "\n".join(lines)
