"""Checks for lesson 00 (setup): the mode and where roles resolve."""

from ..checkpoints import checkpoint, roles
from ..checks import Wrong, brief, exercise, expect
from ..modes import current_mode


@exercise("0.1", "which mode is this notebook in")
def check_mode(my_mode):
    if not isinstance(my_mode, str):
        raise Wrong("type", f"expected a string such as 'hub' or 'offline', got {type(my_mode).__name__}",
                    "Put the mode's name in quotes.")
    answer = my_mode.strip().lower()
    if answer == "auto":
        raise Wrong("mode", "'auto' is how the course chooses a mode, not a mode it runs in",
                    "auto settles on 'hub' or 'offline'; the first cell printed which, on the line that starts with "
                    "'Mode:'.")
    expect(answer == current_mode(), "mode", f"{brief(my_mode)} is not the mode this kernel runs in",
           "The first cell printed it on the line that starts with 'Mode:'; `current_mode()` returns it too.")


@exercise("0.2", "where each role resolves")
def check_where(where):
    if not isinstance(where, dict):
        raise Wrong("type", f"expected a dict, got {type(where).__name__}",
                    "Build it with braces: {role: checkpoint(role) for role in ...}.")
    wanted = ["sentiment", "feature-extraction"]
    missing = [r for r in wanted if r not in where]
    expect(not missing, "keys", f"missing role(s): {', '.join(missing)}", "Use the two roles this lesson set up.")
    unknown = [r for r in where if r not in roles()]
    expect(not unknown, "known roles", f"not roles of the course: {brief(unknown)}",
           "`course_utils.roles()` lists them.")
    wrong = [r for r in wanted if r in where and str(where[r]) != checkpoint(r)]
    expect(not wrong, "values", f"these do not match checkpoint(role): {', '.join(wrong)}",
           "Call checkpoint(role) for each role rather than typing the path or id.")
