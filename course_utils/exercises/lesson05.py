"""Checks for lesson 05 (fine-tuning): finding a model's mistakes, and beating the baseline run."""

from ..checks import Wrong, call_learner, exercise, expect

# New reviews, written for the check; several carry little topic on purpose, so most models make some mistakes.
PROBE_REVIEWS = [
    ("The waiter recommended a lovely risotto.", "restaurant"),
    ("Battery drain doubled after installing it.", "app"),
    ("The sequel somehow has even less plot.", "film"),
    ("Our guide knew every corner of the old town.", "travel"),
    ("Worth every penny.", "travel"),
    ("I gave up after ten minutes.", "film"),
    ("It keeps logging me out.", "app"),
    ("Cold, and it took an hour to arrive.", "restaurant"),
]


def _probe_dataset(tokenizer, names):
    from datasets import ClassLabel, Dataset, Features, Value

    features = Features({"text": Value("string"), "label": ClassLabel(names=list(names))})
    table = Dataset.from_dict({"text": [t for t, _ in PROBE_REVIEWS], "label": [names.index(n) for _, n in PROBE_REVIEWS]},
                              features=features)
    return table.map(lambda b: tokenizer(b["text"], truncation=True, max_length=64), batched=True)


def _label_names(trainer):
    config = trainer.model.config
    return [config.id2label[i] for i in range(config.num_labels)]


@exercise("5.1", "find the mistakes")
def check_find_mistakes(find_mistakes, trainer, tokenizer):
    names = _label_names(trainer)
    dataset = _probe_dataset(tokenizer, names)
    answer = call_learner(find_mistakes, trainer, dataset, part="find_mistakes(trainer, dataset)")
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Wrong("type", f"find_mistakes returned {type(answer).__name__}, expected a list of tuples",
                    "Return a list of (text, true_label, predicted_label) tuples.")
    answer = list(answer)
    if not all(isinstance(item, (list, tuple)) and len(item) == 3 for item in answer):
        raise Wrong("tuples", f"each item should be (text, true_label, predicted_label); got {answer[:1]!r}",
                    "Build each item as (text, names[true], names[predicted]).")
    output = trainer.predict(dataset)
    predicted = output.predictions.argmax(axis=-1)
    truth = [(text, names[t], names[p]) for text, t, p in zip(dataset["text"], output.label_ids, predicted) if t != p]
    if any(not isinstance(item[1], str) or not isinstance(item[2], str) for item in answer):
        raise Wrong("label names", "the labels should be names such as 'film', not ids",
                    "Look the ids up in the label names (names[i] or model.config.id2label[i]).")
    answer = [tuple(item) for item in answer]
    expect({item[0] for item in answer} == {item[0] for item in truth}, "which reviews",
           f"the model gets {len(truth)} of {len(PROBE_REVIEWS)} new reviews wrong; you listed {len(answer)}, "
           f"{len({a[0] for a in answer} & {t[0] for t in truth})} of them among its mistakes",
           "Keep a row when the argmax of its logits differs from its label id.")
    expect(sorted(answer) == sorted(truth), "labels in each tuple",
           "some tuples have the true and predicted labels wrong or swapped",
           "Order: (text, true label name, predicted label name).")


SETTINGS_THAT_ARE_NOT_HYPERPARAMETERS = {"output_dir", "eval_strategy", "report_to", "save_strategy",
                                         "per_device_eval_batch_size", "logging_steps"}


def _accuracy(trainer, dataset) -> float:
    output = trainer.predict(dataset)
    return float((output.predictions.argmax(axis=-1) == output.label_ids).mean())


@exercise("5.2", "beat the baseline")
def check_beat_baseline(changes, better, baseline, eval_dataset):
    from transformers import Trainer, TrainingArguments

    if not isinstance(changes, dict) or not changes:
        raise Wrong("changes", f"changes should be a non-empty dict of settings, got {changes!r}",
                    "For example {'num_train_epochs': 2}.")
    valid = set(TrainingArguments.__dataclass_fields__)
    unknown = sorted(set(changes) - valid)
    if unknown:
        raise Wrong("setting names", f"{unknown} are not TrainingArguments settings",
                    "Check the spelling against TrainingArguments (for example learning_rate, num_train_epochs).")
    cosmetic = sorted(set(changes) & SETTINGS_THAT_ARE_NOT_HYPERPARAMETERS)
    expect(not cosmetic, "a hyper-parameter", f"{cosmetic} change how the run is reported, not how the model learns",
           "Change a setting of the optimisation: learning_rate, num_train_epochs, per_device_train_batch_size...")
    expect(len(changes) <= 2, "one or two changes", f"you changed {len(changes)} settings",
           "Change one or two settings, so you can tell which one helped.")
    if better is ... or not isinstance(better, Trainer):
        raise Wrong("trained", "there is no trained model to evaluate", "Run the cell that calls train_with(changes).")
    base_score, new_score = _accuracy(baseline, eval_dataset), _accuracy(better, eval_dataset)
    expect(new_score > base_score, "beats the baseline",
           f"accuracy {new_score:.3f} on the held-out reviews, the baseline has {base_score:.3f}",
           "The baseline's loss barely moved: the head needs bigger or more steps (learning rate, epochs).")
