"""A newcomer who is not root, on the machine's own Python (/usr/bin/python3): `git clone`, `make lab` up to a running
JupyterLab with the first lessons' models built into their own shelf, `course doctor`, then lesson 00 executed, all
as an ordinary account that the test creates."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from accounts import SYSTEM_PYTHON, clone_as, create_account, needs_root, processes_of, remove_account
from hub_client import call, wait_until

REPO = Path(__file__).resolve().parents[1]
LAB_URL = re.compile(r"(http://127\.0\.0\.1:\d+)/lab\?token=(\w+)")
# No test waits on the network: a closed local port makes auto mode decide offline at once.
NO_HUB = {"HF_ENDPOINT": "http://127.0.0.1:9"}

pytestmark = [needs_root, pytest.mark.slow]


@pytest.fixture(scope="module")
def newcomer():
    account = create_account("newcomer")
    yield account
    remove_account(account)


def _lines(stream, into: queue.Queue) -> None:
    for line in iter(stream.readline, ""):
        into.put(line)
    into.put(None)


def _wait_for_lab(process, seconds: float) -> tuple[str, str, list[str]]:
    """Read make lab's output until JupyterLab prints its address; fail with the output if it never does."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(process.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            line = lines.get(timeout=5)
        except queue.Empty:
            continue
        if line is None:
            break
        seen.append(line.rstrip())
        found = LAB_URL.search(line)
        if found:
            return found.group(1), found.group(2), seen
    raise AssertionError("make lab did not reach a running JupyterLab:\n" + "\n".join(seen[-60:]))


def _answers(url: str, token: str) -> bool:
    try:
        status, body = call("GET", url, token, timeout=10)
    except OSError:
        return False
    return status == 200 and bool(body.get("started"))


def test_make_lab_then_doctor_then_lesson_00(newcomer):
    checkout = clone_as(newcomer, REPO)
    started = time.monotonic()
    lab = newcomer.popen(["make", "lab", f"PYTHON={SYSTEM_PYTHON}", "LAB_ARGS=--port 0 --no-browser"],
                         env=NO_HUB, cwd=checkout, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        base, token, output = _wait_for_lab(lab, 12 * 60)
        reached = time.monotonic() - started
        wait_until(lambda: _answers(f"{base}/api/status", token), 60, "JupyterLab answering its API")
    finally:
        os.killpg(lab.pid, signal.SIGTERM)  # make, and the JupyterLab that `course lab` became
        lab.wait(timeout=30)
    text = "\n".join(output)
    assert "Traceback" not in text, text
    assert re.search(r"Shelf: (\d+) of \1 roles ready", text), text
    print(f"\nnewcomer: git clone -> running JupyterLab in {reached:.0f} s")

    course = [str(checkout / ".venv" / "bin" / "course")]
    doctor = newcomer.run(course + ["doctor"], env=NO_HUB, cwd=checkout, check=False)
    assert "Traceback" not in doctor.stdout + doctor.stderr
    assert f"Python {newcomer.run([SYSTEM_PYTHON, '--version']).stdout.split()[1]}" in doctor.stdout
    ready = re.findall(r"^\s*(\S+)\s.*\bready held-out", doctor.stdout, flags=re.MULTILINE)
    assert "sentiment" in ready, doctor.stdout

    lesson = checkout / "workspace" / "00_setup.ipynb"
    assert lesson.is_file(), "make lab copies the lessons into the newcomer's workspace"
    runner = ("import sys, nbformat; from nbclient import NotebookClient; nb = nbformat.read(sys.argv[1], 4); "
              "NotebookClient(nb, timeout=300, kernel_name='python3').execute(); print('executed', len(nb.cells))")
    done = newcomer.run([str(checkout / ".venv" / "bin" / "python"), "-c", runner, str(lesson)], env=NO_HUB,
                        cwd=checkout / "workspace", check=False)
    assert done.returncode == 0 and "executed" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    assert not [p for p in processes_of(newcomer) if "jupyter" in p], "JupyterLab stopped with make lab"
