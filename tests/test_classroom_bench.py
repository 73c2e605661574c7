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
from course_utils.classroom.bench import SERVER_MB, capacity

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
