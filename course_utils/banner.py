"""The first cell of every lesson: versions, the mode and why, and which model answers for each role."""

from __future__ import annotations

import platform

from .checkpoints import get_role, recipe_for, resolve
from .errors import install_notebook_handler
from .modes import activate
from .versions import library_versions


def lesson_setup(*role_names: str) -> dict[str, str]:
    """Settle the mode, make sure each role's model is there, print where each resolved.

    Returns {role: checkpoint} so a lesson can pass the values straight to `from_pretrained`.
    """
    from . import __version__

    install_notebook_handler()
    for name in role_names:
        get_role(name)  # fail on a typo before any building starts
    decision = activate()
    libs = " | ".join(f"{k} {v}" for k, v in library_versions().items())
    print(f"Course {__version__} | Python {platform.python_version()} | {libs}")
    print(f"Mode: {decision.mode} ({decision.reason})")
    resolved = {}
    for name in role_names:
        info = resolve(name, build=True)
        resolved[name] = info.location
        role = get_role(name)
        if info.kind == "Hub":
            print(f"  {name:<20} Hub checkpoint {info.location}")
        elif info.kind == "stand-in":
            print(f"  {name:<20} offline STAND-IN (not {role.hub_id}), {info.score}\n"
                  f"  {'':<20} {recipe_for(role).summary}\n  {'':<20} at {info.location}")
        else:
            print(f"  {name:<20} real model {role.hub_id}, shipped by a PyPI package\n"
                  f"  {'':<20} at {info.location}")
    return resolved
