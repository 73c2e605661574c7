"""The learner's workspace: their own copies of the lessons, which course updates never overwrite.

New lessons are copied in; a lesson that changed upstream is offered as a new file beside
the learner's copy; a file that is already there is never replaced.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

LEDGER = ".course-sync.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync_workspace(lessons: Path, workspace: Path) -> list[str]:
    """Bring new and updated lessons into the workspace; return one line per action taken."""
    workspace.mkdir(parents=True, exist_ok=True)
    ledger_path = workspace / LEDGER
    ledger = json.loads(ledger_path.read_text()) if ledger_path.exists() else {}
    actions = []
    for lesson in sorted(lessons.glob("*.ipynb")):
        digest = _digest(lesson)
        mine = workspace / lesson.name
        if not mine.exists() and lesson.name not in ledger:
            shutil.copy2(lesson, mine)
            actions.append(f"added {mine}")
        elif ledger.get(lesson.name) not in (None, digest) or (mine.exists() and lesson.name not in ledger
                                                               and _digest(mine) != digest):
            offer = workspace / f"{lesson.stem}.updated-{digest[:8]}{lesson.suffix}"
            if not offer.exists():
                shutil.copy2(lesson, offer)
                actions.append(f"{lesson.name} changed in the course; your copy is untouched and the new "
                               f"version is beside it as {offer.name}")
        ledger[lesson.name] = digest
    ledger_path.write_text(json.dumps(ledger, indent=2, sort_keys=True) + "\n")
    return actions
