"""Checks for lesson 04 (configs and heads): a config of a target size, and which weights a new head adds."""

import contextlib

from ..checks import Wrong, call_learner, exercise, expect

TARGET_LAYERS = 4
TARGET_MILLIONS = (24, 27)


def _count_parameters(config) -> int:
    import torch
    from transformers import DistilBertForSequenceClassification

    # The meta device builds the model's shapes without allocating or initialising any weights.
    with torch.device("meta"):
        return DistilBertForSequenceClassification(config).num_parameters()


@exercise("4.1", "a config of a target size")
def check_small_config(small_config, tokenizer):
    from transformers import DistilBertConfig

    if not isinstance(small_config, DistilBertConfig):
        raise Wrong("type", f"small_config is a {type(small_config).__name__}, expected a DistilBertConfig",
                    "Build it with DistilBertConfig(n_layers=..., n_heads=..., dim=..., hidden_dim=...).")
    expect(small_config.n_layers == TARGET_LAYERS, "layers", f"n_layers is {small_config.n_layers}, "
           f"the exercise asks for {TARGET_LAYERS}", "Set n_layers=4.")
    expect(small_config.vocab_size == len(tokenizer), "vocabulary",
           f"vocab_size is {small_config.vocab_size}, but the tokenizer you want to reuse has {len(tokenizer)} tokens",
           "Leave vocab_size at its default so the BERT tokenizer still fits.")
    if small_config.dim % small_config.n_heads:
        raise Wrong("heads divide the width", f"dim={small_config.dim} is not divisible by n_heads={small_config.n_heads}",
                    "Each head gets dim / n_heads numbers; pick a dim that is a multiple of n_heads.")
    count = _count_parameters(small_config)
    low, high = (m * 1_000_000 for m in TARGET_MILLIONS)
    direction = "shrink dim or hidden_dim" if count > high else "grow dim or hidden_dim"
    expect(low <= count <= high, "size", f"{count:,} parameters, outside {TARGET_MILLIONS[0]}-{TARGET_MILLIONS[1]} million",
           f"The embeddings alone are vocab_size x dim; {direction} and count again.")


PROBE_CLASSES = ("AutoModelForTokenClassification", "AutoModelForQuestionAnswering")


@contextlib.contextmanager
def _quiet_loading():
    """The check loads several models; their reports and progress bars would bury the feedback."""
    from transformers.utils import logging

    from ..shelf.recipes.common import quiet_library

    bars = logging.is_progress_bar_enabled()
    logging.disable_progress_bar()
    try:
        with quiet_library():
            yield
    finally:
        if bars:
            logging.enable_progress_bar()


@exercise("4.2", "which weights are new")
def check_new_weights(new_weights, checkpoint):
    import transformers

    for name in PROBE_CLASSES:
        model_class = getattr(transformers, name)
        with _quiet_loading():
            answer = call_learner(new_weights, model_class, part=f"new_weights({name})")
            _, info = model_class.from_pretrained(checkpoint, output_loading_info=True)
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            raise Wrong("type", f"new_weights returned {type(answer).__name__}, expected a set of parameter names",
                        "Return set(info['missing_keys']) from the loading info.")
        answer, truth = set(answer), set(info["missing_keys"])
        if answer == set(info["unexpected_keys"]) and answer != truth:
            raise Wrong(name, "those are the checkpoint's unused weights (UNEXPECTED), not the new ones",
                        "New weights are the ones the model needed but the checkpoint lacked: missing_keys.")
        expect(answer == truth, name, f"expected {sorted(truth)}, got {sorted(answer)}",
               "Load with output_loading_info=True and return the missing_keys.")
