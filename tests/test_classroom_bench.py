"""`course bench --classroom N`: N learners' kernels run a lesson at once against one alone, and what that implies
for one 2-core, 24 GB server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils.bench import run_notebook
from course_utils.classroom import LEARNER_THREADS, learner_threads_environment
from course_utils.classroom.bench import BUSY_WARNING_PERCENT, SERVER_MB, capacity, caveats

REPO = Path(__file__).resolve().parents[1]


def test_capacity_follows_the_slowdown_and_the_memory():
    # 4 learners at 2x on 2 cores: the cores absorb 2 at full speed, so 4 within a 2x slowdown.
    assert capacity(4, 2.0, 1000, cores_here=2)["by_cpu"] == 4
    # The same slowdown measured on 4 cores means half as much on the 2-core server.
    assert capacity(4, 2.0, 1000, cores_here=4)["by_cpu"] == 2
    # No slowdown at all cannot be extrapolated past twice the learners measured.
    assert capacity(3, 0.8, 1000, cores_here=2)["by_cpu"] == 6
    assert capacity(4, 1.0, 2252 - SERVER_MB, cores_here=2)["by_memory"] == 10  # (24 - 2) GB / 2252 MB
    figures = capacity(4, 4.0, 6000, cores_here=2)
    assert (figures["by_cpu"], figures["by_memory"], figures["learners"]) == (2, 3, 2)


def test_only_work_running_now_or_threads_past_the_cores_qualify_the_figures():
    idle = {"cpu_busy_percent_before": 3, "load_average": [3.2, 2.0], "threads_per_kernel": 1, "cores_here": 2}
    # A high load average just after a heavy run ends is not other work: the sampled share is what counts.
    assert caveats(idle) == []
    busy = caveats({**idle, "cpu_busy_percent_before": BUSY_WARNING_PERCENT + 30})
    assert len(busy) == 1 and f"{BUSY_WARNING_PERCENT + 30}% of the CPU busy" in busy[0]
    capped = caveats({**idle, "threads_per_kernel": 3})
    assert len(capped) == 1 and "at most 2 threads" in capped[0] and "measure the same as 2" in capped[0]


@pytest.mark.slow
def test_two_learners_run_lesson_00_together(tmp_path):
    out = tmp_path / "class.json"
    done = subprocess.run([sys.executable, "-m", "course_utils.cli", "bench", "00", "--classroom", "2", "--folder",
                           str(REPO / "lessons"), "--json", str(out)], capture_output=True, text=True, timeout=600,
                          env={**os.environ, "COURSE_MODE": "offline"})
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    figures = json.loads(out.read_text())
    assert figures["lesson"] == "00_setup" and figures["learners"] == 2 and not figures["failed"]
    assert figures["threads_per_kernel"] == LEARNER_THREADS and "with 1 CPU thread," in done.stdout
    assert 0 <= figures["cpu_busy_percent_before"] <= 100 and "% busy in the 2 s before" in done.stdout
    assert [r["name"] for r in figures["runs"]] == ["warm-up", "one learner alone", "learner 1 of 2", "learner 2 of 2"]
    assert figures["ratio"] > 0 and figures["peak_mb_per_kernel"] > 0 and figures["capacity"]["learners"] >= 1
    assert "seconds per learner" in done.stdout and "one 2-core, 24 GB server" in done.stdout


def test_a_learners_kernel_gets_the_threads_it_is_given(tmp_path):
    """torch reads the thread count the bench (and the class's hub) sets, so a class's kernels do not each start one
    thread per core."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import torch\nassert torch.get_num_threads() == 1")])
    run = run_notebook(nb, "one thread", tmp_path, env=learner_threads_environment(1))
    assert run.ok, run.error


@pytest.mark.parametrize("args, words", [(["--classroom", "0"], "learners of at least 1"),
                                         (["--classroom", "2", "--threads", "0"], "threads per learner of at least 1")])
def test_a_class_needs_a_learner_and_a_thread(args, words):
    done = subprocess.run([sys.executable, "-m", "course_utils.cli", "bench", *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and words in done.stderr, done.stderr


def test_the_teachers_guide_quotes_the_committed_measurement():
    """The guide's table gives three runs and says the committed file holds the middle one: its figures must be that
    file's, so a re-measurement that forgets the guide fails here."""
    measured = json.loads((REPO / "deploy" / "classroom-bench.json").read_text())
    guide = (REPO / "book" / "teachers-guide.md").read_text()
    rows = {cells[0]: cells[1:] for line in guide.splitlines() if line.startswith("| ")
            for cells in [[c.strip() for c in line.strip("|").split("|")]]}
    middle = {name: cells[1] for name, cells in rows.items() if len(cells) == 3}
    assert middle["one learner alone, seconds"] == f"{measured['alone_seconds']:g}"
    assert middle["four learners at the same moment, seconds each (mean)"] == f"{measured['together_mean_seconds']:g}"
    assert middle["slowdown"] == f"{measured['ratio']:.2f}x"
    assert middle["peak memory of a learner's kernel"] == f"{measured['peak_mb_per_kernel']} MB"
    assert f"about {measured['capacity']['learners']} learners" in guide
