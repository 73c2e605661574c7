"""`course check`: only the lesson's own check cells, restored from the master, count; learner code cannot fake or
patch a pass, sees no secrets, and a bad notebook or option gets one plain line."""

import getpass
import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_utils import CourseError
from course_utils.cli import main
from course_utils.grading import Masters, check_cells, check_notebook, check_workspace, workspace_notebooks

REPO = Path(__file__).resolve().parents[1]
MASTERS = Masters(REPO / "solutions")
# Run learners' code as the account running the tests (root's default is an unprivileged account, which needs an
# installation every account can read: tests/test_classroom.py covers that).
AS_ME = ["--run-as", getpass.getuser()]

FAKE_PASSES = '''
from IPython.display import display
from course_utils.checks import MIME
for number in ("0.1", "0.2", "0.9"):
    bundle = {"exercise": number, "title": "faked", "status": "pass", "parts": [{"name": "all", "ok": True}]}
    display({"text/plain": "pass", MIME: bundle}, raw=True)
'''

PATCHED_CHECKERS = '''
import sys, types
import course_utils.checks as checks
from course_utils.exercises import lesson00
from IPython.display import display

def always_pass(*args, **kwargs):
    bundle = {"exercise": "0.1", "title": "patched", "status": "pass", "parts": []}
    display({"text/plain": "pass", checks.MIME: bundle}, raw=True)
    return True

lesson00.check_mode = lesson00.check_where = always_pass
checks.expect = lambda *args, **kwargs: True
checks.exercise = lambda number, title: (lambda checker: always_pass)
fake = types.ModuleType("course_utils.exercises.lesson00")
fake.check_mode = fake.check_where = always_pass
sys.modules["course_utils.exercises.lesson00"] = fake
'''


def _learner_copy(folder: Path, lesson: str = "00_setup", answers: dict | None = None, drop: tuple = (),
                  extra: dict | None = None, name: str | None = None) -> Path:
    """The student copy of a lesson as a learner left it: `answers` replace the source of the cells with those ids,
    `drop` removes cells, `extra` adds cells after the cell with that id."""
    nb = nbformat.read(REPO / "lessons" / f"{lesson}.ipynb", as_version=4)
    cells = []
    for cell in nb.cells:
        if cell.get("id") in drop:
            continue
        if answers and cell.get("id") in answers:
            cell.source = answers[cell.id]
        cells.append(cell)
        if extra and cell.get("id") in extra:
            cells.append(nbformat.v4.new_code_cell(extra[cell.id]))
    nb.cells = cells
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name or lesson}.ipynb"
    nbformat.write(nb, path)
    return path


def _status(report) -> dict:
    return {r.exercise: r.status for r in report.exercises}


def test_every_master_check_cell_is_found_and_every_checker_is_used():
    import importlib

    for master in sorted((REPO / "solutions").glob("*.ipynb")):
        checks = check_cells(master)
        assert checks, f"{master.name} has no check cells"
        module = importlib.import_module(f"course_utils.exercises.lesson{master.name[:2]}")
        defined = {fn.exercise for fn in vars(module).values() if isinstance(getattr(fn, "exercise", None), str)}
        called = [number for check in checks for number in check.exercises]
        assert sorted(called) == sorted(defined), f"{master.name}: check cells report {called}, checkers {defined}"


def test_every_master_has_its_own_lesson_identity():
    """`course check` matches a learner's copy to its master by this, whatever the files are called after a
    renumbering: a new lesson needs `"course": {"lesson": "<a name of its own>"}` in its notebook metadata."""
    from course_utils.lesson_ids import lesson_identity

    identities = {p.name: lesson_identity(nbformat.read(p, as_version=4)) for p in (REPO / "solutions").glob("*.ipynb")}
    assert all(identities.values()), f"masters without a lesson identity: {[n for n, i in identities.items() if not i]}"
    assert len(set(identities.values())) == len(identities), f"two masters share a lesson identity: {identities}"


def test_solved_wrong_and_raising_cells_are_told_apart(tmp_path):
    path = _learner_copy(tmp_path / "ws", answers={"cell-009": 'my_mode = "offline"', "cell-016": "where = {}"},
                         extra={"cell-012": "1 / 0"})
    report = check_notebook(path, MASTERS)
    assert _status(report) == {"0.1": "pass", "0.2": "fail"}, report
    assert report.problem is None and report.master.endswith("00_setup.ipynb")
    assert len(report.errors) == 1 and "ZeroDivisionError" in report.errors[0], report.errors
    assert "missing role(s)" in report.exercises[1].summary()


def test_a_displayed_pass_does_not_count(tmp_path):
    """Untouched exercises stay 'not attempted' (and a wrong one 'fail') whatever a learner cell displays, and an
    exercise the lesson does not have never appears."""
    path = _learner_copy(tmp_path / "ws", answers={"cell-016": "where = {}"},
                         extra={"cell-003": FAKE_PASSES, "cell-017": FAKE_PASSES})
    report = check_notebook(path, MASTERS)
    assert _status(report) == {"0.1": "not attempted", "0.2": "fail"}, report


def test_a_learner_who_patches_the_checkers_still_fails(tmp_path):
    path = _learner_copy(tmp_path / "ws", answers={"cell-009": 'my_mode = "hub"', "cell-016": "where = {}",
                                                  "cell-010": "always_pass(my_mode)",  # their own 'check cell'
                                                  "cell-017": "always_pass(where)"},
                         extra={"cell-007": PATCHED_CHECKERS})
    report = check_notebook(path, MASTERS)
    assert _status(report) == {"0.1": "fail", "0.2": "fail"}, report
    assert "is not the mode this kernel runs in" in report.exercises[0].summary()


