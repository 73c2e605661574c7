"""Plots the lessons share: similarity matrices now, attention maps and patch grids as lessons need them."""

from __future__ import annotations

import numpy as np


def _short(text: str, width: int = 38) -> str:
    return text if len(text) <= width else text[: width - 1] + "\u2026"


def similarity_heatmap(matrix, row_labels, col_labels=None, title="Cosine similarity", ax=None):
    """A labelled heatmap of a similarity matrix, each cell annotated with its value."""
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix, dtype=float)
    col_labels = row_labels if col_labels is None else col_labels
    if ax is None:
        size = 0.9 + 0.75 * max(matrix.shape)
        _, ax = plt.subplots(figsize=(size + 3, size))
    image = ax.imshow(matrix, cmap="viridis", vmin=min(0.0, matrix.min()), vmax=1.0)
    ax.set_xticks(range(len(col_labels)), [_short(t) for t in col_labels], rotation=35, ha="right")
    ax.set_yticks(range(len(row_labels)), [_short(t) for t in row_labels])
    for (i, j), value in np.ndenumerate(matrix):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", color="white" if value < 0.6 else "black")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)
    ax.figure.tight_layout()
    return ax


def attention_heatmap(weights, tokens, title="Attention", ax=None):
    """One attention map: row i shows how much token i attends to each token (columns); rows sum to 1."""
    import matplotlib.pyplot as plt

    weights = np.asarray(weights, dtype=float)
    if weights.ndim != 2 or weights.shape[0] != weights.shape[1] or weights.shape[0] != len(tokens):
        raise ValueError(f"expected a square matrix with one row per token ({len(tokens)}), got shape {weights.shape}")
    if ax is None:
        size = 1.5 + 0.42 * len(tokens)
        _, ax = plt.subplots(figsize=(size + 1.2, size))
    image = ax.imshow(weights, cmap="Blues", vmin=0.0, vmax=max(weights.max(), 1e-9))
    ax.set_xticks(range(len(tokens)), tokens, rotation=60, ha="right")
    ax.set_yticks(range(len(tokens)), tokens)
    ax.set_xlabel("attends to (key)")
    ax.set_ylabel("token (query)")
    ax.set_title(title)
    ax.figure.colorbar(image, ax=ax, fraction=0.046)
    ax.figure.tight_layout()
    return ax


def attention_grid(attentions, tokens=None, title="Attention maps, one per layer and head"):
    """Every head of every layer as a small map: `attentions` is the model's tuple of (1, heads, seq, seq) tensors."""
    import matplotlib.pyplot as plt

    maps = np.stack([np.asarray(layer.detach() if hasattr(layer, "detach") else layer, dtype=float)[0]
                     for layer in attentions])
    layers, heads = maps.shape[:2]
    fig, axes = plt.subplots(layers, heads, figsize=(0.95 * heads + 0.6, 0.95 * layers + 0.8), squeeze=False)
    for (layer, head), ax in np.ndenumerate(axes):
        ax.imshow(maps[layer, head], cmap="Blues", vmin=0.0, vmax=1.0)
        ax.set_xticks([])
        ax.set_yticks([])
        if layer == 0:
            ax.set_title(f"h{head}", fontsize=8)
        if head == 0:
            ax.set_ylabel(f"layer {layer}", fontsize=8)
    subtitle = f" ({len(tokens)} tokens)" if tokens is not None else ""
    fig.suptitle(title + subtitle, fontsize=10)
    fig.tight_layout()
    return axes


def training_curves(log_history, ax=None, title="Training"):
    """Training loss per logged step and evaluation loss per evaluation, from `trainer.state.log_history`."""
    import matplotlib.pyplot as plt

    train = [(r["step"], r["loss"]) for r in log_history if "loss" in r and "step" in r]
    evals = [(r["step"], r["eval_loss"]) for r in log_history if "eval_loss" in r]
    if not train and not evals:
        raise ValueError("the log history has no losses; set logging_steps (and eval_strategy) in TrainingArguments")
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    if train:
        ax.plot(*zip(*train), marker=".", label="training loss")
    if evals:
        ax.plot(*zip(*evals), marker="o", linestyle="--", label="evaluation loss")
    ax.set_xlabel("optimisation step")
    ax.set_ylabel("loss")
    ax.set_title(title)
    ax.legend()
    ax.figure.tight_layout()
    return ax


