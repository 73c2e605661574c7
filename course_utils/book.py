"""`course book`: the course website, one page per lesson made from the learner's copy and its master, then
Jupyter Book.

Every notebook in lessons/ becomes a page in book/_generated/lessons/ (git-ignored), so a new lesson needs no
edit here or in _toc.yml. On a page, each exercise shows the learner's starting code, then the master's solution
in a collapsed cell; the solution is what runs, so the check below it and every later cell show real results.
Given a repository (REPO_URL, or [tool.course] in pyproject.toml), each page starts with links that open the learner's
copy of the lesson on Colab and Binder.
"""

from __future__ import annotations

import copy
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from . import __version__
from .errors import CourseError
from .launch import Repository, launch_note, site_repository
from .release import BEGIN, END, EXERCISE_TAG, release
from .versions import library_versions

PACKAGE = Path(__file__).resolve().parent

SOLUTION_PROMPT = {"code_prompt_show": "Show a solution (the check below ran on it)",
                   "code_prompt_hide": "Hide the solution"}


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
    return nbformat.v4.new_markdown_cell(
        f":::{{note}}\nThis page was built in **{mode}** mode ({reason}) with course {__version__}. "
        "The output of the first code cell says which model answered each role: an offline stand-in is "
        "labelled `STAND-IN` and named apart from the Hub model it stands in for.\n:::",
        id="course-build-note")


def lesson_page(student: nbformat.NotebookNode, master: nbformat.NotebookNode, mode: str,
                reason: str, launch: nbformat.NotebookNode | None = None) -> nbformat.NotebookNode:
    """The page for one lesson: the learner's cells, each exercise followed by its hidden solution; `launch`, a
    note with the lesson's Colab and Binder links, goes under the title."""
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
    if launch is not None:
        page.cells.insert(1 if page.cells and page.cells[0].cell_type == "markdown" else 0, launch)
    return page


def _write_if_changed(path: Path, nb: nbformat.NotebookNode) -> bool:
    text = nbformat.writes(nb) + "\n"
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def _attachments_as_files(page: nbformat.NotebookNode, folder: Path, stem: str) -> set[Path]:
    """MyST-NB does not read a markdown cell's attachments: write each one beside the page and point the cell at it.
    Returns the files, so that files no page uses any more can be removed."""
    import base64

    written = set()
    for cell in page.cells:
        for name, bundle in cell.pop("attachments", {}).items():
            mime, data = next(iter(bundle.items()))
            target = folder / f"{stem}-{name}"
            payload = base64.b64decode(data) if not mime.startswith("text/") else data.encode()
            if not target.exists() or target.read_bytes() != payload:
                target.write_bytes(payload)
            cell.source = cell.source.replace(f"attachment:{name}", target.name)
            written.add(target)
    return written


def build_info(decision) -> str:
    """The landing page's line on how the site was built."""
    libs = ", ".join(f"{name} {v}" for name, v in library_versions().items() if name in ("transformers", "torch"))
    return (f":::{{note}}\nThis copy of the site was built in **{decision.mode}** mode ({decision.reason}), with "
            f"course {__version__}, {libs}. Every lesson was executed during the build.\n:::\n")


