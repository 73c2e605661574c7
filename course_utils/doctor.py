"""`course doctor`: is this machine ready for the course, and if not, what to do about it."""

from __future__ import annotations

import platform
import shutil
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement

from .checkpoints import ROLES, course_shelf, resolve
from .errors import CourseError
from .launch import DISTRIBUTION
from .versions import LIBRARIES, library_versions
from .modes import hub_endpoint, hub_reachable, requested_mode, activate


def pin_mismatches() -> list[str]:
    """Installed libraries outside the versions the course declares (the ranges in its pyproject.toml)."""
    problems = []
    for text in requires(DISTRIBUTION) or []:
        req = Requirement(text)
        if req.marker is not None:
            continue
        try:
            installed = version(req.name)
        except PackageNotFoundError:
            problems.append(f"{req.name} is not installed (the course needs {req.specifier})")
            continue
        if not req.specifier.contains(installed, prereleases=True):
            problems.append(f"{req.name} {installed} is installed, the course needs {req.specifier}")
    return problems


def run_doctor() -> int:
    from . import __version__

    advice: list[str] = []
    print(f"Course {__version__} on Python {platform.python_version()} ({platform.machine()})")
    for name, found in library_versions((*LIBRARIES, "jupyterlab")).items():
        print(f"  {name:<16} {found}")
    mismatches = pin_mismatches()
    for line in mismatches:
        print(f"  MISMATCH: {line}")
    if mismatches:
        advice.append("Install versions the course works with: `make install` in the course folder (the tested "
                      "ones, from requirements.lock), or `pip install` the course again.")

    reachable = hub_reachable()
    print(f"Hub ({hub_endpoint()}): {'reachable' if reachable else 'not reachable within 2 s'}")
    try:
        requested = requested_mode()
        decision = activate()
        print(f"Mode: {decision.mode} (COURSE_MODE={requested}; {decision.reason})")
    except CourseError as exc:
        print(f"Mode: cannot be decided: {exc}")
        advice.append(str(exc))
        decision = None

    shelf = course_shelf()
    free_gb = shutil.disk_usage(shelf.root if shelf.root.exists() else shelf.root.anchor).free / 2**30
    access = "writable" if shelf.writable() else "read-only"
    print(f"Shelf: {shelf.root} ({access}; {free_gb:.1f} GB free)")
    if free_gb < 1:
        advice.append("Less than 1 GB is free where the shelf lives; free some space or set COURSE_SHELF.")
    for name in ROLES:
        info = resolve(name, mode="offline")  # the offline side matters in every mode: it is the fallback
        print(f"  {name:<20} {info.kind:<10} {info.state:<8} {info.score}")
        if info.state in ("missing", "stale"):
            advice.append(f"Build the offline model for {name!r}: `course shelf build {name}`.")
        elif info.state == "corrupt":
            advice.append(f"The {name!r} entry is damaged: `course shelf build {name} --force`.")
    if advice:
        print("\nTo fix:")
        for line in dict.fromkeys(advice):
            print(f"  - {line}")
        return 1
    print("\nAll good.")
    return 0
