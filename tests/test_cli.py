import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def course(*args, **env):
    return subprocess.run([sys.executable, "-m", "course_utils.cli", *args], cwd=REPO, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def test_bad_mode_is_one_sentence_and_exit_2():
    done = course("shelf", "list", COURSE_MODE="banana")
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "COURSE_MODE" in done.stderr and "Traceback" not in done.stderr


def test_unknown_role_on_build(tmp_path):
    done = course("shelf", "build", "nope", COURSE_SHELF=str(tmp_path))
    assert done.returncode == 2 and "the roles are: sentiment" in done.stderr


def test_shelf_list_shows_every_role_with_mode_and_score(tmp_path):
    done = course("shelf", "list", COURSE_SHELF=str(tmp_path), COURSE_MODE="offline")
    assert done.returncode == 0
    lines = done.stdout.splitlines()
    assert lines[0].split()[:4] == ["role", "mode", "kind", "state"]
    assert any(line.startswith("sentiment") and "missing" in line for line in lines)
    assert any(line.startswith("feature-extraction") and "real model" in line for line in lines)


def test_doctor_reports_missing_stand_in_with_advice(tmp_path):
    done = course("doctor", COURSE_SHELF=str(tmp_path / "empty"), COURSE_MODE="offline", HF_ENDPOINT="http://127.0.0.1:9")
    assert done.returncode == 1
    assert "course shelf build sentiment" in done.stdout and "not reachable" in done.stdout


def test_release_check_passes_on_the_repository():
    done = course("release", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_bad_bench_and_build_arguments_are_one_line_each(tmp_path):
    for args, expected in [(["bench", "99"], "No lesson in solutions matches '99'"),
                           (["bench", "--folder", str(tmp_path)], "No notebooks in"),
                           (["bench", "--shelf", "--roles", "nope"], "'nope' is not a role"),
                           (["bench", "--shelf", "--roles", "feature-extraction"], "no stand-in to build"),
                           (["shelf", "build", "--jobs", "0"], "--jobs: it must be 1 or more, not 0"),
                           (["shelf", "build", "--jobs", "-1"], "--jobs: it must be 1 or more, not -1")]:
        done = course(*args, COURSE_SHELF=str(tmp_path / "shelf"))
        assert done.returncode == 2, (args, done.stdout, done.stderr)
        assert expected in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)
