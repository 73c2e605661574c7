"""Checks for lesson 05 (fine-tuning): finding a model's mistakes, and beating the baseline run."""

from ..checks import Wrong, brief, call_learner, exercise, expect
from . import probes

REVIEWS_PER_CHECK = 10


def _label_names(trainer):
    config = trainer.model.config
    return [config.id2label[i] for i in range(config.num_labels)]


def _topic_reviews(rng, names):
    """New reviews of known topic: one shipped review of a topic, or two of the same topic joined."""
    from ..data import load_reviews

    by_topic = {name: [r["text"] for r in load_reviews() if r["domain"] == name] for name in names}
    rows = []
    for _ in range(REVIEWS_PER_CHECK):
        topic = rng.choice(names)
        texts = rng.sample(by_topic[topic], rng.choice([1, 2]))
        rows.append((" ".join(t.rstrip() for t in texts), topic))
    return rows


def _probe_dataset(tokenizer, names, rows):
    """A tokenized dataset like the lesson's `encoded["test"]`, made without `map` (whose bar would clutter)."""
    from datasets import ClassLabel, Dataset, Features, Sequence, Value

    texts = [text for text, _ in rows]
    encoded = tokenizer(texts, truncation=True, max_length=64)
    columns = {"text": texts, "label": [names.index(topic) for _, topic in rows], **encoded}
    features = Features({"text": Value("string"), "label": ClassLabel(names=list(names)),
                         **{key: Sequence(Value("int64")) for key in encoded}})
    return Dataset.from_dict(columns, features=features)


def _mistakes(trainer, dataset, names):
    output = trainer.predict(dataset)
    predicted = output.predictions.argmax(axis=-1)
    return [(text, names[t], names[p]) for text, t, p in zip(dataset["text"], output.label_ids, predicted) if t != p]


def _probe_with_mistakes(trainer, tokenizer, names, rng):
    """New reviews of which the model gets some right and some wrong, when it can be found."""
    for _ in range(probes.MAX_DRAWS):
        dataset = _probe_dataset(tokenizer, names, _topic_reviews(rng, names))
        truth = _mistakes(trainer, dataset, names)
        if 0 < len(truth) < len(dataset):
            break
    return dataset, truth


def _mistakes_mistake(answer, truth, dataset):
    """(part, message, hint) for a wrong list of mistakes, matched to the mistake it shows."""
    listed, wrong = {item[0] for item in answer}, {item[0] for item in truth}
    if sorted((t, p, r) for t, r, p in answer) == sorted(truth):
        return ("labels in each tuple", "the true and predicted labels are swapped",
                "Order: (text, true label name, predicted label name).")
    if listed == set(dataset["text"]) - wrong and listed:
        return ("which reviews", "you listed the reviews the model gets right",
                "Keep a row when its predicted id differs from its label id (!=).")
    if listed == wrong:
        return ("labels in each tuple", "the right reviews, but some labels in the tuples are wrong",
                "Take the true id from label_ids and the predicted one from the argmax of predictions, then names[id].")
    return ("which reviews", f"the model gets {len(truth)} of {len(dataset)} new reviews wrong; you listed "
            f"{len(listed)}, {len(listed & wrong)} of them among its mistakes",
            "Keep a row when the argmax of its logits differs from its label id, and keep texts and ids aligned.")


@exercise("5.1", "find the mistakes")
def check_find_mistakes(find_mistakes, trainer, tokenizer):
    names = _label_names(trainer)
    dataset, truth = _probe_with_mistakes(trainer, tokenizer, names, probes.fresh())
    answer = call_learner(find_mistakes, trainer, dataset, part="find_mistakes(trainer, dataset)")
    if isinstance(answer, str) or not hasattr(answer, "__iter__"):
        raise Wrong("type", f"find_mistakes returned {type(answer).__name__}, expected a list of tuples",
                    "Return a list of (text, true_label, predicted_label) tuples.")
    answer = list(answer)
    if not all(isinstance(item, (list, tuple)) and len(item) == 3 for item in answer):
        raise Wrong("tuples", f"each item should be (text, true_label, predicted_label); got {brief(answer[:1])}",
                    "Build each item as (text, names[true], names[predicted]).")
    if any(not isinstance(item[1], str) or not isinstance(item[2], str) for item in answer):
        raise Wrong("label names", "the labels should be names such as 'film', not ids",
                    "Look the ids up in the label names (names[i] or model.config.id2label[i]).")
    answer = [tuple(item) for item in answer]
    if sorted(answer) == sorted(truth):
        expect(True, f"the mistakes among {len(dataset)} new reviews")
    else:
        expect(False, *_mistakes_mistake(answer, truth, dataset))


