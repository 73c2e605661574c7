import json
from pathlib import Path

import nbformat
import pytest

from course_utils import CourseError
from course_utils.release import BEGIN, END, release, strip_solutions, student_notebook

REPO = Path(__file__).resolve().parents[1]


def test_assignment_region_becomes_named_placeholders():
    source = f"x = 1\n{BEGIN}\nanswer = x + 1\ntotal: int = 3\n{END}\nprint(answer)"
    assert strip_solutions(source) == "x = 1\n# YOUR CODE HERE\nanswer = ...\ntotal = ...\nprint(answer)"


def test_function_body_keeps_indentation_and_returns_a_placeholder():
    source = f"def f(x):\n    {BEGIN}\n    y = x * 2\n    return y\n    {END}\n\nf(2)"
    assert strip_solutions(source) == "def f(x):\n    # YOUR CODE HERE\n    return ...\n\nf(2)"


def test_markdown_region_becomes_an_invitation():
    assert strip_solutions(f"Answer:\n{BEGIN}\nIt is 42.\n{END}", markdown=True) == "Answer:\n*Write your answer here.*"


@pytest.mark.parametrize("source", [f"{BEGIN}\nx = 1", f"x = 1\n{END}", f"{BEGIN}\n{BEGIN}\n{END}"])
def test_broken_markers_are_reported_with_the_place(source):
    with pytest.raises(CourseError) as err:
        strip_solutions(source, where="demo.ipynb cell 3")
    assert "demo.ipynb cell 3" in str(err.value)


def _master(path: Path) -> Path:
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Demo"),
        nbformat.v4.new_code_cell(f"{BEGIN}\nanswer = 42\n{END}"),
    ])
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="old output")]
    nb.cells[1].execution_count = 3
    path.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path / "99_demo.ipynb")
    return path / "99_demo.ipynb"


def test_release_writes_clean_student_copies_and_check_detects_drift(tmp_path):
    solutions, lessons = tmp_path / "solutions", tmp_path / "lessons"
    _master(solutions)
    assert release(solutions, lessons, check=True) == ["99_demo.ipynb"]
    assert release(solutions, lessons) == ["99_demo.ipynb"]
    assert release(solutions, lessons, check=True) == []
    cell = nbformat.read(lessons / "99_demo.ipynb", as_version=4).cells[1]
    assert "42" not in cell.source and cell.outputs == [] and cell.execution_count is None
    assert "exercise" in cell.metadata["tags"]
    (lessons / "99_demo.ipynb").write_text((lessons / "99_demo.ipynb").read_text().replace("YOUR CODE", "MY CODE"))
    (lessons / "00_orphan.ipynb").write_text("{}")
    drift = release(solutions, lessons, check=True)
    assert "99_demo.ipynb" in drift and any("00_orphan" in d for d in drift)


def test_repository_lessons_match_their_masters():
    assert release(REPO / "solutions", REPO / "lessons", check=True) == []


def test_every_master_has_exercises_and_student_copies_hold_no_solutions():
    masters = sorted((REPO / "solutions").glob("*.ipynb"))
    assert masters
    for master in masters:
        assert master.read_text().count(BEGIN) >= 2, f"{master.name} needs at least two exercises"
        student = json.loads(student_notebook(master))
        text = json.dumps(student)
        assert BEGIN not in text and END not in text


def test_notebooks_are_stored_without_outputs():
    stored = []
    for path in sorted((REPO / "solutions").glob("*.ipynb")) + sorted((REPO / "lessons").glob("*.ipynb")):
        for number, cell in enumerate(json.loads(path.read_text())["cells"]):
            if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count")):
                stored.append(f"{path.relative_to(REPO)} cell {number}")
    assert not stored, f"stored outputs (run `make strip`): {stored}"


def test_unpacking_assignments_become_one_runnable_silent_placeholder_per_name():
    source = f"{BEGIN}\nfirst, (second, *rest) = 1, (2, 3, 4)\nbox.size = 3\nscores['a'] = 1\n{END}"
    stub = strip_solutions(source)
    assert stub == ("# YOUR CODE HERE\nfirst = ...\nsecond = ...\nrest = ...\nbox.size = ...\nscores['a'] = ...")

    class Box:
        pass

    namespace = {"box": Box(), "scores": {}}
    exec(stub, namespace)
    assert namespace["first"] is namespace["second"] is namespace["rest"] is Ellipsis
