"""Launching a lesson elsewhere: the install lines `course release` writes into every student notebook, the website's
Colab and Binder links, the Binder configuration, and a fresh virtual environment where a lesson's first cell
installs the course from a local source and the lesson runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import nbformat
import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from course_utils import CourseError, __version__
from course_utils import book as builder
from course_utils import doctor
from course_utils.launch import (NO_SOURCE, PIP_FAILED, configured, install_lines, repository, site_repository)
from course_utils.release import release

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = "https://github.com/example-org/transformers-course"


def _course(folder: Path, settings: str | None) -> Path:
    """A course folder with one master (a title, a setup cell, an exercise) and, if given, a [tool.course] table."""
    if settings is not None:
        (folder / "pyproject.toml").write_text(f"[project]\nname = 'demo'\n\n[tool.course]\n{settings}\n")
    master = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Lesson 99"),
        nbformat.v4.new_code_cell("from course_utils import lesson_setup\n\nmodels = lesson_setup()"),
        nbformat.v4.new_code_cell("### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION"),
    ])
    (folder / "solutions").mkdir(parents=True)
    nbformat.write(master, folder / "solutions" / "99_demo.ipynb")
    return folder


def _code_cells(path: Path) -> list[str]:
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def test_release_puts_the_install_lines_in_the_first_code_cell_of_the_student_copy(tmp_path):
    course = _course(tmp_path, f'repository = "{EXAMPLE}.git"\nbranch = "spring-2027"')
    assert release(course / "solutions", course / "lessons") == ["99_demo.ipynb"]
    setup, exercise = _code_cells(course / "lessons" / "99_demo.ipynb")
    lines = install_lines(configured(course))
    assert setup == "\n".join(lines) + "\nfrom course_utils import lesson_setup\n\nmodels = lesson_setup()"
    assert f'or "transformers-course @ git+{EXAMPLE}@spring-2027"' in setup, "the .git suffix is dropped"
    assert "install_lines" not in exercise and "answer = ..." in exercise
    assert _code_cells(course / "solutions" / "99_demo.ipynb")[0].startswith("from course_utils"), "masters stay"
    assert release(course / "solutions", course / "lessons", check=True) == [], "what release writes is stable"
    compile(setup, "first cell", "exec")


def test_without_a_repository_the_lines_install_only_from_course_source(tmp_path):
    course = _course(tmp_path, 'repository = ""')
    release(course / "solutions", course / "lessons")
    setup = _code_cells(course / "lessons" / "99_demo.ipynb")[0]
    assert "git+" not in setup and json.dumps(NO_SOURCE) in setup and json.dumps(PIP_FAILED + "\n") in setup
    assert configured(tmp_path / "elsewhere") is None, "no pyproject.toml: no repository"
    compile(setup, "first cell", "exec")


def test_where_the_course_is_installed_the_lines_do_nothing_and_print_nothing():
    # A source that cannot install: had the lines called pip, they would have failed.
    env = {**os.environ, "COURSE_SOURCE": "/nonexistent/course.whl"}
    for source in (None, repository(EXAMPLE, where="test")):
        done = subprocess.run([sys.executable, "-c", "\n".join(install_lines(source))], env=env, capture_output=True,
                              text=True, timeout=60)
        assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


@pytest.mark.parametrize("settings, problem", [
    ('repository = "github.com/example-org/course"', "not a repository address"),
    (f'repository = "{EXAMPLE}"\nbranch = "two words"', "not a branch name"),
    ('repository = "https://github.com/unclosed', "not valid TOML"),
])
def test_a_bad_setting_is_one_line_that_names_it(tmp_path, settings, problem):
    (tmp_path / "pyproject.toml").write_text(f"[tool.course]\n{settings}\n")
    with pytest.raises(CourseError) as error:
        configured(tmp_path)
    assert problem in str(error.value) and "\n" not in str(error.value)


def test_links_by_host():
    github = repository(f"{EXAMPLE}/", "main", where="test")
    assert github.colab_link("lessons/00_setup.ipynb") == (
        "https://colab.research.google.com/github/example-org/transformers-course/blob/main/lessons/00_setup.ipynb")
    assert github.binder_link("lessons/00_setup.ipynb") == (
        "https://mybinder.org/v2/gh/example-org/transformers-course/main?urlpath=lab/tree/lessons/00_setup.ipynb")
    gitlab = repository("https://gitlab.com/team/course", where="test")
    assert gitlab.colab_link("lessons/a.ipynb") is None, "Colab opens GitHub notebooks only"
    assert gitlab.binder_link("lessons/a.ipynb").startswith("https://mybinder.org/v2/gl/team%2Fcourse/main?")
    other = repository("https://git.example.edu/team/course", where="test")
    assert other.binder_link("lessons/a.ipynb").startswith(
        "https://mybinder.org/v2/git/https%3A%2F%2Fgit.example.edu%2Fteam%2Fcourse/main?")


def test_the_site_and_the_lessons_must_agree_on_where_the_course_comes_from(tmp_path):
    assert site_repository(None, None, tmp_path) == (None, False), "nothing set: no links"
    site, installs = site_repository(EXAMPLE, None, tmp_path)
    assert (site.url, site.branch, installs) == (EXAMPLE, "main", False)
    with pytest.raises(CourseError, match="BRANCH needs REPO_URL"):
        site_repository(None, "main", tmp_path)
    (tmp_path / "pyproject.toml").write_text(f'[tool.course]\nrepository = "{EXAMPLE}"\n')
    assert site_repository(None, None, tmp_path) == (repository(EXAMPLE, where="test"), True)
    assert site_repository(EXAMPLE, "main", tmp_path)[1] is True
    for url, branch in (("https://github.com/a-fork/transformers-course", None), (EXAMPLE, "preview")):
        with pytest.raises(CourseError, match="build with the same REPO_URL and BRANCH"):
            site_repository(url, branch, tmp_path)


def _launch_links(page: nbformat.NotebookNode) -> list[str]:
    notes = [c.source for c in page.cells if c.get("id") == "course-launch-note"]
    return re.findall(r"\]\((https://[^)]+)\)", notes[0]) if notes else []


def test_every_lesson_page_links_to_its_own_student_notebook_in_the_checkout(tmp_path):
    """make book REPO_URL=...: each page's Colab and Binder links open lessons/NN_name.ipynb, a file in the checkout."""
    site = repository(EXAMPLE, where="test")
    pages = builder.generate(REPO / "solutions", REPO / "lessons", tmp_path / "linked", site, installs=True)
    assert len(pages) == len(list((REPO / "lessons").glob("*.ipynb")))
    for path in pages:
        page = nbformat.read(path, as_version=4)
        links = _launch_links(page)
        assert [link.split("/")[2] for link in links] == ["colab.research.google.com", "mybinder.org"], path.name
        targets = {re.search(r"/blob/main/(.+)$", links[0])[1], re.search(r"urlpath=lab/tree/(.+)$", links[1])[1]}
        assert targets == {f"lessons/{path.name}"}
        assert (REPO / targets.pop()).is_file()
        assert page.cells[0].source.startswith("# "), "the links sit under the lesson's title"
        assert "its first cell installs the course" in page.cells[1].source

    plain = builder.generate(REPO / "solutions", REPO / "lessons", tmp_path / "plain")
    assert not any(_launch_links(nbformat.read(path, as_version=4)) for path in plain), "no REPO_URL, no links"