def test_a_deleted_check_cell_is_put_back_and_a_missing_answer_is_a_failure(tmp_path):
    path = _learner_copy(tmp_path / "ws", answers={"cell-009": 'my_mode = "offline"'},
                         drop=("cell-010", "cell-016"))
    report = check_notebook(path, MASTERS)
    assert _status(report) == {"0.1": "pass", "0.2": "fail"}, report
    assert "NameError" in report.exercises[1].summary() and "where" in report.exercises[1].summary()


def test_a_renamed_lesson_is_found_by_its_identity_and_a_stranger_is_not_graded(tmp_path):
    workspace = tmp_path / "ws"
    _learner_copy(workspace, answers={"cell-009": 'my_mode = "offline"'}, name="my_first_lesson")
    notes = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print('my notes')")])
    nbformat.write(notes, workspace / "notes.ipynb")
    reports = {r.lesson: r for r in check_workspace(workspace, solutions=REPO / "solutions")}
    assert _status(reports["my_first_lesson"]) == {"0.1": "pass", "0.2": "not attempted"}
    assert reports["notes"].exercises == [] and "not one of the course's lessons" in reports["notes"].problem


def test_a_lesson_the_course_split_is_reported_with_its_successors(tmp_path):
    workspace = tmp_path / "ws"
    workspace.mkdir()
    old = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("print(1)")],
                                   metadata={"course": {"lesson": "beyond_pipelines"}})
    nbformat.write(old, workspace / "06_beyond_pipelines.ipynb")
    report = check_workspace(workspace, solutions=REPO / "solutions")[0]
    assert report.exercises == [] and "split into question_answering and generation" in report.problem


def test_learner_code_sees_no_secrets_and_the_course_settings(tmp_path, monkeypatch):
    for name in ("HF_TOKEN", "MY_API_KEY", "DB_PASSWORD", "JUPYTERHUB_API_TOKEN", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "s3cret")
    probe = ("import os\nleaked = [k for k, v in os.environ.items() if v == 's3cret']\n"
             "assert not leaked, f'leaked: {leaked}'\nassert os.environ['COURSE_MODE'] == 'offline'\n"
             "assert os.path.isabs(os.environ['COURSE_SHELF'])\nassert os.getcwd() == os.environ['HOME']")
    path = _learner_copy(tmp_path / "ws", extra={"cell-003": probe})
    report = check_notebook(path, MASTERS)
    assert report.errors == [], report.errors
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "checking must not write into the workspace"


def test_a_broken_notebook_is_reported_and_the_others_still_checked(tmp_path, capsys):
    workspace = tmp_path / "ws"
    _learner_copy(workspace, answers={"cell-009": 'my_mode = "offline"'})
    (workspace / "02_broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (workspace / "00_setup.updated-0123abcd.ipynb").write_text("{}", encoding="utf-8")  # a course update, not work

    assert main(["check", "--workspace", str(workspace), "--json", *AS_ME]) == 0
    report = json.loads(capsys.readouterr().out)
    lessons = {lesson["lesson"]: lesson for lesson in report["lessons"]}
    assert set(lessons) == {"00_setup", "02_broken"}
    assert lessons["02_broken"]["problem"].startswith("not a readable notebook")
    assert lessons["00_setup"]["counts"] == {"pass": 1, "fail": 0, "not attempted": 1}


@pytest.mark.parametrize("value", ["0", "-5", "nan", "inf"])
def test_timeout_must_be_a_positive_number(tmp_path, value):
    _learner_copy(tmp_path / "ws")
    done = subprocess.run([sys.executable, "-m", "course_utils.cli", "check", "--workspace", str(tmp_path / "ws"),
                           "--timeout", value, *AS_ME], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.count("\n") == 1 and "--timeout must be a positive number" in done.stderr, done.stderr


def test_unknown_lessons_and_workspaces_get_a_plain_message(tmp_path):
    _learner_copy(tmp_path / "ws")
    with pytest.raises(CourseError, match="matches '07'"):
        workspace_notebooks(tmp_path / "ws", ["07"])
    with pytest.raises(CourseError, match="No workspace folder"):
        workspace_notebooks(tmp_path / "nowhere")
    with pytest.raises(CourseError, match="No master notebooks"):
        Masters(tmp_path / "no-solutions")


def test_a_real_lesson_in_a_learner_workspace(tmp_path):
    """Lesson 01 as a learner left it: exercise 1.1 solved, 1.2 answered wrongly."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(REPO / "lessons" / "01_pipeline.ipynb", workspace)
    nb = nbformat.read(workspace / "01_pipeline.ipynb", as_version=4)
    answers = {"def label_all": '    return [r["label"] for r in classifier(texts)]',
               "def most_similar": "    return query"}  # the query is never one of the candidates
    for cell in nb.cells:
        for function, body in answers.items():
            if cell.source.startswith(function):
                cell.source = cell.source.replace("    # YOUR CODE HERE\n    return ...", body)
    nbformat.write(nb, workspace / "01_pipeline.ipynb")

    report = check_notebook(workspace / "01_pipeline.ipynb", MASTERS, timeout=300)
    assert report.errors == [] and report.problem is None
    status = _status(report)
    assert status == {"1.1": "pass", "1.2": "fail"}, report
    assert "is not one of the candidates" in report.exercises[1].summary()
    assert sorted(p.name for p in workspace.iterdir()) == ["01_pipeline.ipynb"], "checking must not write into the workspace"