NOT_HYPERPARAMETERS = {"output_dir", "eval_strategy", "report_to", "save_strategy", "per_device_eval_batch_size",
                       "logging_steps", "run_name", "disable_tqdm", "use_cpu", "eval_steps"}
NOT_HYPERPARAMETER_PREFIXES = ("logging_", "save_", "dataloader_", "hub_", "push_to_hub")
LUCK = {"seed", "data_seed", "full_determinism"}


def _learns(setting: str) -> bool:
    """Whether a TrainingArguments setting changes how the model learns, rather than how the run is reported."""
    return setting not in NOT_HYPERPARAMETERS and not setting.startswith(NOT_HYPERPARAMETER_PREFIXES)


def _accuracy(trainer, dataset) -> float:
    output = trainer.predict(dataset)
    return float((output.predictions.argmax(axis=-1) == output.label_ids).mean())


def _check_changes(changes):
    from transformers import TrainingArguments

    if not isinstance(changes, dict) or not changes:
        raise Wrong("changes", f"changes should be a non-empty dict of settings, got {brief(changes)}",
                    "For example {'num_train_epochs': 2}.")
    unknown = sorted(set(changes) - set(TrainingArguments.__dataclass_fields__))
    if unknown:
        raise Wrong("setting names", f"{unknown} are not TrainingArguments settings",
                    "Check the spelling against TrainingArguments (for example learning_rate, num_train_epochs).")
    cosmetic = sorted(k for k in changes if not _learns(k))
    expect(not cosmetic, "a hyper-parameter", f"{cosmetic} change how the run is reported, not how the model learns",
           "Change a setting of the optimisation: learning_rate, num_train_epochs, per_device_train_batch_size...")
    luck = sorted(set(changes) & LUCK)
    expect(not luck, "not luck", f"{luck} only draws another random start and order, which can win by chance",
           "Beat the baseline with a setting that changes how the model learns, whatever the seed.")
    expect(len(changes) <= 2, "one or two changes", f"you changed {len(changes)} settings",
           "Change one or two settings, so you can tell which one helped.")


def _check_trained_with_changes(changes, better, baseline):
    """`better` is a separate run of the baseline's data and settings, updated by `changes` and nothing else."""
    if better is baseline:
        raise Wrong("a new run", "`better` is the baseline trainer itself", "Use the trainer that train_with returns.")
    base, new = baseline.args.to_dict(), better.args.to_dict()
    effective = {key for key, value in changes.items() if base.get(key) != value}
    if not effective:
        raise Wrong("a change", f"your changes {brief(changes)} are the baseline's own settings",
                    "Pick values that differ from the baseline's (see baseline_settings).")
    differ = {key for key in base if base[key] != new.get(key) and _learns(key)}
    if differ != effective or any(new.get(key) != value for key, value in changes.items()):
        raise Wrong("trained with changes", "`better` was not trained with the baseline settings updated by "
                    f"`changes` (the settings in which the two runs differ: {sorted(differ)})",
                    "Run the cell `better = train_with(changes)` again after you edit `changes`.")
    same_data = getattr(better.train_dataset, "_fingerprint", 1) == getattr(baseline.train_dataset, "_fingerprint", 1)
    steps = better.state.global_step
    if not same_data or steps == 0 or steps != better.state.max_steps:
        raise Wrong("a full run", "`better` was not trained to the end on the baseline's training data",
                    "Let train_with(changes) finish; it trains on the same data as the baseline.")


@exercise("5.2", "beat the baseline")
def check_beat_baseline(changes, better, baseline, eval_dataset):
    from transformers import Trainer

    _check_changes(changes)
    if not isinstance(better, Trainer):
        raise Wrong("trained", "there is no trained model to evaluate", "Run the cell that calls train_with(changes).")
    _check_trained_with_changes(changes, better, baseline)
    base_score, new_score = _accuracy(baseline, eval_dataset), _accuracy(better, eval_dataset)
    expect(new_score > base_score, "beats the baseline",
           f"accuracy {new_score:.3f} on the held-out reviews, the baseline has {base_score:.3f}",
           "The baseline's loss barely moved: the head needs bigger or more steps (learning rate, epochs).")
