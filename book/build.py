"""Builds the course website: one page per lesson, made from the learner's copy and its master, then Jupyter Book.

Every notebook in lessons/ becomes a page in book/_generated/lessons/ (git-ignored), so a new lesson needs no
edit here or in _toc.yml. On a page, each exercise shows the learner's starting code, then the master's solution
in a collapsed cell; the solution is what runs, so the check below it and every later cell show real results.

    python book/build.py              generate the pages, then build book/_build/html
    python book/build.py --pages-only generate the pages and stop
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat

BOOK = Path(__file__).resolve().parent
REPO = BOOK.parent
GENERATED = BOOK / "_generated"
BUILD = BOOK / "_build"
DIGEST_FILE = BUILD / "course-digest.txt"

sys.path.insert(0, str(REPO))
from course_utils.release import BEGIN, END, EXERCISE_TAG, student_notebook  # noqa: E402

SOLUTION_PROMPT = {"code_prompt_show": "Show a solution (the check below ran on it)",
                   "code_prompt_hide": "Hide the solution"}


class BookError(RuntimeError):
    """A problem with the sources that the author can fix; the message says how."""


def _without_markers(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if line.strip() not in (BEGIN, END))


def _solution_cells(master: nbformat.NotebookNode) -> list:
    """The cells that follow the learner's copy of one exercise cell on the page."""
    if master.cell_type == "markdown":
        answer = _without_markers(master.source).strip()
        return [nbformat.v4.new_markdown_cell(
            f"::::{{admonition}} A possible answer\n:class: dropdown\n{answer}\n::::",
            id=f"{master.id}-solution")]
    cell = nbformat.v4.new_code_cell(_without_markers(master.source), id=f"{master.id}-solution")
    cell.metadata["tags"] = ["hide-cell", "solution"]
    cell.metadata["mystnb"] = dict(SOLUTION_PROMPT)
    return [cell]


def _mode_note(mode: str, reason: str) -> nbformat.NotebookNode:
    from course_utils import __version__

    return nbformat.v4.new_markdown_cell(
        f":::{{note}}\nThis page was built in **{mode}** mode ({reason}) with course {__version__}. "
        "The output of the first code cell says which model answered each role: an offline stand-in is "
        "labelled `STAND-IN` and named apart from the Hub model it stands in for.\n:::",
        id="course-build-note")


def lesson_page(student: nbformat.NotebookNode, master: nbformat.NotebookNode, mode: str,
                reason: str) -> nbformat.NotebookNode:
    """The page for one lesson: the learner's cells, each exercise followed by its hidden solution."""
    page = nbformat.v4.new_notebook(metadata=master.metadata)
    noted = False
    for mine, theirs in zip(student.cells, master.cells):
        if theirs.cell_type == "code" and not noted:
            page.cells.append(_mode_note(mode, reason))
            noted = True
        if EXERCISE_TAG in mine.metadata.get("tags", []) and BEGIN in theirs.source:
            mine = copy.deepcopy(mine)
            if mine.cell_type == "code":
                # The starting code is shown, not run: running it would leave `...` where later cells need an answer.
                mine.metadata["tags"] = [*mine.metadata.get("tags", []), "skip-execution"]
            page.cells.append(mine)
            page.cells.extend(_solution_cells(theirs))
        else:
            page.cells.append(theirs)
    return page


def _write_if_changed(path: Path, nb: nbformat.NotebookNode) -> bool:
    text = nbformat.writes(nb) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def build_info(decision) -> str:
    """The landing page's line on how the site was built."""
    from course_utils import __version__
    from course_utils.banner import library_versions

    libs = ", ".join(f"{name} {v}" for name, v in library_versions().items() if name in ("transformers", "torch"))
    return (f":::{{note}}\nThis copy of the site was built in **{decision.mode}** mode ({decision.reason}), with "
            f"course {__version__}, {libs}. Every lesson was executed during the build.\n:::\n")


