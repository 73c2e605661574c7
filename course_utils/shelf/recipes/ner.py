"""The NER stand-in: the real MiniLM body with a token-classification head, fine-tuned on generated tagged sentences."""

from __future__ import annotations

from . import MINILM, BuildContext, BuildResult, Recipe
from .common import data_digest, finetune_minilm, save_minilm, training_session

TRAIN_SENTENCES = 2400
HELDOUT_SENTENCES = 400


def _align(tokenizer, rows: list[dict], label2id: dict[str, int], max_length: int = 64) -> dict:
    """Tokenize pre-split words; every sub-word of a name carries a label, so the pipeline can regroup them."""
    encoded = tokenizer([r["words"] for r in rows], is_split_into_words=True, truncation=True, max_length=max_length)
    labels = []
    for i, row in enumerate(rows):
        previous, ids = None, []
        for word in encoded.word_ids(i):
            if word is None:
                ids.append(-100)
            elif word != previous:
                ids.append(label2id[row["tags"][word]])
            else:
                tag = row["tags"][word]
                ids.append(label2id["I-" + tag[2:] if tag != "O" else "O"])
            previous = word
        labels.append(ids)
    encoded["labels"] = labels
    return encoded


def word_level_tags(tokenizer, model, rows: list[dict], id2label: dict[int, str], batch_size: int = 64):
    """The predicted tag of each word: the model's label for the word's first sub-word."""
    import torch

    predicted = []
    model.eval()
    for start in range(0, len(rows), batch_size):
        chunk = rows[start:start + batch_size]
        batch = tokenizer([r["words"] for r in chunk], is_split_into_words=True, padding=True, return_tensors="pt")
        with torch.no_grad():
            best = model(**batch).logits.argmax(-1)
        for i, row in enumerate(chunk):
            tags, seen = [], set()
            for position, word in enumerate(batch.word_ids(i)):
                if word is not None and word not in seen:
                    seen.add(word)
                    tags.append(id2label[int(best[i, position])])
            predicted.append(tags + ["O"] * (len(row["words"]) - len(tags)))
    return predicted


def _train(context: BuildContext) -> BuildResult:
    from datasets import Dataset
    from seqeval.metrics import f1_score, precision_score, recall_score
    from transformers import AutoModelForTokenClassification, DataCollatorForTokenClassification

    from ...data.entities import TAGS, tagged_sentences

    n_train, n_heldout = (64, 32) if context.tiny else (TRAIN_SENTENCES, HELDOUT_SENTENCES)
    train_rows = tagged_sentences("train", n_train, context.seed)
    heldout_rows = tagged_sentences("heldout", n_heldout, context.seed)
    label2id = {tag: i for i, tag in enumerate(TAGS)}
    id2label = dict(enumerate(TAGS))

    with training_session(context):
        model, tokenizer = finetune_minilm(
            context, AutoModelForTokenClassification,
            lambda tokenizer: Dataset.from_dict(dict(_align(tokenizer, train_rows, label2id))),
            DataCollatorForTokenClassification, head=dict(num_labels=len(TAGS), id2label=id2label, label2id=label2id),
            num_train_epochs=1, per_device_train_batch_size=32, learning_rate=3e-4, weight_decay=0.01,
            warmup_steps=0.1)
        predicted = word_level_tags(tokenizer, model, heldout_rows, id2label)
        gold = [r["tags"] for r in heldout_rows]
        save_minilm(model, tokenizer, context.out_dir)

    metrics = {
        "f1": round(float(f1_score(gold, predicted)), 4),
        "precision": round(float(precision_score(gold, predicted)), 4),
        "recall": round(float(recall_score(gold, predicted)), 4),
        "heldout_size": len(heldout_rows),
        "train_size": len(train_rows),
    }
    return BuildResult(metrics, "course_utils/data/entities.py (generated tagged sentences)",
                       data_digest(train_rows, heldout_rows))


NER = Recipe(
    "ner-minilm", 2, _train, "f1", estimate_seconds=30, disk_mb=80, base_model=MINILM,
    summary="all-MiniLM-L6-v2 + a new CoNLL token-classification head, fine-tuned on generated tagged sentences")
