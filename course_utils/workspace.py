"""The learner's workspace: their own copies of the lessons, which course updates never overwrite.

New lessons are copied in; a lesson that changed upstream is offered as a new file beside
the learner's copy; a file that is already there is never replaced.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from .errors import CourseError
from .lesson_ids import SUCCESSORS, identity_of

LEDGER = ".course-sync.json"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _read_ledger(path: Path) -> dict:
    """The course version of each lesson this workspace has seen; a damaged ledger stops the sync, untouched."""
    if not path.exists():
        return {}
    try:
        ledger = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError):
        ledger = None
    if not isinstance(ledger, dict) or not all(isinstance(v, str) for v in ledger.values()):
        raise CourseError(f"The workspace's record of course updates, {path}, is damaged (not the JSON the course "
                          f"wrote); nothing was changed. Move it aside (`mv {path} {path}.bad`) and run this again: "
                          "your notebooks are kept, and lessons you already have are not copied twice.")
    return ledger


def _write_new(source: Path, target: Path) -> None:
    """Copy to a name that does not exist yet: an existing file is never replaced, and a copy that fails half-way is
    removed (it was never the learner's)."""
    with open(source, "rb") as lesson, open(target, "xb") as copy:
        try:
            shutil.copyfileobj(lesson, copy)
        except BaseException:
            target.unlink()
            raise


def _save_ledger(path: Path, ledger: dict) -> None:
    handle, temporary = tempfile.mkstemp(prefix=f"{LEDGER}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(json.dumps(ledger, indent=2, sort_keys=True) + "\n")
        os.replace(temporary, path)  # the old ledger stays whole until the new one is
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _yours_by_lesson(workspace: Path) -> dict[str, Path]:
    """The learner's notebooks by lesson identity (not the course's update offers)."""
    found = {}
    for path in sorted(workspace.glob("*.ipynb")):
        identity = None if ".updated-" in path.name else identity_of(path)
        if identity:
            found.setdefault(identity, path)
    return found


def _moved(lesson: Path, yours: dict[str, Path]) -> str:
    """What to tell a learner whose copy of this lesson has another name: the course renumbered or split it."""
    identity = identity_of(lesson)
    if identity in yours and yours[identity].name != lesson.name:
        return (f"; this lesson was {yours[identity].name} before the course renumbered it: that copy keeps your work "
                "and `course check` still checks it as this lesson")
    for old, successors in SUCCESSORS.items():
        if identity in successors and old in yours:
            return (f"; it is part of {yours[old].name}, which the course split into {len(successors)} lessons: "
                    "your copy is kept, and its exercises are now checked in the new notebooks")
    return ""


def _sync(lessons: Path, workspace: Path) -> list[str]:
    workspace.mkdir(parents=True, exist_ok=True)
    ledger_path = workspace / LEDGER
    ledger = _read_ledger(ledger_path)
    yours = _yours_by_lesson(workspace)
    actions = []
    for lesson in sorted(lessons.glob("*.ipynb")):
        digest = _digest(lesson)
        mine = workspace / lesson.name
        if not mine.exists() and lesson.name not in ledger:
            _write_new(lesson, mine)
            actions.append(f"added {mine}{_moved(lesson, yours)}")
        elif ledger.get(lesson.name) not in (None, digest) or (mine.exists() and lesson.name not in ledger
                                                               and _digest(mine) != digest):
            offer = workspace / f"{lesson.stem}.updated-{digest[:8]}{lesson.suffix}"
            if not offer.exists():
                _write_new(lesson, offer)
                actions.append(f"{lesson.name} changed in the course; your copy is untouched and the new "
                               f"version is beside it as {offer.name}")
        ledger[lesson.name] = digest
    _save_ledger(ledger_path, ledger)
    return actions


def sync_workspace(lessons: Path, workspace: Path) -> list[str]:
    """Bring new and updated lessons into the workspace; return one line per action taken."""
    try:
        return _sync(lessons, workspace)
    except OSError as exc:
        where = exc.filename or workspace
        raise CourseError(f"Cannot update the workspace {workspace.resolve()}: {exc.strerror} ({where}). Nothing of "
                          "yours was changed; make the folder yours and writable (or pass --workspace DIR), then run "
                          "this again.") from None
