"""Checks for lesson 03 (models): predicting by hand, the loss by hand, one attention map."""

import numpy as np

from ..checks import Wrong, brief, call_by_hand, call_learner, exercise, expect
from . import probes

REVIEWS_PER_CHECK = 5


def _model_outputs(tokenizer, model, texts, **kwargs):
    import torch

    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return model(**encoded, **kwargs)


def _reviews_with_two_labels(tokenizer, model, rng):
    """New reviews of different lengths (so the batch needs padding) on which the model predicts more than one
    label, with its probabilities."""
    for _ in range(probes.MAX_DRAWS):
        texts = probes.reviews(rng, REVIEWS_PER_CHECK)
        probs = _model_outputs(tokenizer, model, texts).logits.softmax(dim=-1).numpy()
        padded = len({len(ids) for ids in tokenizer(texts)["input_ids"]}) > 1
        if padded and len(set(probs.argmax(axis=1))) > 1:
            break
    return texts, probs


def _predict_pairs(predict, texts):
    """The learner's pairs, after checking that no pipeline was used and that the shape is right."""
    answer = call_by_hand(predict, list(texts), part="predict(texts)", name="no pipeline",
                          hint="Do the pipeline's steps yourself: tokenizer(texts, padding=True, return_tensors='pt'), "
                               "model(**encoded).logits, softmax.")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(texts):
        size = f" of length {len(answer)}" if hasattr(answer, "__len__") else ""
        raise Wrong("one pair per text", f"expected a list of {len(texts)} (label, probability) pairs, "
                    f"got {type(answer).__name__}{size}", "Return a list with one (label, probability) tuple per text.")
    if not all(isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in answer):
        raise Wrong("pairs", f"the items are not (label, probability) pairs: {brief(answer[0])}",
                    "Build each item as (model.config.id2label[index], probability).")
    return answer


def _probability_mistake(numbers, probs, unmasked, picked):
    """(message, hint) for probabilities that differ from the model's, matched to the mistake they show."""
    if all(not 0.0 <= s <= 1.0 for s in numbers):
        return ("these are not probabilities (they should lie between 0 and 1)", "Apply softmax to the logits first.")
    for column in range(probs.shape[1]):
        if np.allclose(numbers, probs[:, column], atol=1e-4) and not np.allclose(numbers, picked, atol=1e-4):
            return (f"each number is the probability of label {column}, not of the label you predicted",
                    "Take the largest probability of each row (row.max()), the one that goes with the argmax.")
    if np.allclose(numbers, unmasked, atol=1e-4):
        return ("these are what the model gives when it also reads the padding",
                "Pass the attention mask too: model(**encoded) hands the model every tensor the tokenizer made.")
    wrong = int(np.sum(~np.isclose(numbers, picked, atol=1e-4)))
    return (f"{wrong} of {len(numbers)} probabilities differ from the model's",
            "Use the softmax probability of the predicted label, with the texts padded into one batch.")


@exercise("3.1", "predict by hand")
def check_predict(predict, tokenizer, model):
    import torch

    texts, probs = _reviews_with_two_labels(tokenizer, model, probes.fresh())
    answer = _predict_pairs(predict, texts)
    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        unmasked = model(input_ids=encoded["input_ids"]).logits.softmax(dim=-1).numpy()
    names = model.config.id2label
    labels, scores = [p[0] for p in answer], [p[1] for p in answer]
    if any(not isinstance(label, str) for label in labels):
        raise Wrong("labels", f"the labels should be names such as {names[0]!r}; got {brief(labels)}",
                    "Look each argmax index up in model.config.id2label.")
    truth = [names[int(i)] for i in probs.argmax(axis=1)]
    if labels != truth:
        least = [names[int(i)] for i in probs.argmin(axis=1)]
        expect(False, "labels", f"{sum(a != b for a, b in zip(labels, truth))} of {len(texts)} labels differ from "
               "the model's", "You took the least likely label: use argmax." if labels == least else
               "Take the argmax of each row of the logits and look it up in model.config.id2label.")
    try:
        numbers = [float(s) for s in scores]
    except (TypeError, ValueError):
        raise Wrong("probabilities", f"the probabilities are not numbers: {brief(scores)}",
                    "Turn a one-element tensor into a float with float(...) or .item().") from None
    picked = probs.max(axis=1)
    if np.allclose(numbers, picked, atol=1e-4):
        expect(True, f"probabilities for {len(texts)} new reviews")
    else:
        expect(False, "probabilities", *_probability_mistake(numbers, probs, unmasked.max(axis=1), picked))


def _loss_probes(rng, tokenizer, model):
    """(logits, labels) from the model on new reviews with drawn labels, and random logits over four labels."""
    import torch

    texts = probes.reviews(rng, rng.randint(3, 6))
    logits = _model_outputs(tokenizer, model, texts).logits
    labels = torch.tensor([rng.randrange(logits.shape[1]) for _ in texts])
    generator = torch.Generator().manual_seed(rng.randrange(2**31))
    size = rng.randint(3, 7)
    random_logits = 2 * torch.randn(size, 4, generator=generator)
    return [(logits, labels), (random_logits, torch.randint(0, 4, (size,), generator=generator))]