def generate(solutions: Path = REPO / "solutions", lessons: Path = REPO / "lessons",
             out: Path = GENERATED / "lessons") -> list[Path]:
    """Write one page per lesson into `out` (only the ones that changed); return every page's path."""
    from course_utils.modes import activate

    decision = activate()
    info = out.parent / "build-info.md"
    if not info.exists() or info.read_text(encoding="utf-8") != build_info(decision):
        info.parent.mkdir(parents=True, exist_ok=True)
        info.write_text(build_info(decision), encoding="utf-8")
    masters = {p.name: p for p in sorted(solutions.glob("*.ipynb"))}
    students = {p.name: p for p in sorted(lessons.glob("*.ipynb"))}
    if not students:
        raise BookError(f"No notebooks in {lessons}; run this from the course folder.")
    problems = [f"{name} has no master in {solutions.name}/" for name in students if name not in masters]
    problems += [f"{name} has no student copy in {lessons.name}/" for name in masters if name not in students]
    problems += [f"{lessons.name}/{name} is out of date with its master" for name in sorted(students.keys() & masters)
                 if students[name].read_text(encoding="utf-8") != student_notebook(masters[name])]
    if problems:
        raise BookError("; ".join(problems) + ". Run `course release` and build again.")
    pages = []
    for name in sorted(students):
        page = lesson_page(nbformat.read(students[name], as_version=4), nbformat.read(masters[name], as_version=4),
                           decision.mode, decision.reason)
        target = out / name
        _write_if_changed(target, page)
        pages.append(target)
    for stale in set(out.glob("*.ipynb")) - set(pages):
        stale.unlink()  # a lesson that was renamed or removed must not linger in the glob
    return pages


def course_digest() -> str:
    """A hash of everything the lessons' outputs depend on besides their own code cells."""
    sha = hashlib.sha256()
    files = sorted(p for p in (REPO / "course_utils").rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files.append(REPO / "requirements.lock")
    shelf = os.environ.get("COURSE_SHELF")
    if shelf and Path(shelf).is_dir():
        files += sorted(Path(shelf).glob("*/MANIFEST.json"))
    for path in files:
        sha.update(str(path.relative_to(path.anchor)).encode())
        sha.update(path.read_bytes())
    sha.update(os.environ.get("COURSE_MODE", "auto").encode())
    return sha.hexdigest()


def refresh_cache() -> bool:
    """Start from an empty build when the helper package, the pins, the shelf or the mode changed.

    jupyter-cache keys a notebook on its code cells only, and Sphinx does not re-read a page whose file did not
    change; without this, a change in course_utils that breaks a lesson would keep showing the old, good outputs.
    """
    digest = course_digest()
    if DIGEST_FILE.exists() and DIGEST_FILE.read_text().strip() == digest:
        return False
    shutil.rmtree(BUILD, ignore_errors=True)
    BUILD.mkdir(parents=True)
    DIGEST_FILE.write_text(digest + "\n")
    return True


def build_html() -> int:
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(BOOK), "--builder", "html",
               "--warningiserror", "--keep-going"]
    return subprocess.call(command, cwd=REPO)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages-only", action="store_true", help="write the lesson pages and stop")
    parser.add_argument("--solutions", default=str(REPO / "solutions"), help="the master notebooks")
    parser.add_argument("--lessons", default=str(REPO / "lessons"), help="the student copies")
    args = parser.parse_args(argv)
    started = time.time()
    try:
        pages = generate(Path(args.solutions), Path(args.lessons))
    except BookError as problem:
        print(f"book: {problem}", file=sys.stderr)
        return 2
    print(f"book: {len(pages)} lesson page(s) in {GENERATED.relative_to(REPO)}/lessons")
    if args.pages_only:
        return 0
    if refresh_cache():
        print("book: course_utils, the pins, the shelf or the mode changed since the last build; "
              "every notebook runs again")
    status = build_html()
    print(f"book: {'built' if status == 0 else 'FAILED'} in {time.time() - started:.0f} s"
          + (f"; open {BUILD.relative_to(REPO)}/html/index.html" if status == 0 else ""))
    return status


if __name__ == "__main__":
    sys.exit(main())
