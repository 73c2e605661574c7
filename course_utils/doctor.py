"""`course doctor`: is this machine ready for the course, and if not, what to do about it."""

from __future__ import annotations

import platform
import shutil
from importlib.metadata import PackageNotFoundError, requires, version

from packaging.requirements import Requirement

from .banner import short_path
from .checkpoints import ROLES, course_shelf, resolve
from .errors import CourseError
from .hubcache import cache_dir, cached_snapshot
from .launch import DISTRIBUTION
from .modes import PROBE_SECONDS, activate, endpoint_host, hub_endpoint, probe_hub, requested_mode
from .versions import LIBRARIES, library_versions

HUB_STATES = {"hub": "has it", "missing": "lacks it", "other": "not the Hub", "silent": "no answer"}


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


def _versions(advice: list[str]) -> None:
    from . import __version__

    print(f"Course {__version__} on Python {platform.python_version()} ({platform.machine()})")
    for name, found in library_versions((*LIBRARIES, "jupyterlab")).items():
        print(f"  {name:<16} {found}")
    mismatches = pin_mismatches()
    for line in mismatches:
        print(f"  MISMATCH: {line}")
    if mismatches:
        advice.append("Install versions the course works with: `make install` in the course folder (the tested "
                      "ones, from requirements.lock), or `pip install` the course again.")


def _mode(advice: list[str]) -> None:
    try:
        requested = requested_mode()
        decision = activate()
        print(f"Mode: {decision.mode} (COURSE_MODE={requested}; {decision.reason})")
    except CourseError as exc:
        print(f"Mode: cannot be decided: {exc}")
        advice.append(str(exc))


def _roles(advice: list[str]) -> None:
    """Per role, what each source offers: the Hub (asked now), the HF cache, and the shelf."""
    answers = probe_hub([role.hub_id for role in ROLES.values()])
    rows = [("role", f"Hub ({endpoint_host()})", "HF cache", "shelf")]
    for name, role in ROLES.items():
        offline = resolve(name, mode="offline")  # the offline side matters in every mode: it is the fallback
        shelf = {"real model": "packaged", "none": "Hub only"}.get(offline.kind, f"{offline.state} {offline.score}")
        cached = "real model" if cached_snapshot(role.hub_id) else "-"
        rows.append((name, HUB_STATES[answers[role.hub_id].state], cached, shelf.strip()))
        if offline.state in ("missing", "stale"):
            advice.append(f"Build the offline model for {name!r}: `course shelf build {name}`.")
        elif offline.state == "corrupt":
            advice.append(f"The {name!r} entry is damaged: `course shelf build {name} --force`.")
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print("  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[3])
    states = {a.state for a in answers.values()}
    if "hub" not in states:
        detail = next(iter(answers.values())).detail if answers else ""
        print(f"The Hub ({hub_endpoint()}) is not reachable within {PROBE_SECONDS:g} s as the Hub: {detail}.")


def run_doctor() -> int:
    advice: list[str] = []
    _versions(advice)
    _mode(advice)
    shelf = course_shelf()
    free_gb = shutil.disk_usage(shelf.root if shelf.root.exists() else shelf.root.anchor).free / 2**30
    access = "writable" if shelf.writable() else "read-only"
    print(f"Shelf: {short_path(shelf.root)} ({access}; {free_gb:.1f} GB free); HF cache: {short_path(cache_dir())}")
    if free_gb < 1:
        advice.append("Less than 1 GB is free where the shelf lives; free some space or set COURSE_SHELF.")
    _roles(advice)
    if advice:
        print("\nTo fix:")
        for line in dict.fromkeys(advice):
            print(f"  - {line}")
        return 1
    print("\nAll good.")
    return 0
