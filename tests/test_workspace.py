import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from course_utils.workspace import sync_workspace


def test_first_sync_copies_every_lesson(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    (lessons / "00_a.ipynb").write_text("A1")
    (lessons / "01_b.ipynb").write_text("B1")
    sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "A1" and (workspace / "01_b.ipynb").read_text() == "B1"


def test_updates_never_overwrite_learner_work(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    (lessons / "00_a.ipynb").write_text("A1")
    sync_workspace(lessons, workspace)
    (workspace / "00_a.ipynb").write_text("my edits")
    (lessons / "00_a.ipynb").write_text("A2")
    (lessons / "02_c.ipynb").write_text("C1")
    actions = sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "my edits"
    assert (workspace / "02_c.ipynb").read_text() == "C1"
    offered = list(workspace.glob("00_a.updated-*.ipynb"))
    assert len(offered) == 1 and offered[0].read_text() == "A2"
    assert any("untouched" in line for line in actions)
    assert sync_workspace(lessons, workspace) == []  # nothing new the second time


def test_a_file_already_there_is_kept_even_without_a_ledger(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    workspace.mkdir()
    (lessons / "00_a.ipynb").write_text("course")
    (workspace / "00_a.ipynb").write_text("learner")
    sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "learner"


# Bad input: one clear line, a non-zero exit, and nothing of the learner's lost.

REPO = Path(__file__).resolve().parents[1]


def course(*args, cwd=REPO, **env):
    return subprocess.run([sys.executable, "-m", "course_utils.cli", *map(str, args)], cwd=cwd, capture_output=True,
                          text=True, env={**os.environ, **env}, timeout=120)


def _snapshot(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@contextlib.contextmanager
def read_only(folder: Path):
    """A folder nobody can write, root included (root ignores permission bits, not the immutable attribute)."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
        try:
            yield
        finally:
            folder.chmod(0o755)


def _lessons_and_workspace(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    (lessons / "00_a.ipynb").write_text("A1")
    sync_workspace(lessons, workspace)
    (workspace / "00_a.ipynb").write_text("my edits")
    (lessons / "01_b.ipynb").write_text("B1")
    return lessons, workspace


def test_a_damaged_ledger_stops_the_sync_with_one_line_and_changes_nothing(tmp_path):
    lessons, workspace = _lessons_and_workspace(tmp_path)
    (workspace / ".course-sync.json").write_text('{"00_a.ipynb": ')
    before = _snapshot(workspace)
    done = course("workspace", "--lessons", lessons, "--workspace", workspace)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "is damaged" in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(workspace) == before


def test_a_read_only_workspace_gets_one_line_and_loses_nothing(tmp_path):
    lessons, workspace = _lessons_and_workspace(tmp_path)
    before = _snapshot(workspace)
    with read_only(workspace):
        done = course("workspace", "--lessons", lessons, "--workspace", workspace)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "Cannot update the workspace" in done.stderr and "Traceback" not in done.stderr
    assert _snapshot(workspace) == before
    assert course("workspace", "--lessons", lessons, "--workspace", workspace).returncode == 0
    assert (workspace / "01_b.ipynb").read_text() == "B1" and (workspace / "00_a.ipynb").read_text() == "my edits"


def test_lab_with_a_missing_lessons_folder_fails_before_building_anything(tmp_path):
    shelf = tmp_path / "shelf"
    started = time.monotonic()
    done = course("lab", "--lessons", tmp_path / "nowhere", "--workspace", tmp_path / "ws", "--no-browser",
                  cwd=tmp_path, COURSE_SHELF=str(shelf), COURSE_MODE="offline")
    assert done.returncode == 2 and done.stderr.count("\n") == 1 and "No lessons folder" in done.stderr, done.stderr
    assert time.monotonic() - started < 30 and not shelf.exists() and not (tmp_path / "ws").exists()


def _lesson(folder, name, identity):
    import nbformat

    nb = nbformat.v4.new_notebook(metadata={"course": {"lesson": identity}})
    nbformat.write(nb, folder / name)


def test_a_renumbered_or_split_lesson_is_added_beside_the_learners_copy_and_said_so(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    _lesson(lessons, "06_beyond_pipelines.ipynb", "beyond_pipelines")
    _lesson(lessons, "07_bert.ipynb", "bert")
    sync_workspace(lessons, workspace)
    (workspace / "07_bert.ipynb").write_text((workspace / "07_bert.ipynb").read_text().replace("{", "{ ", 1))
    for old in lessons.iterdir():
        old.unlink()
    _lesson(lessons, "06_question_answering.ipynb", "question_answering")
    _lesson(lessons, "07_generation.ipynb", "generation")
    _lesson(lessons, "08_bert.ipynb", "bert")
    actions = "\n".join(sync_workspace(lessons, workspace))
    assert (workspace / "07_bert.ipynb").read_text().startswith("{ "), "the learner's copy is untouched"
    assert (workspace / "08_bert.ipynb").exists() and (workspace / "06_beyond_pipelines.ipynb").exists()
    assert "08_bert.ipynb; this lesson was 07_bert.ipynb before the course renumbered it" in actions
    assert "07_generation.ipynb; it is part of 06_beyond_pipelines.ipynb, which the course split" in actions
