"""solutions/ -> lessons/: the student copy of each master notebook, solutions replaced by placeholders.

A solution region is the lines between `### BEGIN SOLUTION` and `### END SOLUTION`.
In the student copy it becomes `# YOUR CODE HERE` plus a stub that keeps the cell
runnable and silent: each name the solution assigns is set to `...`, one line per name
(a function body just returns `...`), which the exercise checks report as "not attempted yet".
The first code cell also gets the lines that install the course in a kernel without it (course_utils.launch).
"""

from __future__ import annotations

import ast
import textwrap
from pathlib import Path

import nbformat

from .errors import CourseError
from .launch import configured, install_lines

BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
PLACEHOLDER = "# YOUR CODE HERE"
MARKDOWN_PLACEHOLDER = "*Write your answer here.*"
EXERCISE_TAG = "exercise"


def _assigned(target: ast.expr) -> list[str]:
    """What one assignment target sets, unpacked: `a, (b, *c) = ...` sets a, b and c."""
    if isinstance(target, (ast.Tuple, ast.List)):
        return [name for element in target.elts for name in _assigned(element)]
    if isinstance(target, ast.Starred):
        return _assigned(target.value)
    return [ast.unparse(target)]  # a name, an attribute or a subscript: `x.y = ...` stays runnable


def _stub_lines(region: list[str], indent: str) -> list[str]:
    try:
        tree = ast.parse(textwrap.dedent("\n".join(region)))
    except SyntaxError:
        return [f"{indent}..."]
    names: list[str] = []
    returns = False
    for node in tree.body:
        targets = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
            targets = [node.target]
        elif isinstance(node, ast.Return):
            returns = True
        for name in (name for target in targets for name in _assigned(target)):
            if name not in names:
                names.append(name)
    if returns:  # a function body: the learner chooses their own names
        return [f"{indent}return ..."]
    return [f"{indent}{name} = ..." for name in names] or [f"{indent}..."]


def strip_solutions(source: str, where: str = "", markdown: bool = False) -> str:
    """Replace every solution region in one cell's source."""
    out: list[str] = []
    region: list[str] | None = None
    indent = ""
    for line in source.split("\n"):
        marker = line.strip()
        if marker == BEGIN:
            if region is not None:
                raise CourseError(f"{where}: {BEGIN} inside another solution region; close the first with {END}.")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END:
            if region is None:
                raise CourseError(f"{where}: {END} without a {BEGIN} before it.")
            if markdown:
                out.append(MARKDOWN_PLACEHOLDER)
            else:
                out.append(f"{indent}{PLACEHOLDER}")
                out.extend(_stub_lines(region, indent))
            region = None
        elif region is not None:
            region.append(line)
        else:
            out.append(line)
    if region is not None:
        raise CourseError(f"{where}: {BEGIN} is never closed with {END}.")
    return "\n".join(out)


def student_notebook(master: Path) -> str:
    """The student copy of one master notebook, as the exact text release writes."""
    nb = nbformat.read(master, as_version=4)
    for number, cell in enumerate(nb.cells, start=1):
        if BEGIN not in cell.source:
            continue
        cell.source = strip_solutions(cell.source, f"{master.name} cell {number}", cell.cell_type == "markdown")
        tags = cell.metadata.setdefault("tags", [])
        if EXERCISE_TAG not in tags:
            tags.append(EXERCISE_TAG)
    first = next((cell for cell in nb.cells if cell.cell_type == "code"), None)
    if first is not None:
        # The course folder's pyproject.toml says where a kernel without the course installs it from.
        first.source = "\n".join([*install_lines(configured(master.resolve().parents[1])), first.source])
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nbformat.writes(nb) + "\n"


def release(solutions: Path, lessons: Path, check: bool = False) -> list[str]:
    """Write (or, with check, compare) every student copy; return the names that differ."""
    masters = sorted(solutions.glob("*.ipynb"))
    if not masters:
        raise CourseError(f"No notebooks in {solutions}; run this from the course folder.")
    differing = []
    expected = set()
    for master in masters:
        target = lessons / master.name
        expected.add(target.name)
        text = student_notebook(master)
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if current == text:
            continue
        differing.append(target.name)
        if not check:
            lessons.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
    orphans = sorted(p.name for p in lessons.glob("*.ipynb") if p.name not in expected)
    if check:
        differing.extend(f"{name} (no master in {solutions.name}/)" for name in orphans)
    return differing
