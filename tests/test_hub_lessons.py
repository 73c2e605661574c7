"""Every lesson against the test Hub: each student copy and master with COURSE_MODE=hub, and each master again with
COURSE_MODE=auto (which must decide hub), each in a fresh kernel that reaches the server only through HF_ENDPOINT,
with an HF cache of its own for the session. A failure lists every cell that raised, not just the first."""

import json
import time
from pathlib import Path

import nbformat
import psutil
import pytest
from filelock import FileLock
from nbclient import NotebookClient

from hubserver.builder import built_repos
from hubserver.fixtures import hub_environment
from hubserver.server import HubServer

REPO = Path(__file__).resolve().parents[1]
MASTERS = sorted((REPO / "solutions").glob("*.ipynb"))
NOTEBOOKS = sorted((REPO / "lessons").glob("*.ipynb")) + MASTERS
TIMINGS = REPO / "build" / "hub-lessons-seconds.json"


@pytest.fixture(scope="module")
def lesson_hub():
    with HubServer(built_repos()) as server:
        yield server


@pytest.fixture(scope="module")
def lesson_cache(tmp_path_factory):
    return tmp_path_factory.mktemp("hub-lessons-hf-cache")


def _errors(nb) -> list[str]:
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                first = next((line for line in cell.source.splitlines() if line.strip()), "")
                found.append(f"cell {index} ({first[:60]!r}): {output['ename']}: {output['evalue'][:300]}")
    return found


def _record(name: str, seconds: float, cpu_seconds: float) -> None:
    """Wall and kernel CPU seconds per run, in build/ for the record (two xdist workers may both write)."""
    TIMINGS.parent.mkdir(exist_ok=True)
    with FileLock(str(TIMINGS) + ".lock"):
        try:
            figures = json.loads(TIMINGS.read_text())
        except (OSError, ValueError):
            figures = {}
        figures[name] = {"wall": round(seconds, 1), "cpu": round(cpu_seconds, 1)}
        TIMINGS.write_text(json.dumps(figures, indent=1, sort_keys=True))


def _run_against_the_hub(server, cache, notebook: Path, mode: str) -> None:
    nb = nbformat.read(notebook, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(notebook.parent)}})
    started = time.perf_counter()
    with client.setup_kernel(env=hub_environment(server.url, cache, mode)):
        kernel = psutil.Process(client.km.provisioner.process.pid)
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        used = kernel.cpu_times()
    _record(f"{mode} {notebook.parent.name}/{notebook.stem}", time.perf_counter() - started,
            used.user + used.system + used.children_user + used.children_system)
    setup = next(cell for cell in nb.cells if cell.cell_type == "code" and "lesson_setup(" in cell.source)
    banner = "".join(output.get("text", "") for output in setup.get("outputs", []))
    assert "Mode: hub" in banner and "stand-in for" not in banner, banner
    assert not _errors(nb), "\n".join(_errors(nb))


# One class per mode, so that `pytest -n 2 --dist loadscope` (make test) runs the two modes side by side.
@pytest.mark.slow
@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: f"{p.parent.name}/{p.stem}")
class TestLessonsAgainstTheHub:
    def test_in_hub_mode(self, lesson_hub, lesson_cache, notebook):
        _run_against_the_hub(lesson_hub, lesson_cache, notebook, "hub")


# Auto mode differs from hub mode only in the first cell's decision, so each lesson runs once: its master.
@pytest.mark.slow
@pytest.mark.parametrize("notebook", MASTERS, ids=lambda p: f"{p.parent.name}/{p.stem}")
class TestLessonsInAutoMode:
    def test_auto_decides_hub(self, lesson_hub, lesson_cache, notebook):
        _run_against_the_hub(lesson_hub, lesson_cache, notebook, "auto")
