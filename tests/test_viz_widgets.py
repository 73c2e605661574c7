"""The shared plotting and widget helpers the lessons use: they draw, and they refuse malformed input."""

import numpy as np
import pytest
import torch


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from course_utils.shelf.recipes.common import minilm_path

    return AutoTokenizer.from_pretrained(minilm_path())


def test_widget_static_view_colours_tokens_and_shows_ids(tokenizer):
    from course_utils.widgets import tokens_html

    html = tokens_html(tokenizer, "Hello 🤗 world")
    ids = tokenizer("Hello 🤗 world")["input_ids"]
    assert all(f">{i}</small>" in html for i in ids)
    assert html.count("<span") == len(ids) and "[UNK]" in html
    with pytest.raises(TypeError):
        tokens_html(tokenizer, 42)


def test_viz_helpers_draw_and_reject_bad_shapes():
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import viz

    tokens = ["[CLS]", "a", "b", "[SEP]"]
    weights = np.full((4, 4), 0.25)
    assert viz.attention_heatmap(weights, tokens) is not None
    assert viz.attention_grid([torch.full((1, 3, 4, 4), 0.25)] * 2, tokens).shape == (2, 3)
    with pytest.raises(ValueError):
        viz.attention_heatmap(np.ones((3, 4)), tokens)
    history = [{"loss": 1.0, "step": 2}, {"loss": 0.5, "step": 4}, {"eval_loss": 0.7, "step": 4}]
    assert viz.training_curves(history) is not None
    with pytest.raises(ValueError):
        viz.training_curves([{"train_runtime": 1.0}])
