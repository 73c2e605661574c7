"""requirements.lock installs on every Python the course accepts, patch releases included: pip's resolver, in dry-run
mode for each accepted minor version's first release (x.y.0, the strictest for `Requires-Python: >=x.y.z` pins)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[1]


def accepted_minors() -> list[str]:
    requires = SpecifierSet(tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"])
    return [f"3.{minor}" for minor in range(8, 20) if f"3.{minor}.0" in requires]


def test_the_makefile_and_pyproject_accept_the_same_pythons():
    makefile = (REPO / "Makefile").read_text()
    low, high = re.search(r"\(3, (\d+)\) <= v\[:2\] <= \(3, (\d+)\)", makefile).groups()
    assert accepted_minors() == [f"3.{m}" for m in range(int(low), int(high) + 1)]


def test_every_locked_version_is_within_pyprojects_ranges():
    """pyproject.toml declares ranges (what `pip install .` resolves), the lock the versions `make` installs and CI
    tests: the tested versions must be one of the answers the ranges allow, extras included."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    locked = dict(line.split("==") for line in (REPO / "requirements.lock").read_text().splitlines()
                  if "==" in line and not line.startswith("#"))
    locked = {canonicalize_name(name): version for name, version in locked.items()}
    declared = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values() for r in extra)]
    outside = []
    for text in declared:
        req = Requirement(text)
        found = locked.get(canonicalize_name(req.name))
        if found is None or not req.specifier.contains(found, prereleases=True):
            outside.append(f"{req.name} {found or '(not in the lock)'} is outside {req.specifier}")
    assert not outside, outside


def _dry_run(minor: str) -> subprocess.CompletedProcess:
    # --no-deps: the lock already names every package; pip reads each one's Requires-Python and wheel tags from the
    # index (metadata only, no wheel is downloaded for a dry run).
    return subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--no-deps",
                           "--quiet", "--python-version", f"{minor}.0", "-r", str(REPO / "requirements.lock")],
                          capture_output=True, text=True, timeout=600)


def test_every_pin_resolves_for_every_accepted_python():
    minors = accepted_minors()
    assert minors[0] == "3.11"
    with ThreadPoolExecutor(len(minors)) as pool:
        results = dict(zip(minors, pool.map(_dry_run, minors)))
    failures = {minor: done.stderr.strip().splitlines()[-3:] for minor, done in results.items() if done.returncode}
    assert not failures, failures
