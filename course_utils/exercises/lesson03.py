"""Checks for lesson 03 (models): predicting by hand, the loss by hand, one attention map."""

import numpy as np

from ..checks import Wrong, call_learner, exercise, expect

PROBE_TEXTS = [
    "The hotel room was spotless and the staff were kind.",
    "Three hours of my life I will never get back.",
    "It arrived on time.",
]
PROBE_LABELS = [1, 1, 0]  # the second label is deliberately wrong, so the loss is not tiny

PROBE_ATTENTION = ("Bidirectional encoders read the whole sentence at once.", [(0, 3), (2, 7), (-1, 0)])


def _model_outputs(tokenizer, model, texts, **kwargs):
    import torch

    encoded = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
    with torch.no_grad():
        return model(**encoded, **kwargs)


@exercise("3.1", "predict by hand")
def check_predict(predict, tokenizer, model):
    answer = call_learner(predict, PROBE_TEXTS, part="predict(texts)")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(PROBE_TEXTS):
        raise Wrong("one pair per text", f"expected a list of {len(PROBE_TEXTS)} (label, probability) pairs, "
                    f"got {type(answer).__name__}" + (f" of length {len(answer)}" if hasattr(answer, '__len__') else ""),
                    "Return a list with one (label, probability) tuple per input text.")
    if not all(isinstance(pair, (list, tuple)) and len(pair) == 2 for pair in answer):
        raise Wrong("pairs", f"the items are not (label, probability) pairs: {answer[0]!r}",
                    "Build each item as (model.config.id2label[index], probability).")
    probs = _model_outputs(tokenizer, model, PROBE_TEXTS).logits.softmax(dim=-1)
    truth = [(model.config.id2label[int(row.argmax())], float(row.max())) for row in probs]
    labels, scores = [p[0] for p in answer], [p[1] for p in answer]
    expect(labels == [t[0] for t in truth], "labels", f"the model says {[t[0] for t in truth]}, you said {labels}",
           "Take the argmax of each row and look it up in model.config.id2label.")
    try:
        numbers = [float(s) for s in scores]
    except (TypeError, ValueError):
        raise Wrong("probabilities", f"the probabilities are not numbers: {scores!r}",
                    "Turn a one-element tensor into a float with float(...) or .item().") from None
    if all(not 0.0 <= s <= 1.0 for s in numbers):
        raise Wrong("probabilities", f"{numbers} are not probabilities (they should lie between 0 and 1)",
                    "Apply softmax to the logits first.")
    expect(np.allclose(numbers, [t[1] for t in truth], atol=1e-4), "probabilities",
           f"the model gives {[round(t[1], 4) for t in truth]}, you gave {[round(s, 4) for s in numbers]}",
           "Use the softmax probability of the predicted label, and pad the batch so all texts go through together.")


@exercise("3.2", "the loss by hand")
def check_loss_by_hand(loss_by_hand, tokenizer, model):
    import torch

    labels = torch.tensor(PROBE_LABELS)
    outputs = _model_outputs(tokenizer, model, PROBE_TEXTS, labels=labels)
    answer = call_learner(loss_by_hand, outputs.logits.clone(), labels.clone(), part="loss_by_hand(logits, labels)")
    try:
        value = float(answer)
    except (TypeError, ValueError):
        raise Wrong("a number", f"loss_by_hand returned {type(answer).__name__}, expected one number",
                    "Average over the batch so the result is a single value.") from None
    truth = float(outputs.loss)
    per_example = -outputs.logits.log_softmax(dim=-1)[torch.arange(len(labels)), labels]
    if np.isclose(value, float(per_example.sum()), atol=1e-4) and len(labels) > 1:
        raise Wrong("mean", f"you returned the sum {value:.4f}; the model's loss is the mean, {truth:.4f}",
                    "Divide by the batch size (use .mean()).")
    expect(value >= 0, "sign", f"a cross-entropy is never negative, you returned {value:.4f}",
           "The loss is minus the log of the right label's probability.")
    expect(np.isclose(value, truth, atol=1e-4), "value", f"the model's loss on new sentences is {truth:.4f}, yours {value:.4f}",
           "Take log_softmax of the logits, pick the column of each row's label, negate, then average.")


@exercise("3.3", "one attention map")
def check_attention_map(attention_map, tokenizer, eager_model):
    text, picks = PROBE_ATTENTION
    attentions = _model_outputs(tokenizer, eager_model, [text], output_attentions=True).attentions
    if not attentions:
        raise Wrong("eager model", "the model passed to the check returns no attention maps",
                    "Pass the model loaded with attn_implementation='eager'.")
    n_tokens = len(tokenizer(text)["input_ids"])
    for layer, head in picks:
        answer = call_learner(attention_map, text, layer, head, part=f"attention_map(text, {layer}, {head})")
        if answer is None:
            raise Wrong("maps returned", "attention_map returned None",
                        "With the default SDPA attention, output_attentions gives nothing: use the eager model.")
        array = np.asarray(answer.detach() if hasattr(answer, "detach") else answer, dtype=float)
        if array.shape != (n_tokens, n_tokens):
            raise Wrong("shape", f"layer {layer}, head {head}: shape {array.shape}, expected ({n_tokens}, {n_tokens}) "
                        f"for a text of {n_tokens} tokens",
                        "Index attentions[layer][0, head]: first the layer, then sentence 0, then the head.")
        truth = attentions[layer][0, head].numpy()
        expect(np.allclose(array, truth, atol=1e-5), f"layer {layer}, head {head}",
               "the values differ from the model's map for that layer and head",
               "Check the order of the indices: attentions[layer] has shape (batch, heads, tokens, tokens).")
