"""The zero-shot stand-in: the real MiniLM body with an NLI head (entailment/neutral/contradiction).

The zero-shot-classification pipeline turns each candidate label into a hypothesis ("This example is {label}.")
and picks the label whose hypothesis the model finds most entailed, so labels never trained on still work.
"""

from __future__ import annotations

import random

from . import MINILM, BuildContext, BuildResult, Recipe
from .common import data_digest, finetune_minilm, save_minilm, training_session

LABELS = ("entailment", "neutral", "contradiction")
TRAIN_SENTENCES = 900
HELDOUT_SENTENCES = 440
CANDIDATES = 4  # the true label and three others, as a learner would offer them
PIPELINE_TEMPLATE = "This example is {}."


def nli_pairs(rows: list[dict], labels: list[str], hypotheses: list[str], seed: int) -> list[dict]:
    """Per sentence: its topic (entailment), another topic (contradiction), sometimes a same-topic statement (neutral)."""
    rng = random.Random(seed)
    by_topic: dict[str, list[str]] = {}
    for row in rows:
        by_topic.setdefault(row["label"], []).append(row["text"])
    pairs = []
    for row in rows:
        wrong = rng.choice([label for label in labels if label != row["label"]])
        pairs.append({"premise": row["text"], "hypothesis": rng.choice(hypotheses).format(row["label"]),
                      "label": "entailment"})
        pairs.append({"premise": row["text"], "hypothesis": rng.choice(hypotheses).format(wrong),
                      "label": "contradiction"})
        if rng.random() < 0.25:
            other = rng.choice(by_topic[row["label"]])
            if other != row["text"]:
                pairs.append({"premise": row["text"], "hypothesis": other, "label": "neutral"})
    return pairs


def candidate_sets(rows: list[dict], labels: list[str], seed: int) -> list[list[str]]:
    rng = random.Random(seed)
    sets = []
    for row in rows:
        options = rng.sample([label for label in labels if label != row["label"]], CANDIDATES - 1) + [row["label"]]
        rng.shuffle(options)
        sets.append(options)
    return sets


def choose(tokenizer, model, texts: list[str], candidates: list[list[str]], batch_size: int = 64) -> list[str]:
    """For each text, the candidate whose hypothesis gets the highest entailment logit (the pipeline's choice)."""
    import torch

    entail = model.config.label2id["entailment"]
    pairs = [(text, PIPELINE_TEMPLATE.format(label)) for text, options in zip(texts, candidates) for label in options]
    scores = []
    model.eval()
    for first in range(0, len(pairs), batch_size):
        chunk = pairs[first:first + batch_size]
        batch = tokenizer([p for p, _ in chunk], [h for _, h in chunk], padding=True, truncation=True,
                          return_tensors="pt")
        with torch.no_grad():
            scores += model(**batch).logits[:, entail].tolist()
    chosen, position = [], 0
    for options in candidates:
        best = max(range(len(options)), key=lambda k: scores[position + k])
        chosen.append(options[best])
        position += len(options)
    return chosen


def _train(context: BuildContext) -> BuildResult:
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding

    from ...data.topics import TRAIN_HYPOTHESES, TRAIN_TOPICS, UNSEEN_TOPICS, all_labels, topic_sentences

    n_train, n_heldout = (48, 44) if context.tiny else (TRAIN_SENTENCES, HELDOUT_SENTENCES)
    train_rows = topic_sentences("train", n_train, context.seed)
    heldout_rows = topic_sentences("heldout", n_heldout, context.seed)
    pairs = nli_pairs(train_rows, TRAIN_TOPICS, TRAIN_HYPOTHESES, context.seed)
    label2id = {name: i for i, name in enumerate(LABELS)}

    def encode(tokenizer):
        encoded = tokenizer([p["premise"] for p in pairs], [p["hypothesis"] for p in pairs], truncation=True,
                            max_length=96)
        return Dataset.from_dict({**encoded, "labels": [label2id[p["label"]] for p in pairs]})

    with training_session(context):
        model, tokenizer = finetune_minilm(
            context, AutoModelForSequenceClassification, encode, DataCollatorWithPadding,
            head=dict(num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=label2id),
            num_train_epochs=1, per_device_train_batch_size=32, learning_rate=1e-4, weight_decay=0.01,
            warmup_steps=0.1)
        candidates = candidate_sets(heldout_rows, all_labels(), context.seed)
        chosen = choose(tokenizer, model, [r["text"] for r in heldout_rows], candidates)
        save_minilm(model, tokenizer, context.out_dir)

    right = [c == r["label"] for c, r in zip(chosen, heldout_rows)]
    unseen = [ok for ok, r in zip(right, heldout_rows) if r["label"] in UNSEEN_TOPICS]
    metrics = {
        "accuracy": round(sum(right) / len(right), 4),
        "unseen_label_accuracy": round(sum(unseen) / len(unseen), 4) if unseen else None,
        "candidates_per_sentence": CANDIDATES,
        "heldout_size": len(heldout_rows),
        "train_pairs": len(pairs),
    }
    return BuildResult(metrics, "course_utils/data/topics.py (generated topic sentences)",
                       data_digest(pairs, heldout_rows, candidates))


ZERO_SHOT = Recipe(
    "nli-minilm", 2, _train, "accuracy", estimate_seconds=35, disk_mb=80, base_model=MINILM,
    summary="all-MiniLM-L6-v2 + a new entailment/neutral/contradiction head, fine-tuned on generated topic pairs")
