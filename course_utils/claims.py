"""Sentences of a lesson that say what an output shows, checked where the output is made.

A lesson states a claim in its prose ("P(cat) is above P(dog)") and backs it with a hidden cell right after the
output: `claim("P(cat) is above P(dog)", p_cat > p_dog)`. Under the tests and the website build (COURSE_CLAIMS=strict)
a claim that no longer holds fails the notebook, so a stand-in rebuild or a library upgrade that breaks a sentence
fails `make test`, not the learner. In a learner's own run it prints a note instead of stopping the lesson.
"""

from __future__ import annotations

import os

STRICT_VARIABLE = "COURSE_CLAIMS"


class ClaimFailed(AssertionError):
    """The lesson's text says something its own output does not show."""


def claim(statement: str, holds: bool, *, modes: tuple[str, ...] = ("offline",), detail: str = "") -> bool:
    """Check one sentence of the lesson against this run; `modes` names the modes whose models the sentence is
    about (by default the offline stand-ins: a Hub model's own outputs are quoted as reported, not claimed).

    Returns whether it was checked and held; silent when it holds.
    """
    from .modes import current_mode

    if current_mode() not in modes:
        return False
    if holds:
        return True
    message = f"The lesson says that {statement}, but this run does not show it" + (f" ({detail})" if detail else "")
    if os.environ.get(STRICT_VARIABLE, "").strip().lower() == "strict":
        raise ClaimFailed(message + ".")
    print(f"Note: {message}. The sentence may be out of date for your versions; please tell the course authors.")
    return False
