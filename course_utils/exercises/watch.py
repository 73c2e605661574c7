"""What a learner's function called while a check ran it, so a check can require a method or refuse a shortcut.

`recording(owner, "name")` wraps one method for the length of a `with` block; the calls still happen, and each
is kept as a `Call`. `pipeline_runs()` records every pipeline that runs a model, whichever task it was made for.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from dataclasses import dataclass, field
from unittest import mock


@dataclass
class Call:
    args: tuple
    kwargs: dict = field(default_factory=dict)


@contextmanager
def recording(owner, name: str):
    """Record the calls of `owner.name` (a method of a class, or of one object) until the block ends."""
    original = getattr(owner, name)
    calls: list[Call] = []

    @functools.wraps(original)
    def record(*args, **kwargs):
        calls.append(Call(args, kwargs))
        return original(*args, **kwargs)

    with mock.patch.object(owner, name, record):
        yield calls


@contextmanager
def pipeline_runs():
    """Record every pipeline's model step: each `pipeline(...)(inputs)` call goes through `Pipeline.forward`."""
    from transformers import Pipeline

    with recording(Pipeline, "forward") as calls:
        yield calls


def calls_on(calls: list[Call], instance) -> list[Call]:
    """The recorded calls of a class's method that were made on this one object."""
    return [call for call in calls if call.args and call.args[0] is instance]
