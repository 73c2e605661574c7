"""A CourseError in a notebook shows one sentence, and still counts as a failed cell."""

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError


def test_course_error_is_one_line_but_still_an_error(tmp_path, monkeypatch):
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course_utils.errors import install_notebook_handler, CourseError\n"
                                  "install_notebook_handler()"),
        nbformat.v4.new_code_cell("raise CourseError('Run `course shelf build sentiment` first.')"),
    ])
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True)
    client.execute()
    outputs = nb.cells[1].outputs
    errors = [o for o in outputs if o.output_type == "error"]
    assert len(errors) == 1
    assert errors[0].ename == "CourseError"
    assert len(errors[0].traceback) == 1 and "course shelf build sentiment" in errors[0].traceback[0]
    strict = NotebookClient(nbformat.v4.new_notebook(cells=nb.cells), timeout=60, kernel_name="python3")
    try:
        strict.execute()
    except CellExecutionError:
        pass
    else:
        raise AssertionError("a CourseError must stop a notebook run like any other error")
