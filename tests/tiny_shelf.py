"""Every recipe built tiny, twice, each time in a fresh process with its own PYTHONHASHSEED (one build one role after
another, the other two at a time in worker processes): the unit tests read these builds, and the determinism test
compares them byte for byte.

The builds live under build/tiny-shelves/<hash of course_utils>, so pytest workers share them and a code change
builds afresh.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

from filelock import FileLock

REPO = Path(__file__).resolve().parents[1]
RUNS = {"a": {"PYTHONHASHSEED": "1", "jobs": 1}, "b": {"PYTHONHASHSEED": "2", "jobs": 2}}
BUILD = """
import json, sys
from course_utils.checkpoints import course_shelf, trained_roles
from course_utils.shelf import Shelf
from course_utils.shelf.builds import build_many
shelf = Shelf(sys.argv[1], course_shelf().recipes, tiny=True)
outcomes = build_many(shelf, trained_roles(), jobs=int(sys.argv[2]), progress=False)
print(json.dumps({o.role: o.error for o in outcomes if not o.ok}))
"""


def source_digest() -> str:
    sha = hashlib.sha256()
    for path in sorted((REPO / "course_utils").rglob("*.py")):
        sha.update(path.relative_to(REPO).as_posix().encode() + path.read_bytes())
    return sha.hexdigest()[:16]


def tiny_shelves() -> dict[str, Path]:
    """{"a": folder, "b": folder}, building them first unless this code built them already."""
    root = REPO / "build" / "tiny-shelves" / source_digest()
    root.mkdir(parents=True, exist_ok=True)
    with FileLock(str(root / ".lock")):
        for name, run in RUNS.items():
            done = root / f"{name}.done"
            if done.exists():
                continue
            env = {**os.environ, "PYTHONHASHSEED": run["PYTHONHASHSEED"]}
            result = subprocess.run([sys.executable, "-c", BUILD, str(root / name), str(run["jobs"])], env=env,
                                    capture_output=True, text=True, timeout=900)
            failures = json.loads(result.stdout.strip().splitlines()[-1]) if result.returncode == 0 else None
            if failures != {}:
                raise AssertionError(f"tiny shelf {name} failed: {failures}\n{result.stdout[-3000:]}\n"
                                     f"{result.stderr[-3000:]}")
            done.touch()
    return {name: root / name for name in RUNS}