def _loss_mistake(value, logits, labels):
    """(part, message, hint) for a wrong loss value, matched to the mistake it shows."""
    import torch

    rows = torch.arange(len(labels))
    per_example = -logits.log_softmax(dim=-1)[rows, labels]
    mean = float(per_example.mean())

    def near(x):
        return np.isclose(value, float(x), rtol=1e-4, atol=1e-4)

    if near(per_example.sum()):
        return "mean", "you returned the sum over the batch", "Divide by the batch size (use .mean())."
    if near(-logits.softmax(dim=-1)[rows, labels].mean()) or near(1 - logits.softmax(dim=-1)[rows, labels].mean()):
        return "log", "you averaged the probabilities themselves", "Take the log of each probability first."
    if near(mean / np.log(2)) or near(mean / np.log(10)):
        return "natural log", "you used a logarithm in another base", "Use the natural log (log_softmax, torch.log)."
    if value < 0:
        return ("sign", f"a cross-entropy is never negative, you returned {value:.4f}",
                "The loss is minus the log of the right label's probability.")
    return ("value", f"{value:.4f} is not the mean cross-entropy of these logits and labels",
            "Take log_softmax of the logits, pick each row's column given by its label, negate, then average.")


@exercise("3.2", "the loss by hand")
def check_loss_by_hand(loss_by_hand, tokenizer, model):
    import torch

    for logits, labels in _loss_probes(probes.fresh(), tokenizer, model):
        shape = f"{tuple(logits.shape)} logits"
        answer = call_learner(loss_by_hand, logits.clone(), labels.clone(), part=f"loss_by_hand on {shape}")
        if isinstance(answer, str):
            raise Wrong("a number", "loss_by_hand returned a string", "Return the number itself, not its text.")
        count = answer.numel() if hasattr(answer, "numel") else int(np.size(answer))
        if count > 1:
            raise Wrong("one number", f"loss_by_hand returned {count} numbers, one per example",
                        "Average the per-example losses so the result is a single value.")
        try:
            value = float(answer)
        except (TypeError, ValueError):
            raise Wrong("a number", f"loss_by_hand returned {type(answer).__name__}, expected one number",
                        "Return a float: float(tensor) or tensor.item().") from None
        truth = float(torch.nn.functional.cross_entropy(logits, labels))
        if not np.isclose(value, truth, rtol=1e-4, atol=1e-4):
            raise Wrong(*_loss_mistake(value, logits, labels))
    expect(True, "mean cross-entropy on new logits, two and four labels")


def _attention_picks(rng, layers, heads):
    """Three (layer, head) pairs: one that a swapped index could still read, one from the end of the stack."""
    small = min(layers, heads)
    layer = rng.randrange(small)
    swap_trap = (layer, rng.choice([h for h in range(small) if h != layer]))
    return [swap_trap, (rng.randrange(layers), rng.randrange(heads)), (-1, rng.randrange(heads))]


def _map_mistake(array, layer, head, attentions):
    truth = attentions[layer][0, head].numpy()
    if np.allclose(array, truth.T, atol=1e-5):
        return "the map is transposed", "Row i is where token i looks: return attentions[layer][0, head] as it is."
    if np.allclose(array, attentions[layer][0].mean(0).numpy(), atol=1e-5):
        return "that is the average over the heads", "Pick one head: attentions[layer][0, head]."
    swappable = 0 <= head < len(attentions) and 0 <= layer < attentions[0].shape[1]
    if swappable and np.allclose(array, attentions[head][0, layer].numpy(), atol=1e-5):
        return (f"that is layer {head}, head {layer}: the two indices are swapped",
                "Index the layer first, then the sentence, then the head.")
    return ("the values differ from the model's map for that layer and head",
            "attentions[layer] has shape (batch, heads, tokens, tokens): take [0, head] of it.")


@exercise("3.3", "one attention map")
def check_attention_map(attention_map, tokenizer, eager_model):
    rng = probes.fresh()
    text = probes.sentences(rng, 1)[0]
    attentions = _model_outputs(tokenizer, eager_model, [text], output_attentions=True).attentions
    if not attentions:
        raise Wrong("eager model", "the model passed to the check returns no attention maps",
                    "Pass the model loaded with attn_implementation='eager'.")
    n_tokens = len(tokenizer(text)["input_ids"])
    picks = _attention_picks(rng, len(attentions), attentions[0].shape[1])
    for layer, head in picks:
        answer = call_learner(attention_map, text, layer, head, part=f"attention_map(text, {layer}, {head})")
        if answer is None or isinstance(answer, (tuple, list)) and not answer:
            raise Wrong("maps returned", f"attention_map returned {brief(answer)}",
                        "With the default SDPA attention, output_attentions gives nothing: use the eager model.")
        array = np.asarray(answer.detach() if hasattr(answer, "detach") else answer, dtype=float)
        if array.shape != (n_tokens, n_tokens):
            raise Wrong("shape", f"layer {layer}, head {head}: shape {array.shape}, expected ({n_tokens}, {n_tokens}) "
                        f"for a text of {n_tokens} tokens",
                        "Index attentions[layer][0, head]: first the layer, then sentence 0, then the head.")
        if not np.allclose(array, attentions[layer][0, head].numpy(), atol=1e-5):
            raise Wrong(f"layer {layer}, head {head}", *_map_mistake(array, layer, head, attentions))
    expect(True, f"{len(picks)} maps of a new sentence")