def generate(solutions: Path, lessons: Path, out: Path, site: Repository | None = None,
             installs: bool = False) -> list[Path]:
    """Write one page per lesson into `out` (only the ones that changed); return every page's path. With `site`, each
    page links to its lesson in that repository (`installs`: the lessons there install the course themselves)."""
    from .modes import activate

    decision = activate()
    info = out.parent / "build-info.md"
    if not info.exists() or info.read_text(encoding="utf-8") != build_info(decision):
        info.parent.mkdir(parents=True, exist_ok=True)
        info.write_text(build_info(decision), encoding="utf-8")
    if not any(lessons.glob("*.ipynb")):
        raise CourseError(f"No notebooks in {lessons}; run this from the course folder.")
    drift = release(solutions, lessons, check=True)
    if drift:
        raise CourseError(f"{lessons.name}/ is out of date with {solutions.name}/ ({', '.join(drift)}). "
                          "Run `course release` and build again.")
    pages, pictures = [], set()
    out.mkdir(parents=True, exist_ok=True)
    for student in sorted(lessons.glob("*.ipynb")):
        launch = launch_note(site, f"{lessons.name}/{student.name}", installs, "course-launch-note") if site else None
        page = lesson_page(nbformat.read(student, as_version=4), nbformat.read(solutions / student.name, as_version=4),
                           decision.mode, decision.reason, launch)
        pictures |= _attachments_as_files(page, out, student.stem)
        target = out / student.name
        _write_if_changed(target, page)
        pages.append(target)
    for stale in {path for path in out.iterdir() if path.is_file()} - set(pages) - pictures:
        stale.unlink()  # a lesson (or a picture) that was renamed or removed must not linger
    return pages


def course_digest() -> str:
    """A hash of everything the lessons' outputs depend on besides their own code cells."""
    sha = hashlib.sha256()
    files = sorted(p for p in PACKAGE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files += [Path("requirements.lock").resolve()]
    shelf = os.environ.get("COURSE_SHELF")
    if shelf and Path(shelf).is_dir():
        files += sorted(Path(shelf).glob("*/MANIFEST.json"))
    for path in files:
        sha.update(str(path.relative_to(path.anchor)).encode())
        sha.update(path.read_bytes())
    sha.update(os.environ.get("COURSE_MODE", "auto").encode())
    return sha.hexdigest()


def refresh_cache(build: Path) -> bool:
    """Start from an empty build when the helper package, the pins, the shelf or the mode changed.

    jupyter-cache keys a notebook on its code cells only, and Sphinx does not re-read a page whose file did not
    change; without this, a change in course_utils that breaks a lesson would keep showing the old, good outputs.
    """
    digest_file = build / "course-digest.txt"
    digest = course_digest()
    if digest_file.exists() and digest_file.read_text().strip() == digest:
        return False
    shutil.rmtree(build, ignore_errors=True)
    build.mkdir(parents=True)
    digest_file.write_text(digest + "\n")
    return True


def _launch_settings(repository: str | None, branch: str | None, course: Path) -> tuple[Repository | None, bool]:
    site, installs = site_repository(repository, branch, course)
    if site is None:
        print("book: no repository given (REPO_URL), so the lesson pages have no Colab or Binder links")
    elif not installs:
        print(f"book: lesson pages link to {site.url} ({site.branch}), but lessons/ name no repository to install "
              "the course from, so their pages tell Colab users to pip-install it first; to make the first cell do "
              f'it, set repository = "{site.url}" under [tool.course] in pyproject.toml and run `course release`')
    return site, installs


def build_book(book: Path, solutions: Path, lessons: Path, *, pages_only: bool = False,
               repository: str | None = None, branch: str | None = None) -> int:
    """Generate the lesson pages, then (unless pages_only) build book/_build/html; the exit code. `repository` and
    `branch` (default: [tool.course] in pyproject.toml) give each lesson page its Colab and Binder links."""
    site, installs = _launch_settings(repository, branch, solutions.resolve().parent)
    pages = generate(solutions, lessons, book / "_generated" / "lessons", site, installs)
    print(f"book: {len(pages)} lesson page(s) in {book / '_generated' / 'lessons'}")
    if pages_only:
        return 0
    if refresh_cache(book / "_build"):
        print("book: course_utils, the pins, the shelf or the mode changed since the last build; "
              "every notebook runs again")
    command = [str(Path(sys.executable).with_name("jupyter-book")), "build", str(book), "--builder", "html",
               "--warningiserror", "--keep-going"]
    status = subprocess.call(command)
    print(f"book: {'built; open ' + str(book / '_build' / 'html' / 'index.html') if status == 0 else 'FAILED'}")
    return status
