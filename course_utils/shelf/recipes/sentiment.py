"""The sentiment stand-in: the real MiniLM body with a new classification head, fine-tuned on the course's reviews."""

from __future__ import annotations

from . import MINILM, BuildContext, BuildResult, Recipe
from .common import data_digest, finetune_minilm, save_minilm, training_session

LABELS = ("NEGATIVE", "POSITIVE")  # the same ids as the Hub's distilbert sst-2 model
HELDOUT_FRACTION = 0.2


def split_reviews(rows: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """A held-out split stratified by label and domain, fixed by the seed."""
    from sklearn.model_selection import train_test_split

    strata = [f"{r['label']}/{r['domain']}" for r in rows]
    train, heldout = train_test_split(rows, test_size=HELDOUT_FRACTION, random_state=seed, stratify=strata)
    return train, heldout


def _train(context: BuildContext) -> BuildResult:
    import numpy as np
    from datasets import Dataset
    from transformers import AutoModelForSequenceClassification, DataCollatorWithPadding

    from ...data import data_path, load_reviews

    train_rows, heldout_rows = split_reviews(load_reviews(), context.seed)
    if context.tiny:
        train_rows, heldout_rows = train_rows[:32], heldout_rows[:16]
    label2id = {name: i for i, name in enumerate(LABELS)}

    def encode(tokenizer, rows=train_rows):
        encoded = tokenizer([r["text"] for r in rows], truncation=True, max_length=96)
        return Dataset.from_dict({**encoded, "labels": [label2id[r["label"]] for r in rows]})

    with training_session(context):
        model, tokenizer = finetune_minilm(
            context, AutoModelForSequenceClassification, encode, DataCollatorWithPadding, freeze_words=False,
            head=dict(num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=label2id),
            num_train_epochs=1 if context.tiny else 4, per_device_train_batch_size=16, learning_rate=6e-5,
            weight_decay=0.01, warmup_steps=0.1)
        accuracy = float(np.mean(predict_labels(tokenizer, model, [r["text"] for r in heldout_rows])
                                 == np.array([label2id[r["label"]] for r in heldout_rows])))
        save_minilm(model, tokenizer, context.out_dir)

    return BuildResult(
        metrics={"accuracy": round(accuracy, 4), "heldout_size": len(heldout_rows), "train_size": len(train_rows)},
        data_name="course_utils/data/reviews.jsonl",
        data_sha256=data_digest(data_path("reviews.jsonl").read_text(encoding="utf-8")),
    )


def predict_labels(tokenizer, model, texts: list[str], batch_size: int = 64):
    """The label id the model gives each text."""
    import numpy as np
    import torch

    predicted = []
    for first in range(0, len(texts), batch_size):
        batch = tokenizer(texts[first:first + batch_size], truncation=True, max_length=96, padding=True,
                          return_tensors="pt")
        with torch.no_grad():
            predicted.append(model(**batch).logits.argmax(-1).numpy())
    return np.concatenate(predicted)


SENTIMENT = Recipe(
    "sentiment-minilm", 3, _train, "accuracy", estimate_seconds=45, disk_mb=90, base_model=MINILM,
    summary="all-MiniLM-L6-v2 + a new POSITIVE/NEGATIVE head, fine-tuned with Trainer on the course's reviews")
