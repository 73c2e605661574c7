"""Faults a learner or a class can hit: killed builds, secrets, network-facing servers, unsafe loading."""

import os
import re
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from course_utils.shelf import Shelf
from course_utils.shelf.manifest import MANIFEST, verify

TESTS = Path(__file__).parent
REPO = TESTS.parent


def _start_build(root: Path, seconds: float) -> subprocess.Popen:
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from toy_recipe import TOY
        from course_utils.shelf import Shelf
        Shelf({str(root)!r}, {{"toy": TOY}}).ensure("toy")
    """)
    env = dict(os.environ, TOY_BUILD_SECONDS=str(seconds))
    return subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("moment,files_written", [(0.2, {"config.json"}), (0.7, {"config.json", "weights.bin"})])
def test_sigkill_mid_build_leaves_no_entry_and_the_next_use_rebuilds(tmp_path, toy, moment, files_written):
    root = tmp_path / "shelf"
    seconds = 6.0
    build = _start_build(root, seconds)
    workdir_glob = ".building-toy-*/model"
    deadline = time.monotonic() + 30
    while not list(root.glob(workdir_glob)) and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(seconds * moment)
    written = {p.name for p in next(root.glob(workdir_glob)).iterdir()}
    build.send_signal(signal.SIGKILL)
    build.wait()
    assert written == files_written  # killed during training, or between writing files
    shelf = Shelf(root, {"toy": toy})
    assert not (root / "toy").exists()
    assert shelf.status("toy").state == "missing"
    path = shelf.ensure("toy")  # the lock died with the process; the leftovers are cleared
    assert verify(path) and not list(root.glob(".building-*"))


def test_manifest_only_ever_describes_files_that_are_there(tmp_shelf):
    path = tmp_shelf.build("toy", quiet=True)
    listed = set(verify(path)["files"])
    assert listed == {p.name for p in path.iterdir() if p.name != MANIFEST}


def test_no_code_trusts_remote_code_or_pickles_models():
    offenders = []
    patterns = [r"trust_remote_code\s*=\s*True", r"torch\.save\(", r"pickle\.dump", r"safe_serialization\s*=\s*False"]
    files = list((REPO / "course_utils").rglob("*.py")) + list(REPO.glob("solutions/*.ipynb"))
    for file in files:
        text = file.read_text(encoding="utf-8")
        offenders += [f"{file.relative_to(REPO)}: {p}" for p in patterns if re.search(p, text)]
    assert not offenders


def test_jupyterlab_listens_on_localhost_with_a_token():
    from course_utils.cli import lab_command

    command = lab_command("workspace", 8888, no_browser=True)
    assert "--ServerApp.ip=127.0.0.1" in command
    assert not any("token=" in part.lower() or "password" in part.lower() or "0.0.0.0" in part for part in command)


def test_no_token_is_printed_by_the_banner_or_doctor(monkeypatch, capsys):
    secret = "hf_" + "x" * 30
    monkeypatch.setenv("HF_TOKEN", secret)
    from course_utils import lesson_setup

    lesson_setup("feature-extraction")
    assert secret not in capsys.readouterr().out
    done = subprocess.run([sys.executable, "-m", "course_utils.cli", "doctor"], capture_output=True, text=True,
                          env={**os.environ, "HF_TOKEN": secret, "HF_ENDPOINT": "http://127.0.0.1:9"}, timeout=120)
    assert secret not in done.stdout + done.stderr
