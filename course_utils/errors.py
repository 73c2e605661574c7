"""The one exception type the course raises for problems a learner can fix, and its notebook display."""


class CourseError(RuntimeError):
    """A problem with a plain-language message that says what to do next."""


def _show_without_traceback(shell, etype, value, tb, tb_offset=None):
    # A learner needs the sentence that says what to do, not twenty frames of library code.
    # It is still sent as an error, so the cell counts as failed (and tests notice).
    short = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    shell._showtraceback(etype, value, short)
    return short


def install_notebook_handler() -> None:
    """Inside IPython, show CourseError as its message alone."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CourseError,), _show_without_traceback)
