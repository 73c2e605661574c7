"""Interactive explorers for the lessons (ipywidgets), each with a static HTML view that the book and tests can show."""

from __future__ import annotations

import html

GOLDEN = 0.6180339887498949


def _colour(token_id: int, special: bool) -> str:
    if special:
        return "hsl(0, 0%, 82%)"
    # Consecutive ids land far apart on the colour wheel, so neighbouring tokens stay distinguishable.
    hue = int(360 * ((token_id * GOLDEN) % 1.0))
    return f"hsl({hue}, 75%, 82%)"


def tokens_html(tokenizer, text: str) -> str:
    """The tokens of `text` as coloured boxes (one colour per id), each with its id underneath."""
    if not isinstance(text, str):
        raise TypeError(f"tokens_html needs a string, got {type(text).__name__}")
    ids = tokenizer(text)["input_ids"]
    tokens = tokenizer.convert_ids_to_tokens(ids)
    special = set(tokenizer.all_special_ids)
    boxes = []
    for token, token_id in zip(tokens, ids):
        boxes.append(
            f'<span style="display:inline-block;margin:2px;padding:2px 5px;border-radius:4px;'
            f'background:{_colour(token_id, token_id in special)};color:#111;font-family:monospace;text-align:center">'
            f'{html.escape(token)}<br><small style="color:#444">{token_id}</small></span>'
        )
    summary = f'<div style="font-size:small;color:#555">{len(ids)} tokens, {len(text)} characters</div>'
    return f'<div style="line-height:1.1">{"".join(boxes)}</div>{summary}'


def token_explorer(tokenizer, text: str = "Tokenizers split unbelievably rare words into pieces 🤗."):
    """Show `text` tokenized (static, so it survives in saved notebooks), then a box to try your own text."""
    from IPython.display import HTML, display

    display(HTML(tokens_html(tokenizer, text)))
    try:
        import ipywidgets as w
    except ImportError:
        print("ipywidgets is not installed, so only the static view above is available.")
        return None
    box = w.Text(placeholder="Type a sentence to see its tokens", layout=w.Layout(width="90%"),
                 continuous_update=True, description="Your text:")
    view = w.HTML()

    def update(change=None):
        view.value = tokens_html(tokenizer, box.value) if box.value else ""

    box.observe(update, names="value")
    explorer = w.VBox([box, view])
    display(explorer)
    return explorer
