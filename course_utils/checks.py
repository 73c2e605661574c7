"""Exercise checks: say which part of an answer is right, which is wrong and why, with a hint; never a traceback.

A checker is a plain function decorated with `@exercise(...)`. Inside it, `expect(...)` records
one part of the answer; `Wrong` stops at a part the rest depends on. An answer left as `...`
(the placeholder in the student copies) is reported as not attempted yet.
"""

from __future__ import annotations

import contextlib
import functools
import html
import inspect
import os
import reprlib
import sysconfig
import traceback
from dataclasses import dataclass, field
from pathlib import Path

MIME = "application/vnd.course.check+json"
ICONS = {"pass": "\u2705", "fail": "\u274c", "not attempted": "\u23f3"}
LONGEST_MESSAGE = 400  # characters; a part's message is cut there so feedback stays readable


class Wrong(Exception):
    """A part of the answer is wrong and the check cannot go on."""

    def __init__(self, part: str, message: str, hint: str = ""):
        super().__init__(message)
        self.part, self.message, self.hint = part, message, hint


class NotAttempted(Exception):
    """The learner has not replaced the placeholder yet; the argument, if any, says what still holds it."""


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
    waiting: str = ""  # for "not attempted": which name still holds `...`, as a sentence

    def as_dict(self) -> dict:
        return {"exercise": self.exercise, "title": self.title, "status": self.status,
                "parts": [vars(p) for p in self.parts]}

    def as_text(self) -> str:
        lines = [f"{ICONS[self.status]} Exercise {self.exercise} ({self.title}): {self.status}"]
        if self.status == "not attempted":
            lines.append(f"   {self.waiting or 'Your answer is still the placeholder `...`.'}")
            lines.append("   Write your answer in the exercise cell above, run that cell, then run this check again.")
        for part in self.parts:
            mark = "ok " if part.ok else "X  "
            lines.append(f"   {mark}{part.name}" + (f": {part.message}" if part.message else ""))
            if part.hint and not part.ok:
                lines.append(f"      Hint: {part.hint}")
        return "\n".join(lines)

    def as_html(self) -> str:
        colour = {"pass": "#1a7f37", "fail": "#cf222e", "not attempted": "#9a6700"}[self.status]
        text = html.escape(self.as_text())
        return f'<pre style="border-left:4px solid {colour};padding-left:8px;white-space:pre-wrap">{text}</pre>'


_current: list[Feedback] = []


def _cut(message: str) -> str:
    return message if len(message) <= LONGEST_MESSAGE else message[: LONGEST_MESSAGE - 2].rstrip() + " \u2026"


def expect(condition: bool, part: str, message: str = "", hint: str = "") -> bool:
    """Record one part of the answer as right or wrong; return whether it was right."""
    feedback = _current[-1]
    ok = bool(condition)
    feedback.parts.append(Part(part, ok, "" if ok else _cut(message), hint))
    if not ok:
        feedback.status = "fail"
    return ok


def is_placeholder(value) -> bool:
    return value is Ellipsis


class _Brief(reprlib.Repr):
    """reprlib's elision of long containers and strings, plus numbers rounded to 4 significant digits."""

    def __init__(self):
        super().__init__()
        self.maxlevel, self.maxstring, self.maxother = 3, 70, 70
        self.maxlist = self.maxtuple = self.maxset = self.maxfrozenset = self.maxdeque = 4
        self.maxdict = 3

    def repr_float(self, value, level):
        return f"{value:.4g}"

    repr_float16 = repr_float32 = repr_float64 = repr_float

    def repr_ndarray(self, value, level):
        return f"array of shape {value.shape}" if value.size > 4 else self.repr1(value.tolist(), level)

    def repr_Tensor(self, value, level):
        return f"tensor of shape {tuple(value.shape)}" if value.numel() > 4 else self.repr1(value.tolist(), level)


_brief = _Brief()


def brief(value) -> str:
    """A short repr for feedback: floats to 4 significant digits, long lists, dicts, strings and arrays elided."""
    return _brief.repr(value)


def require_type(value, kind, name: str, expected: str, hint: str):
    """Stop at a "type" part when the learner's `name` returned something other than `kind`."""
    if not isinstance(value, kind):
        raise Wrong("type", f"{name} returned {type(value).__name__}, expected {expected}", hint)
    return value


_NOT_THE_LEARNERS = tuple(sorted({os.path.realpath(sysconfig.get_paths()[key]) + os.sep
                                  for key in ("stdlib", "platstdlib", "purelib", "platlib")}
                                 | {os.path.realpath(Path(__file__).parent) + os.sep}))


def _is_learners(filename: str) -> bool:
    """Notebook cells and the learner's own files, as opposed to the standard library, packages or the course."""
    if filename.startswith("<"):
        return filename.startswith("<ipython-input")
    return not os.path.realpath(filename).startswith(_NOT_THE_LEARNERS)


_CRASH_HINTS = [  # (exception type name, words in its message, hint), first match wins
    ("", "text input must be of type", "The tokenizer takes a str or a list of str. A datasets column "
     "(dataset['text']) is a Column, not a list: pass list(dataset['text'])."),
    ("NameError", "", "A name on that line is not defined in this kernel: check its spelling, and run the cells above "
     "(from the top, after a restart) so that everything the exercise uses exists."),
    ("KeyError", "", "That key is not there: print the object's keys (`.keys()`) and check the spelling."),
    ("IndexError", "", "An index is outside its range: print the length or `.shape` of what that line indexes."),
    ("AttributeError", "", "That object has no such attribute: check its type with type(...) and the spelling."),
    ("RuntimeError", "size", "The tensor shapes on that line do not fit together: print the `.shape` of each."),
    ("TypeError", "", "A call on that line got arguments of the wrong kind or number: compare it with what the "
     "function expects (help(function) shows it)."),
]


