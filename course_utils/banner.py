"""The first cell of every lesson: versions, the mode and why, and a table of where each role's model came from.

The table fits 100 columns; paths are shortened (home as ~, the shelf as $COURSE_SHELF) and left out entirely
when COURSE_BOOK_BUILD=1 (the website build), with `course shelf list` named for the full detail.
"""

from __future__ import annotations

import os
import platform
import textwrap
from pathlib import Path

from .checkpoints import get_role, resolve
from .errors import install_notebook_handler
from .modes import activate
from .notebook_outputs import tidy_notebook_outputs
from .versions import library_versions

WIDTH = 100
SOURCES = {"Hub": "Hub", "cache": "HF cache", "stand-in": "stand-in", "real model": "packaged", "none": "none"}
# Held-out metrics by a name short enough for the table.
SHORT_METRICS = {"accuracy": "acc", "zero_shot_accuracy": "acc", "top5_accuracy": "top-5", "f1": "F1",
                 "exact_match": "EM", "rougeL": "ROUGE-L", "perplexity": "ppl", "chrf": "chrF",
                 "colour_and_shape_right": "caption ok", "true_caption_above_wrong": "match ok"}


class Checkpoints(dict):
    """{role: checkpoint}; a role with nothing to load here says why instead of raising a bare KeyError."""

    def __missing__(self, name: str) -> str:
        from .checkpoints import checkpoint

        return checkpoint(name)


def book_build() -> bool:
    return os.environ.get("COURSE_BOOK_BUILD", "").strip() == "1"


def short_path(path: str | Path) -> str:
    """A path as a learner reads it: the shelf as $COURSE_SHELF, home as ~."""
    text = str(path)
    shelf = os.environ.get("COURSE_SHELF", "").strip()
    if shelf and text.startswith(str(Path(shelf).expanduser().resolve())):
        return "$COURSE_SHELF" + text[len(str(Path(shelf).expanduser().resolve())):]
    home = str(Path.home())
    return "~" + text[len(home):] if home != "/" and text.startswith(home) else text


def _held_out(info) -> str:
    if info.kind == "real model":
        return "pretrained"
    if info.value is None:
        return "-"
    value = f"{info.value:.1f}" if abs(info.value) >= 10 else f"{info.value:.3f}"
    return f"{SHORT_METRICS.get(info.metric, info.metric)} {value}"


def _model(info) -> str:
    hub_id = get_role(info.role).hub_id
    return {"stand-in": f"stand-in for {hub_id}", "none": f"{hub_id} (Hub only)"}.get(info.kind, hub_id)


def role_table(resolutions) -> list[str]:
    """One row per role: where its model came from, which model, its held-out score; notes say why where needed."""
    rows = [("role", "from", "held-out", "model")]
    rows += [(info.role, SOURCES[info.kind], _held_out(info), _model(info)) for info in resolutions]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines = []
    for row in rows:
        start = "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
        if len(start) + 2 + len(row[3]) <= WIDTH:
            lines.append(f"{start}  {row[3]}")
        else:  # a long Hub id goes on its own line rather than past the edge
            lines += [start.rstrip(), f"    {row[3]}"]
    for info in resolutions:
        if info.why:
            lines += textwrap.wrap(f"{info.role}: {info.why}", WIDTH, initial_indent="  ", subsequent_indent="    ",
                                   break_on_hyphens=False)
    return lines


def _where(resolutions) -> list[str]:
    """Where the local models are, in short; nothing machine-specific in the website build."""
    detail = "`course shelf list` shows each model's folder, recipe and size"
    if book_build():
        return [f"{detail}."]
    places = [f"Stand-ins in {short_path(Path(info.location).parent)}"
              for info in resolutions if info.kind == "stand-in"][:1]
    if any(info.kind == "cache" for info in resolutions):
        from .hubcache import cache_dir

        places.append(f"real checkpoints from the HF cache in {short_path(cache_dir())}")
    text = "; ".join(places + [detail])
    return textwrap.wrap(text[0].upper() + text[1:] + ".", WIDTH, break_on_hyphens=False)


def lesson_setup(*role_names: str) -> dict[str, str]:
    """Settle the mode, make sure each role's model is there, print where each came from and why.

    Returns {role: checkpoint} so a lesson can pass the values straight to `from_pretrained`.
    """
    from . import __version__

    tidy_notebook_outputs()
    install_notebook_handler()
    hub_ids = [get_role(name).hub_id for name in role_names]  # fails on a typo before anything is fetched or built
    decision = activate(hub_ids)
    parts = [f"Course {__version__}", f"Python {platform.python_version()}",
             *(f"{name} {found}" for name, found in library_versions().items())]
    print("\n".join(_joined(parts, " | ") + _mode_line(decision)), flush=True)
    resolutions = [resolve(name, build=True) for name in role_names]
    if activate() is not decision:  # the Hub stalled during the downloads
        print("\n".join(_mode_line(activate())))
    if resolutions:
        print("\n".join(role_table(resolutions) + _where(resolutions)))
    return Checkpoints({info.role: info.location for info in resolutions if info.kind != "none"})


def _joined(parts: list[str], separator: str) -> list[str]:
    """The parts on as few lines of WIDTH as they fit, never breaking inside one."""
    lines = [parts[0]]
    for part in parts[1:]:
        if len(lines[-1]) + len(separator) + len(part) <= WIDTH:
            lines[-1] += separator + part
        else:
            lines.append(part)
    return lines


def _mode_line(decision) -> list[str]:
    return textwrap.wrap(f"Mode: {decision.mode} ({decision.reason})", WIDTH, subsequent_indent="  ",
                         break_on_hyphens=False)
