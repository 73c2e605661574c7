"""What a lesson leaves in its notebook: plain-text progress bars (only for steps slower than a second) instead of
widgets that a reopened notebook cannot redraw, and no `Ellipsis` echoed for an exercise not answered yet."""

from __future__ import annotations

import functools

SLOW_STEP_SECONDS = 1.0  # a bar appears only once its step has run this long


@functools.cache
def _text_bar():
    from tqdm.asyncio import tqdm as console_tqdm  # what tqdm.auto gives outside a notebook

    class TextBar(console_tqdm):
        """A console bar that stays hidden for quick steps, such as loading a small model's weights."""

        def __init__(self, *args, **kwargs):
            kwargs.setdefault("delay", SLOW_STEP_SECONDS)
            super().__init__(*args, **kwargs)

    return TextBar


def _use_text_bars() -> None:
    # tqdm.auto chooses ipywidgets bars inside a kernel. transformers reads `tqdm.auto.tqdm` at every call, and
    # datasets and huggingface_hub subclass it when first imported, which lesson_setup precedes in every lesson.
    import tqdm.auto
    import tqdm.autonotebook

    bar = _text_bar()
    tqdm.auto.tqdm = tqdm.autonotebook.tqdm = bar
    tqdm.autonotebook.trange = tqdm.auto.trange  # which builds its bars from tqdm.auto.tqdm


def _show_nothing(value) -> None:
    """Registered as the value's own display, which IPython then takes as done: no Out[] at all."""


def tidy_notebook_outputs() -> None:
    """Inside IPython: unanswered stubs echo nothing; inside a Jupyter kernel: progress bars become plain text."""
    try:
        from IPython import get_ipython
    except ImportError:
        return
    shell = get_ipython()
    if shell is None:
        return
    shell.display_formatter.ipython_display_formatter.for_type(type(Ellipsis), _show_nothing)
    if getattr(shell, "kernel", None) is not None:
        _use_text_bars()
