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
