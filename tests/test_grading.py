import json
import shutil
from pathlib import Path

import nbformat
import pytest

from course_utils import CourseError
from course_utils.cli import main
from course_utils.grading import check_notebook, workspace_notebooks

REPO = Path(__file__).resolve().parents[1]

CHECKERS = '''
from course_utils.checks import exercise, expect

@exercise("9.1", "add two numbers")
def check_add(add):
    expect(add(2, 3) == 5, "sum", f"add(2, 3) gave {add(2, 3)!r}", "Use +.")

@exercise("9.2", "double a number")
def check_double(double):
    expect(double(4) == 8, "double", f"double(4) gave {double(4)!r}", "Multiply by 2.")

@exercise("9.3", "say hello")
def check_hello(greeting):
    expect(greeting == "hello", "greeting", f"{greeting!r} is not 'hello'")
'''


def _demo(folder: Path) -> Path:
    """One solved, one wrong and one untouched exercise, and a cell that raises between them."""
    cells = [nbformat.v4.new_code_cell(source) for source in (
        CHECKERS,
        "def add(a, b):\n    return a + b",
        "check_add(add)",
        "1 / 0",
        "def double(x):\n    return x + 2",
        "check_double(double)",
        "greeting = ...",
        "check_hello(greeting)",
    )]
    path = folder / "91_demo.ipynb"
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_solved_wrong_and_untouched_exercises_are_told_apart(tmp_path):
    report = check_notebook(_demo(tmp_path / "ws"))
    status = {r.exercise: r.status for r in report.exercises}
    assert status == {"9.1": "pass", "9.2": "fail", "9.3": "not attempted"}
    wrong = next(r for r in report.exercises if r.exercise == "9.2")
    assert "double(4) gave 6" in wrong.summary()
    assert report.problem is None
    assert len(report.errors) == 1 and "ZeroDivisionError" in report.errors[0] and report.errors[0].startswith("cell 4")


def test_a_broken_notebook_is_reported_and_the_others_still_checked(tmp_path, capsys):
    workspace = tmp_path / "ws"
    _demo(workspace)
    (workspace / "92_broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (workspace / "91_demo.updated-0123abcd.ipynb").write_text("{}", encoding="utf-8")  # a course update, not work

    assert main(["check", "--workspace", str(workspace), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    lessons = {lesson["lesson"]: lesson for lesson in report["lessons"]}
    assert set(lessons) == {"91_demo", "92_broken"}
    assert lessons["92_broken"]["problem"].startswith("not a readable notebook")
    assert lessons["91_demo"]["counts"] == {"pass": 1, "fail": 1, "not attempted": 1}

    assert main(["check", "91", "--workspace", str(workspace)]) == 0
    table = capsys.readouterr().out
    rows = {line.split()[1]: line for line in table.splitlines() if line.startswith("91_demo")}
    assert rows["9.1"].rstrip().endswith("pass")
    assert "fail: double" in rows["9.2"]
    assert rows["9.3"].rstrip().endswith("not attempted")
    assert "1 pass, 1 fail, 1 not attempted" in table


def test_unknown_lessons_and_workspaces_get_a_plain_message(tmp_path):
    _demo(tmp_path / "ws")
    with pytest.raises(CourseError, match="matches '07'"):
        workspace_notebooks(tmp_path / "ws", ["07"])
    with pytest.raises(CourseError, match="No workspace folder"):
        workspace_notebooks(tmp_path / "nowhere")


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

    report = check_notebook(workspace / "01_pipeline.ipynb", timeout=300)
    assert report.errors == [] and report.problem is None
    status = {r.exercise: r.status for r in report.exercises}
    assert status == {"1.1": "pass", "1.2": "fail"}, report
    assert "is not one of the candidates" in report.exercises[1].summary()
    assert sorted(p.name for p in workspace.iterdir()) == ["01_pipeline.ipynb"], "checking must not write into the workspace"