def test_course_book_refuses_a_bad_repository_in_one_line(tmp_path, capsys):
    from course_utils.cli import main

    assert main(["book", "--pages-only", "--book", str(tmp_path), "--repository", "example-org/course"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("course: REPO_URL is 'example-org/course', which is not a repository") and "\n" not in err


def test_doctor_reports_a_library_outside_the_ranges(monkeypatch):
    declared = ["torch<3,>=2.6", "numpy<3,>=1.26", "datasets<6,>=5.2", 'jupyterlab<5,>=4; extra == "lab"']
    installed = {"torch": "2.13.0", "numpy": "3.0.1", "jupyterlab": "3.6.0"}

    def version(name):
        if name not in installed:
            raise doctor.PackageNotFoundError(name)
        return installed[name]

    monkeypatch.setattr(doctor, "requires", lambda _: declared)
    monkeypatch.setattr(doctor, "version", version)
    assert doctor.pin_mismatches() == ["numpy 3.0.1 is installed, the course needs <3,>=1.26",
                                       "datasets is not installed (the course needs <6,>=5.2)"]


def test_shelf_build_can_name_lessons_instead_of_roles(monkeypatch):
    from course_utils.checkpoints import roles_in_notebook
    from course_utils.cli import _roles_of_lessons

    monkeypatch.chdir(REPO)
    first = sorted((REPO / "lessons").glob("*.ipynb"))[0]
    assert _roles_of_lessons([first.name[:2]]) == roles_in_notebook(first) != []
    with pytest.raises(CourseError, match="No lesson in lessons matches '99x'"):
        _roles_of_lessons(["99x"])


# --- Binder ------------------------------------------------------------------------------------------------------

def _pins(path: Path) -> dict[str, str]:
    """name -> version of every `name==version` line in a requirements file, following its `-r` includes."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            pins.update(_pins(path.parent / line[3:].strip()))
        elif line and not line.startswith("-"):
            req = Requirement(line)
            (spec,) = req.specifier
            assert spec.operator == "==", f"{path.name}: {line} is not an exact pin"
            pins[canonicalize_name(req.name)] = spec.version
    return pins


def test_binder_installs_the_locked_environment_and_builds_the_first_lessons_models():
    binder = REPO / "binder"
    assert _pins(binder / "requirements.txt") == _pins(REPO / "requirements.lock")
    options = [line for line in (binder / "requirements.txt").read_text().splitlines() if line.startswith("--")]
    assert options == ["--extra-index-url https://download.pytorch.org/whl/cpu"], "only torch's CPU index is added"

    from test_lock import accepted_minors

    assert (binder / "runtime.txt").read_text().strip() == f"python-{accepted_minors()[0]}", "the tested Python"
    post = binder / "postBuild"
    assert os.access(post, os.X_OK), "repo2docker runs postBuild only if it is executable"
    script = post.read_text()
    assert script.startswith("#!/bin/bash\n") and "set -euo pipefail" in script
    assert "pip install --no-deps --no-build-isolation -e ." in script, "the course itself, its libraries locked"
    lessons = re.search(r"^course shelf build .*--lessons ([\w ]+)$", script, re.MULTILINE)[1].split()
    names = sorted(p.stem for p in (REPO / "lessons").glob("*.ipynb"))
    assert lessons == [name[:2] for name in names[:len(lessons)]], "the first lessons, by number"


# --- a fresh virtual environment -----------------------------------------------------------------------------------

def _libraries_without_the_course(folder: Path) -> Path:
    """The libraries installed beside the running tests, minus the course, as a folder of links: a fresh venv sees
    them through a .pth file, so nothing is downloaded (a torch range would otherwise fetch a multi-GB build)."""
    view = folder / "libraries"
    view.mkdir()
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if entry.suffix == ".pth" or entry.name.startswith(("transformers_course", "__editable__", "course_utils")):
            continue
        (view / entry.name).symlink_to(entry)
    return view


def _fresh_venv(folder: Path) -> Path:
    venv = folder / "fresh"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    site = venv / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages"
    (site / "libraries.pth").write_text(f"{_libraries_without_the_course(folder)}\n")
    return venv


def _course_source(folder: Path) -> Path:
    """What `pip install .` reads, copied, so that building it writes nothing into the checkout."""
    source = folder / "source"
    shutil.copytree(REPO / "course_utils", source / "course_utils", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(REPO / name, source / name)
    return source


RUNNER = """
import sys, nbformat
from nbclient import NotebookClient
nb = nbformat.read(sys.argv[1], as_version=4)
NotebookClient(nb, timeout=300, kernel_name="python3", allow_errors=True,
               resources={"metadata": {"path": sys.argv[3]}}).execute()
nbformat.write(nb, sys.argv[2])
"""


def _setting_source(value: str | None) -> nbformat.NotebookNode:
    """A cell that sets COURSE_SOURCE in the kernel (or unsets it, and prints which Python the kernel runs on)."""
    then = f"os.environ['COURSE_SOURCE'] = {value!r}" if value else "print(sys.prefix)"
    return nbformat.v4.new_code_cell(f"import os, sys\nos.environ.pop('COURSE_SOURCE', None)\n{then}")


def _streams(cell, name: str) -> str:
    return "".join(o.text for o in cell.get("outputs", []) if o.output_type == "stream" and o.name == name)


def _errors(cell) -> list[str]:
    return [f"{o.ename}: {o.evalue}" for o in cell.get("outputs", []) if o.output_type == "error"]


@pytest.mark.slow
def test_a_fresh_kernel_installs_the_course_from_a_local_source_then_runs_lesson_00(tmp_path):
    venv, source = _fresh_venv(tmp_path), _course_source(tmp_path)
    python = str(venv / "bin" / "python")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "COURSE_SOURCE")}
    # Nothing from the network: the libraries must already satisfy pyproject's ranges. pip reads this variable as
    # its build_isolation option, so "false" builds the course with the setuptools that is installed.
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{env['PATH']}", PIP_NO_INDEX="1", PIP_NO_BUILD_ISOLATION="false")
    probe = "import importlib.util as u; print(u.find_spec('course_utils') is None, u.find_spec('torch') is not None)"
    # Every command runs in the temporary folder: in the checkout, Python would import course_utils from there.
    assert subprocess.run([python, "-c", probe], env=env, cwd=tmp_path, capture_output=True,
                          text=True).stdout.split() == [
        "True", "True"], "the fresh venv has the libraries and not the course"

    lesson = nbformat.read(REPO / "lessons" / "00_setup.ipynb", as_version=4)
    first = next(c for c in lesson.cells if c.cell_type == "code")
    # Before the lesson, in the same kernel: its first cell with no source, then with one pip cannot install.
    trials = [_setting_source(None), nbformat.v4.new_code_cell(first.source),
              _setting_source("/nonexistent/course.whl"), nbformat.v4.new_code_cell(first.source),
              _setting_source(str(source))]
    run = nbformat.v4.new_notebook(cells=trials + lesson.cells, metadata=lesson.metadata)
    (tmp_path / "work").mkdir()
    nbformat.write(run, tmp_path / "run.ipynb")
    done = subprocess.run([python, "-c", RUNNER, str(tmp_path / "run.ipynb"), str(tmp_path / "ran.ipynb"),
                           str(tmp_path / "work")], env=env, cwd=tmp_path, capture_output=True, text=True,
                          timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    cells = nbformat.read(tmp_path / "ran.ipynb", as_version=4).cells

    assert _streams(cells[0], "stdout").strip() == str(venv), "the kernel runs on the fresh venv's Python"
    if configured(REPO) is None:  # the lessons name no repository: without COURSE_SOURCE, one line says what to do
        assert _streams(cells[1], "stderr").strip() == f"UsageError: {NO_SOURCE}" and not _errors(cells[1])
    failed = re.sub(r"\x1b\[[0-9;]*m", "", _streams(cells[3], "stderr"))  # our line, then pip's (coloured) message
    assert failed.startswith(f"UsageError: {PIP_FAILED}\n") and "ERROR: " in failed, failed
    assert "Traceback" not in failed
    assert not _errors(cells[3])
    setup = _streams(cells[len(trials) + lesson.cells.index(first)], "stdout")
    assert setup.startswith(f"Installing the course from {source} (a minute or two)\nCourse "), setup
    assert "Mode: offline" in setup and "sentiment" in setup
    broken = {i: _errors(c) for i, c in enumerate(cells[len(trials):]) if _errors(c)}
    assert not broken, f"lesson 00 raised in the fresh venv: {broken}"

    located = subprocess.run([python, "-c", "import course_utils; print(course_utils.__file__)"], env=env,
                             cwd=tmp_path, capture_output=True, text=True).stdout
    assert located.startswith(str(venv)), "the course was installed into the fresh venv, not found elsewhere"
    checkup = subprocess.run([str(venv / "bin" / "course"), "doctor"], env=env, cwd=tmp_path, capture_output=True,
                             text=True, timeout=300)
    # Its exit code also says whether every offline model is built, which is the shelf's business, not this test's.
    assert checkup.returncode in (0, 1) and checkup.stderr == "", checkup.stdout[-3000:] + checkup.stderr[-3000:]
    assert checkup.stdout.startswith(f"Course {__version__} on Python {sys.version.split()[0]}")
    assert "MISMATCH" not in checkup.stdout and "Install versions" not in checkup.stdout, checkup.stdout
    assert re.search(r"^\s*sentiment\s.*\bready held-out", checkup.stdout, re.MULTILINE), checkup.stdout
