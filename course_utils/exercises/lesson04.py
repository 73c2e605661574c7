"""Checks for lesson 04 (configs and heads): a config of a target size, and which weights a new head adds."""

import contextlib

from ..checks import Wrong, brief, call_learner, exercise, expect
from . import probes

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
        raise Wrong("heads divide the width",
                    f"dim={small_config.dim} is not divisible by n_heads={small_config.n_heads}",
                    "Each head gets dim / n_heads numbers; pick a dim that is a multiple of n_heads.")
    count = _count_parameters(small_config)
    low, high = (m * 1_000_000 for m in TARGET_MILLIONS)
    direction = "shrink dim or hidden_dim" if count > high else "grow dim or hidden_dim"
    expect(low <= count <= high, "size",
           f"{count:,} parameters, outside {TARGET_MILLIONS[0]}-{TARGET_MILLIONS[1]} million",
           f"The embeddings alone are vocab_size x dim; {direction} and count again.")


# The classes a check draws from: not the lesson's AutoModelForSequenceClassification, and the body alone
# (AutoModel), which adds no new weights at all.
PROBE_CLASSES = ("AutoModel", "AutoModelForTokenClassification", "AutoModelForQuestionAnswering",
                 "AutoModelForMaskedLM", "AutoModelForMultipleChoice", "AutoModelForNextSentencePrediction",
                 "AutoModelForPreTraining", "AutoModelForCausalLM")
CLASSES_PER_CHECK = 3


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


def _loading_info(model_class, checkpoint):
    model, info = model_class.from_pretrained(checkpoint, output_loading_info=True)
    return info, set(model.state_dict())


def _probe_classes(rng, checkpoint):
    """A few task classes with their loading info, not all with the same new weights."""
    import transformers

    for _ in range(probes.MAX_DRAWS):
        names = rng.sample(PROBE_CLASSES, CLASSES_PER_CHECK)
        with _quiet_loading():
            probed = [(name, getattr(transformers, name), *_loading_info(getattr(transformers, name), checkpoint))
                      for name in names]
        if len({frozenset(info["missing_keys"]) for _, _, info, _ in probed}) > 1:
            break
    return probed


def _new_weights_mistake(answer, truth, info, every_weight):
    """(message, hint) for a wrong set of names, matched to the mistake it shows."""
    if answer == set(info["unexpected_keys"]):
        return ("those are the checkpoint's unused weights (UNEXPECTED), not the new ones",
                "New weights are the ones the model needed but the checkpoint lacked: missing_keys.")
    if answer == every_weight:
        return "that is every weight of the model", "Keep only the ones the loading info lists as missing_keys."
    if not truth:
        return (f"this model needs nothing new, yet you listed {len(answer)} name(s)",
                "Return the missing_keys of this class's own loading info; here the set is empty.")
    extra, lacking = len(answer - truth), len(truth - answer)
    found = [f"{lacking} new weight(s) are not in your set"] if lacking else []
    found += [f"{extra} of your names were loaded from the checkpoint, not created"] if extra else []
    return (" and ".join(found),
            "Load the checkpoint into model_class with output_loading_info=True and return set(info['missing_keys']).")


@exercise("4.2", "which weights are new")
def check_new_weights(new_weights, checkpoint):
    probed = _probe_classes(probes.fresh(), checkpoint)
    for name, model_class, info, every_weight in probed:
        with _quiet_loading():
            answer = call_learner(new_weights, model_class, part=f"new_weights({name})")
        if isinstance(answer, str) or not hasattr(answer, "__iter__"):
            raise Wrong("type", f"new_weights returned {type(answer).__name__}, expected a set of parameter names",
                        "Return set(info['missing_keys']) from the loading info.")
        answer = list(answer)
        if not all(isinstance(item, str) for item in answer):
            raise Wrong("names", f"the set should hold parameter names (strings); got {brief(answer[:2])}",
                        "The loading info's 'missing_keys' are already names: return set(info['missing_keys']).")
        if set(answer) != set(info["missing_keys"]):
            raise Wrong(name, *_new_weights_mistake(set(answer), set(info["missing_keys"]), info, every_weight))
    expect(True, f"new weights of {', '.join(name for name, *_ in probed)}")
