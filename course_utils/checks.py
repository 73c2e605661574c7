"""Exercise checks: say which part of an answer is right, which is wrong and why, with a hint; never a traceback.

A checker is a plain function decorated with `@exercise(...)`. Inside it, `expect(...)` records
one part of the answer; `Wrong` stops at a part the rest depends on. An answer left as `...`
(the placeholder in the student copies) is reported as not attempted yet.
"""

from __future__ import annotations

import functools
import html
import traceback
from dataclasses import dataclass, field

MIME = "application/vnd.course.check+json"
ICONS = {"pass": "\u2705", "fail": "\u274c", "not attempted": "\u23f3"}


class Wrong(Exception):
    """A part of the answer is wrong and the check cannot go on."""

    def __init__(self, part: str, message: str, hint: str = ""):
        super().__init__(message)
        self.part, self.message, self.hint = part, message, hint


class NotAttempted(Exception):
    """The learner has not replaced the placeholder yet."""


@dataclass
class Part:
    name: str
    ok: bool
    message: str = ""
    hint: str = ""


@dataclass
class Feedback:
    exercise: str
    title: str
    status: str = "pass"  # "pass", "fail" or "not attempted"
    parts: list[Part] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"exercise": self.exercise, "title": self.title, "status": self.status,
                "parts": [vars(p) for p in self.parts]}

    def as_text(self) -> str:
        lines = [f"{ICONS[self.status]} Exercise {self.exercise} ({self.title}): {self.status}"]
        if self.status == "not attempted":
            lines.append("   Replace the `...` placeholder with your answer, then run this cell again.")
        for part in self.parts:
            mark = "ok " if part.ok else "X  "
            lines.append(f"   {mark}{part.name}" + (f": {part.message}" if part.message else ""))
            if part.hint and not part.ok:
                lines.append(f"      Hint: {part.hint}")
        return "\n".join(lines)

    def as_html(self) -> str:
        colour = {"pass": "#1a7f37", "fail": "#cf222e", "not attempted": "#9a6700"}[self.status]
        text = html.escape(self.as_text())
        return f'<pre style="border-left:4px solid {colour};padding-left:8px">{text}</pre>'


_current: list[Feedback] = []


def expect(condition: bool, part: str, message: str = "", hint: str = "") -> bool:
    """Record one part of the answer as right or wrong; return whether it was right."""
    feedback = _current[-1]
    ok = bool(condition)
    feedback.parts.append(Part(part, ok, "" if ok else message, hint))
    if not ok:
        feedback.status = "fail"
    return ok


def is_placeholder(value) -> bool:
    return value is Ellipsis


def require_type(value, kind, name: str, expected: str, hint: str):
    """Stop at a "type" part when the learner's `name` returned something other than `kind`."""
    if not isinstance(value, kind):
        raise Wrong("type", f"{name} returned {type(value).__name__}, expected {expected}", hint)
    return value


def call_learner(function, *args, part: str = "your function", **kwargs):
    """Call the learner's function; a placeholder result or an exception becomes feedback, not a traceback."""
    if not callable(function):
        raise Wrong(part, f"expected a function, got {type(function).__name__}",
                    "Define it with `def` and pass the function itself, without calling it.")
    try:
        result = function(*args, **kwargs)
    except Exception as exc:
        where = traceback.extract_tb(exc.__traceback__)[-1]
        raise Wrong(part, f"calling it raised {type(exc).__name__}: {exc} (line {where.lineno})",
                    "Run your function on the example in the exercise and read the error.") from None
    if result is Ellipsis:
        raise NotAttempted
    return result


def _show(feedback: Feedback) -> None:
    try:
        from IPython.display import display
    except ImportError:
        print(feedback.as_text())
        return
    display({"text/plain": feedback.as_text(), "text/html": feedback.as_html(), MIME: feedback.as_dict()},
            raw=True)


def exercise(number: str, title: str):
    """Turn a checker into a check that always finishes and shows its feedback."""

    def wrap(checker):
        @functools.wraps(checker)
        def run(*args, **kwargs) -> None:
            feedback = Feedback(number, title)
            _current.append(feedback)
            try:
                if any(is_placeholder(v) for v in (*args, *kwargs.values())):
                    raise NotAttempted
                checker(*args, **kwargs)
            except NotAttempted:
                feedback.status, feedback.parts = "not attempted", []
            except Wrong as wrong:
                expect(False, wrong.part, wrong.message, wrong.hint)
            except Exception as exc:
                expect(False, "your answer", f"it could not be checked ({type(exc).__name__}: {exc})",
                       "Compare the type and shape of your answer with what the exercise asks for.")
            finally:
                _current.pop()
            run.last = feedback  # kept for tests and `course check`; returning it would print it twice
            _show(feedback)

        run.exercise, run.last = number, None
        return run

    return wrap