def _as_array(image) -> np.ndarray:
    return np.asarray(image.convert("RGB") if hasattr(image, "convert") else image)


def image_row(images, titles=None, size: float = 2.4):
    """Several pictures side by side, each with an optional title."""
    import matplotlib.pyplot as plt

    titles = titles or [""] * len(images)
    fig, axes = plt.subplots(1, len(images), figsize=(size * len(images), size + 0.4), squeeze=False)
    for ax, image, title in zip(axes[0], images, titles):
        ax.imshow(_as_array(image))
        ax.set_title(_short(str(title), 30), fontsize=9)
        ax.axis("off")
    fig.tight_layout()
    return axes[0]


def patch_grid(image, patch_size: int, ax=None, number: bool = True):
    """An image with the grid of square patches a ViT cuts it into, each patch numbered in reading order."""
    import matplotlib.pyplot as plt

    pixels = _as_array(image)
    height, width = pixels.shape[:2]
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    ax.imshow(pixels)
    for x in range(0, width + 1, patch_size):
        ax.axvline(x - 0.5, color="white", lw=0.8)
    for y in range(0, height + 1, patch_size):
        ax.axhline(y - 0.5, color="white", lw=0.8)
    columns = width // patch_size
    if number and columns * (height // patch_size) <= 256:
        for index in range(columns * (height // patch_size)):
            row, col = divmod(index, columns)
            ax.text(col * patch_size + 1, row * patch_size + 1, str(index), color="white", fontsize=6,
                    va="top", ha="left", bbox=dict(facecolor="black", alpha=0.4, pad=0.5, lw=0))
    ax.set_title(f"{height}x{width} pixels -> {height // patch_size}x{columns} patches of {patch_size}x{patch_size}")
    ax.axis("off")
    return ax


def patch_tiles(pixels, patch_size: int, count: int = 16, ax=None):
    """The first `count` patches of an image laid out in a row: the sequence of 'tokens' a ViT reads."""
    import matplotlib.pyplot as plt

    pixels = _as_array(pixels)
    columns = pixels.shape[1] // patch_size
    if ax is None:
        _, ax = plt.subplots(figsize=(min(14, 0.8 * count), 1.3))
    gap = np.ones((patch_size, 2, 3), dtype=pixels.dtype) * (255 if pixels.dtype == np.uint8 else 1)
    tiles = []
    for index in range(count):
        row, col = divmod(index, columns)
        tiles += [pixels[row * patch_size:(row + 1) * patch_size, col * patch_size:(col + 1) * patch_size], gap]
    ax.imshow(np.concatenate(tiles[:-1], axis=1))
    ax.set_title(f"patches 0 to {count - 1}, in the order the model reads them", fontsize=9)
    ax.axis("off")
    return ax


def attention_overlay(image, weights, ax=None, title="Attention from [CLS]"):
    """A grid of per-patch weights (e.g. attention from [CLS]) stretched over the image as a heat map."""
    import matplotlib.pyplot as plt

    pixels = _as_array(image)
    weights = np.asarray(weights, dtype=float)
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 4))
    ax.imshow(pixels)
    height, width = pixels.shape[:2]
    ax.imshow(weights, cmap="inferno", alpha=0.55, extent=(-0.5, width - 0.5, height - 0.5, -0.5),
              interpolation="nearest")
    ax.set_title(title, fontsize=9)
    ax.axis("off")
    return ax


def _box(ax, x, y, width, height, text, colour, fontsize=9):
    from matplotlib.patches import FancyBboxPatch

    ax.add_patch(FancyBboxPatch((x, y), width, height, boxstyle="round,pad=0.02,rounding_size=0.08",
                                facecolor=colour, edgecolor="#333333", lw=1))
    ax.text(x + width / 2, y + height / 2, text, ha="center", va="center", fontsize=fontsize, wrap=True)


def _arrow(ax, start, end, **style):
    from matplotlib.patches import FancyArrowPatch

    ax.add_patch(FancyArrowPatch(start, end, arrowstyle="-|>", mutation_scale=10, color="#333333", lw=1, **style))


def transformer_diagram(tokens=("[CLS]", "the", "film", "was", "great", "[SEP]"), layers: int = 6,
                        answer: str = "POSITIVE"):
    """Two panels: text -> tokens -> vectors -> attention layers -> a head (left), and pretraining then
    fine-tuning (right). A schematic, not a measurement: the lessons show the real numbers."""
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5.2), gridspec_kw={"width_ratios": [1.25, 1]})
    for ax in (left, right):
        ax.set_xlim(0, 10)
        ax.set_ylim(0, 10)
        ax.axis("off")
    step = 8.6 / len(tokens)
    centres = [0.7 + step * (i + 0.5) for i in range(len(tokens))]
    for x, token in zip(centres, tokens):
        _box(left, x - step * 0.42, 0.3, step * 0.84, 0.8, token, "#fde9c9", fontsize=8)
        _arrow(left, (x, 1.15), (x, 1.75))
        for k, shade in enumerate(("#9ecae1", "#6baed6", "#4292c6")):
            left.add_patch(plt.Rectangle((x - 0.18, 1.8 + 0.32 * k), 0.36, 0.3, color=shade))
    left.text(0.1, 2.3, "vectors", fontsize=8, rotation=90, va="center")
    _box(left, 0.5, 3.2, 9.0, 2.6, "", "#e5f5e0")
    left.text(5.0, 5.45, f"{layers} layers, each: self-attention, then a small feed-forward network", ha="center",
              fontsize=8.5)
    for i, j in [(0, 2), (2, 4), (1, 2), (3, 4), (0, 4)]:
        _arrow(left, (centres[i], 3.5), (centres[j], 3.5), connectionstyle=f"arc3,rad={-0.5 / abs(i - j) - 0.1}")
    left.text(5.0, 3.35, "attention: every token looks at every other token", ha="center", fontsize=7.5,
              style="italic")
    for x in centres:
        _arrow(left, (x, 2.75), (x, 3.15))
    _arrow(left, (centres[0], 5.9), (centres[0], 6.8))
    left.text(centres[0] + 0.2, 6.3, "one vector per token, now aware of its context", fontsize=8)
    _box(left, 0.5, 6.9, 4.2, 1.1, "head: a small layer for one task", "#fcbba1")
    _arrow(left, (4.75, 7.45), (5.6, 7.45))
    _box(left, 5.7, 6.9, 3.8, 1.1, f"answer: {answer}", "#fee0d2")
    left.text(5.0, 9.3, "What a transformer does with a sentence", ha="center", fontsize=11, weight="bold")
    left.text(5.0, 8.6, "text -> tokens -> vectors -> layers of attention -> a head", ha="center", fontsize=8.5)

    _box(right, 0.2, 5.6, 4.5, 2.6, "Pretraining\nbillions of words, no labels:\nguess the hidden word\n"
         "\"the film was [MASK]\" -> great", "#dadaeb", fontsize=8)
    _box(right, 5.3, 5.6, 4.5, 2.6, "Fine-tuning\na few thousand labelled\nexamples, a new head:\n"
         "\"the film was great\" -> POSITIVE", "#fcbba1", fontsize=8)
    _arrow(right, (4.65, 6.9), (5.35, 6.9))
    _box(right, 0.4, 2.4, 4.2, 2.2, "the body learns language:\nwords, grammar, facts", "#efedf5", fontsize=8.5)
    _box(right, 5.4, 2.4, 4.2, 2.2, "the same body, slightly\nadjusted, plus the new head", "#fee0d2", fontsize=8.5)
    _arrow(right, (2.5, 5.55), (2.5, 4.65))
    _arrow(right, (7.5, 5.55), (7.5, 4.65))
    right.text(5.0, 1.3, "Transfer learning: pretrain once (costly), fine-tune many times (cheap).", ha="center",
               fontsize=8.5, style="italic")
    right.text(5.0, 9.3, "Where its knowledge comes from", ha="center", fontsize=11, weight="bold")
    fig.tight_layout()
    return fig
