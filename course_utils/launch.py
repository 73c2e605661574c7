"""Where a kernel without the course installs it from, and the links that open a lesson on Colab or Binder.

One setting decides both, `[tool.course] repository` (and `branch`) in pyproject.toml: `course release` writes the
install lines into each student notebook, and `course book` links each lesson page to that notebook.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import nbformat

from .errors import CourseError

DISTRIBUTION = "transformers-course"
SOURCE_VARIABLE = "COURSE_SOURCE"
DEFAULT_BRANCH = "main"
COLAB = "https://colab.research.google.com"
BINDER = "https://mybinder.org"
_ADDRESS = re.compile(r"https://(?P<host>[\w.-]+)/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)(?:\.git)?/?")
_BRANCH = re.compile(r"[\w./-]+")

# What a learner reads when the first cell cannot install the course: one line each, shown without a traceback.
NO_SOURCE = (f"The course is not installed in this kernel: name its folder, a wheel or a pip requirement with "
             f"%env {SOURCE_VARIABLE}=..., then run this cell again.")
PIP_FAILED = (f"pip could not install the course: check the network or {SOURCE_VARIABLE}, then run this cell "
              "again. pip said:")


@dataclass(frozen=True)
class Repository:
    """A public git repository of the course, and the branch that lessons open from and install from."""

    host: str
    owner: str
    name: str
    branch: str

    @property
    def url(self) -> str:
        return f"https://{self.host}/{self.owner}/{self.name}"

    @property
    def requirement(self) -> str:
        """What pip installs: the course as it is on the branch (a notebook cannot know the commit it came from)."""
        return f"{DISTRIBUTION} @ git+{self.url}@{self.branch}"

    def colab_link(self, path: str) -> str | None:
        """Colab opens notebooks straight from GitHub only."""
        if self.host != "github.com":
            return None
        return f"{COLAB}/github/{self.owner}/{self.name}/blob/{quote(self.branch)}/{quote(path)}"

    def binder_link(self, path: str) -> str:
        if self.host == "github.com":
            spec = f"gh/{self.owner}/{self.name}"
        elif self.host == "gitlab.com":
            spec = f"gl/{self.owner}%2F{self.name}"
        else:
            spec = f"git/{quote(self.url, safe='')}"
        return f"{BINDER}/v2/{spec}/{quote(self.branch, safe='')}?urlpath=lab/tree/{quote(path)}"


def repository(url: str, branch: str = "", *, where: str) -> Repository:
    """Check an address given by a person (`where` says which setting it came from) and normalise it."""
    found = _ADDRESS.fullmatch(url.strip())
    if not found:
        raise CourseError(f"{where} is {url!r}, which is not a repository address; give one like "
                          "https://github.com/OWNER/REPO.")
    branch = branch.strip() or DEFAULT_BRANCH
    if not _BRANCH.fullmatch(branch):
        raise CourseError(f"The branch for {where} is {branch!r}, which is not a branch name; give one like main.")
    return Repository(found["host"].lower(), found["owner"], found["name"], branch)


def configured(course: Path) -> Repository | None:
    """The repository that `[tool.course]` in the course folder's pyproject.toml names, or None when it names none."""
    path = course / "pyproject.toml"
    if not path.is_file():
        return None
    try:
        settings = tomllib.loads(path.read_text(encoding="utf-8")).get("tool", {}).get("course", {})
    except tomllib.TOMLDecodeError as exc:
        raise CourseError(f"{path} is not valid TOML ({exc}); fix it and run this again.") from None
    url = settings.get("repository", "")
    if not url:
        return None
    return repository(url, settings.get("branch", ""), where=f"[tool.course] repository in {path}")


def install_lines(source: Repository | None) -> list[str]:
    """The lines `course release` puts at the top of a student notebook's first code cell.

    Where the course is installed they do nothing and print nothing. In a kernel without it (Colab, a new venv) they
    pip-install it from COURSE_SOURCE (a folder, a wheel or a pip requirement) or else from the repository, then the
    cell goes on; when neither is there, or pip fails, one line says what to do (IPython shows a UsageError without
    a traceback, and the notebook stops there). pip's output is captured and shown only when it fails: a kernel does
    not always pass a child process's output on to the notebook (Colab's does not).
    """
    lines = ["import importlib.util, os, subprocess, sys",
             'if importlib.util.find_spec("course_utils") is None:  # a kernel without the course (Colab): install it',
             "    from IPython.core.error import UsageError  # stops here with one line, not a traceback"]
    if source:
        lines.append(f'    source = os.environ.get("{SOURCE_VARIABLE}") or {json.dumps(source.requirement)}')
    else:
        lines += [f'    if not (source := os.environ.get("{SOURCE_VARIABLE}")):',
                  f"        raise UsageError({json.dumps(NO_SOURCE)})"]
    failed = json.dumps(PIP_FAILED + "\n")
    lines += ['    print(f"Installing the course from {source} (a minute or two)")',
              '    pip = subprocess.run([sys.executable, "-m", "pip", "install", "-q", source], capture_output=True, '
              'text=True)',
              "    if pip.returncode:",
              f"        raise UsageError({failed} + pip.stderr)"]
    return lines


def site_repository(url: str | None, branch: str | None, course: Path) -> tuple[Repository | None, bool]:
    """Where a website's launch links point (REPO_URL and BRANCH, else the configured repository), and whether the
    lessons there install the course by themselves. A site whose links lead to lessons that would install the course
    from another repository or branch is refused: a learner would run one version's notebook on another's code."""
    installs_from = configured(course)
    if not url:
        if branch and not installs_from:
            raise CourseError("BRANCH needs REPO_URL (or [tool.course] repository in pyproject.toml): "
                              "make book REPO_URL=https://github.com/OWNER/REPO BRANCH=...")
        if not installs_from:
            return None, False
        url = installs_from.url
    site = repository(url, branch or (installs_from.branch if installs_from else ""), where="REPO_URL")
    if installs_from and site != installs_from:
        raise CourseError(f"The site's links would open lessons from {site.url} ({site.branch}), but those lessons "
                          f"install the course from {installs_from.url} ({installs_from.branch}), as [tool.course] "
                          "in pyproject.toml says: build with the same REPO_URL and BRANCH, or change [tool.course], "
                          "run `course release` and commit lessons/.")
    return site, installs_from is not None


def launch_note(site: Repository, path: str, installs: bool, cell_id: str) -> nbformat.NotebookNode:
    """The note under a lesson page's title: open the learner's copy of the lesson (`path`, from the repository's
    root) on Colab or Binder; `installs` says whether its first cell installs the course by itself."""
    colab = site.colab_link(path)
    links = ([f"[Open in Colab]({colab})"] if colab else []) + [f"[Launch Binder]({site.binder_link(path)})"]
    how = "On Binder the course is ready."
    if colab and installs:
        how = "On Colab its first cell installs the course (a minute or two); on Binder the course is ready."
    elif colab:
        how = f'On Colab, run `%pip install "{site.requirement}"` first; on Binder the course is ready.'
    return nbformat.v4.new_markdown_cell(
        f":::{{note}}\n**Run this lesson yourself:** {' · '.join(links)}. {how}\n:::", id=cell_id)
