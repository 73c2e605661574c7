"""The one exception type the course raises for problems a learner can fix, and its notebook display."""


class CourseError(RuntimeError):
    """A problem with a plain-language message that says what to do next."""


def _show_without_traceback(shell, etype, value, tb, tb_offset=None):
    # A learner needs the sentence that says what to do, not twenty frames of library code.
    print(f"\u26a0\ufe0f  {value}")


def install_notebook_handler() -> None:
    """Inside IPython, show CourseError as its message alone."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CourseError,), _show_without_traceback)
