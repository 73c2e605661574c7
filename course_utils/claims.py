"""Sentences of a lesson that say what an output shows, checked where the output is made.

A lesson states a claim in its prose ("P(cat) is above P(dog)") and backs it with a hidden cell right after the
output: `claim("P(cat) is above P(dog)", p_cat > p_dog, about="fill-mask")`. Under the tests and the website build (COURSE_CLAIMS=strict)
a claim that no longer holds fails the notebook, so a stand-in rebuild or a library upgrade that breaks a sentence
fails `make test`, not the learner. In a learner's own run it prints a note instead of stopping the lesson.
"""

from __future__ import annotations

import os

STRICT_VARIABLE = "COURSE_CLAIMS"


class ClaimFailed(AssertionError):
    """The lesson's text says something its own output does not show."""


def _checked_here(about) -> bool:
    """A claim about a role's outputs holds for the model the course builds or ships (a stand-in, or the packaged
    MiniLM); a real Hub model's outputs are quoted in the text as reported, not claimed."""
    from .checkpoints import resolve

    roles = (about,) if isinstance(about, str) else tuple(about)
    return all(resolve(role).kind in ("stand-in", "real model") for role in roles)


def claim(statement: str, holds, *, about, detail: str = "") -> None:
    """Check one sentence of the lesson against this run. `about` names the role (or roles) whose model's outputs
    the sentence describes, or is None for a fact of the library or the data, checked whatever the models.
    `holds` is the truth of the sentence, or a function that computes it, called only where the claim is checked
    (for a test that only makes sense on the stand-in's outputs).

    Silent when it holds, and returns nothing, so that a hidden claim cell shows no output in JupyterLab.
    """
    if about is not None and not _checked_here(about):
        return
    if callable(holds):
        holds = holds()
    if holds:
        return
    message = f"The lesson says that {statement}, but this run does not show it" + (f" ({detail})" if detail else "")
    if os.environ.get(STRICT_VARIABLE, "").strip().lower() == "strict":
        raise ClaimFailed(message + ".")
    print(f"Note: {message}. The sentence may be out of date for your versions; please tell the course authors.")