def _crash_hint(exc: BaseException) -> str:
    text = str(exc)
    for kind, words, hint in _CRASH_HINTS:
        if (not kind or type(exc).__name__ == kind) and words in text:
            return hint
    return "Run your function on the exercise's example in its own cell and read the full error."


def crash_report(exc: BaseException) -> str:
    """One line naming the exception and the learner's own line it came from, even when a library raised it."""
    first_line = (str(exc).strip().splitlines() or [""])[0]
    described = f"{type(exc).__name__}: {first_line}" if first_line else type(exc).__name__
    frames = traceback.extract_tb(exc.__traceback__)
    theirs = [frame for frame in frames if _is_learners(frame.filename)]
    if not theirs:
        return f"it raised {described}"
    frame = theirs[-1]
    # A comprehension runs as a frame of its own; name the function that holds it, where the learner wrote it.
    holders = [f for f in theirs if f.filename == frame.filename and not f.name.endswith("comp>")]
    name = holders[-1].name if frame.name.endswith("comp>") and holders else frame.name
    where = {"<lambda>": "a lambda", "<module>": "a cell", "<genexpr>": "a generator"}.get(name, name)
    code = f": `{frame.line.strip()}`" if frame.line else ""
    inside = " (inside the library code it called)" if frame is not frames[-1] else ""
    return f"it raised {described}, in {where} (line {frame.lineno}){code}{inside}"


def call_learner(function, *args, part: str = "your function", **kwargs):
    """Call the learner's function; a placeholder result or an exception becomes feedback, not a traceback."""
    if not callable(function):
        raise Wrong(part, f"expected a function, got {type(function).__name__}",
                    "Define it with `def` and pass the function itself, without calling it.")
    try:
        result = function(*args, **kwargs)
    except Exception as exc:
        raise Wrong(part, crash_report(exc), _crash_hint(exc)) from None
    if result is Ellipsis:
        name = getattr(function, "__name__", "<lambda>")
        holder = "Your function" if name == "<lambda>" else f"`{name}`"
        raise NotAttempted(f"{holder} still returns the placeholder `...`.")
    return result


@contextlib.contextmanager
def calls_to(owner, name: str):
    """Record each call to the function `owner.name` (a module function or a method) while the block runs.

    The original still runs; a checker uses the list to tell whether the learner took a shortcut.
    """
    original = inspect.getattr_static(owner, name)
    calls: list[tuple] = []

    @functools.wraps(original)
    def recording(*args, **kwargs):
        calls.append((args, kwargs))
        return original(*args, **kwargs)

    setattr(owner, name, recording)
    try:
        yield calls
    finally:
        setattr(owner, name, original)


def call_by_hand(function, *args, part: str, name: str, hint: str):
    """`call_learner` for an exercise that asks for a pipeline's steps by hand: running a pipeline fails `name`."""
    import transformers

    with calls_to(transformers.Pipeline, "__call__") as runs:
        answer = call_learner(function, *args, part=part)
    if runs:
        raise Wrong(name, "your function ran a pipeline", hint)
    return answer


def _show(feedback: Feedback) -> None:
    try:
        from IPython.display import display
    except ImportError:
        print(feedback.as_text())
        return
    display({"text/plain": feedback.as_text(), "text/html": feedback.as_html(), MIME: feedback.as_dict()},
            raw=True)


def _placeholder_argument(checker, args, kwargs) -> str | None:
    """A sentence naming the first argument still left as `...`, or None when every one was filled in."""
    values = (*args, *kwargs.values())
    if not any(is_placeholder(v) for v in values):
        return None
    try:
        bound = inspect.signature(checker).bind_partial(*args, **kwargs).arguments
    except TypeError:
        return ""
    name = next(name for name, value in bound.items() if is_placeholder(value))
    return f"`{name}` is still the placeholder `...`."


def exercise(number: str, title: str):
    """Turn a checker into a check that always finishes and shows its feedback."""

    def wrap(checker):
        @functools.wraps(checker)
        def run(*args, **kwargs) -> None:
            feedback = Feedback(number, title)
            _current.append(feedback)
            try:
                waiting = _placeholder_argument(checker, args, kwargs)
                if waiting is not None:
                    raise NotAttempted(waiting)
                checker(*args, **kwargs)
            except NotAttempted as missing:
                feedback.status, feedback.parts = "not attempted", []
                feedback.waiting = str(missing.args[0]) if missing.args else ""
            except Wrong as wrong:
                expect(False, wrong.part, wrong.message, wrong.hint)
            except Exception as exc:
                expect(False, "your answer", f"it could not be checked ({type(exc).__name__}: {brief(str(exc))})",
                       "Compare the type and shape of your answer with what the exercise asks for.")
            finally:
                _current.pop()
            run.last = feedback  # kept for tests and `course check`; returning it would print it twice
            _show(feedback)

        run.exercise, run.last = number, None
        return run

    return wrap
