"""The one exception type the course raises for problems a learner can fix, and how notebooks show errors."""


class CourseError(RuntimeError):
    """A problem with a plain-language message that says what to do next."""


def _endpoint_note(value) -> str | None:
    """A line for library errors that name huggingface.co while the course reaches the Hub somewhere else."""
    from .modes import DEFAULT_ENDPOINT, endpoint_host, hub_endpoint

    if hub_endpoint() == DEFAULT_ENDPOINT or "huggingface.co" not in str(value):
        return None
    return (f"Note: this course reaches the Hub at {hub_endpoint()} (HF_ENDPOINT), not huggingface.co: "
            f"read {endpoint_host()} wherever the message above says huggingface.co.")


def _show(shell, etype, value, tb, tb_offset=None):
    # A learner needs the sentence that says what to do, not twenty frames of library code.
    # It is still sent as an error, so the cell counts as failed (and tests notice).
    if issubclass(etype, CourseError):
        shown = [f"\x1b[0;31m{etype.__name__}\x1b[0m: {value}"]
    else:
        # transformers' own messages name huggingface.co whatever HF_ENDPOINT says; the note corrects that.
        shown = shell.InteractiveTB.structured_traceback(etype, value, tb, tb_offset=tb_offset)
        note = _endpoint_note(value)
        if note:
            shown = [*shown, f"\x1b[0;33m{note}\x1b[0m"]
    shell._showtraceback(etype, value, shown)
    return shown


def install_notebook_handler() -> None:
    """Inside IPython, show CourseError as its message alone, and say which Hub a library's OSError meant."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is not None:
        shell.set_custom_exc((CourseError, OSError), _show)
