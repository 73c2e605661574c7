"""The extractive question-answering stand-in: the real MiniLM body with a span head, fine-tuned on generated facts."""

from __future__ import annotations

import re
import string

from . import MINILM, BuildContext, BuildResult, Recipe
from .common import data_digest, finetune_minilm, save_minilm, training_session

TRAIN_EXAMPLES = 1600
HELDOUT_EXAMPLES = 300
MAX_LENGTH = 128
MAX_ANSWER_TOKENS = 12


def _encode(tokenizer, rows: list[dict]) -> dict:
    """Question first, context second; the labels are the token positions where the answer starts and ends."""
    encoded = tokenizer([r["question"] for r in rows], [r["context"] for r in rows], truncation="only_second",
                        max_length=MAX_LENGTH, return_offsets_mapping=True)
    starts, ends = [], []
    for i, row in enumerate(rows):
        first, last = row["answer_start"], row["answer_start"] + len(row["answer"])
        start = end = 0  # [CLS]: the answer was cut off by truncation
        for position, ((a, b), part) in enumerate(zip(encoded["offset_mapping"][i], encoded.sequence_ids(i))):
            if part != 1:
                continue
            if a <= first < b:
                start = position
            if a < last <= b:
                end = position
        starts.append(start)
        ends.append(end)
    encoded.pop("offset_mapping")
    encoded["start_positions"], encoded["end_positions"] = starts, ends
    return encoded


def best_answers(tokenizer, model, rows: list[dict], batch_size: int = 32) -> list[str]:
    """The highest-scoring context span (start <= end, at most MAX_ANSWER_TOKENS long) for each question."""
    import torch

    answers = []
    model.eval()
    for first in range(0, len(rows), batch_size):
        chunk = rows[first:first + batch_size]
        batch = tokenizer([r["question"] for r in chunk], [r["context"] for r in chunk], truncation="only_second",
                          max_length=MAX_LENGTH, padding=True, return_offsets_mapping=True, return_tensors="pt")
        offsets = batch.pop("offset_mapping")
        with torch.no_grad():
            output = model(**batch)
        for i, row in enumerate(chunk):
            in_context = torch.tensor([part == 1 for part in batch.sequence_ids(i)])
            start_scores = output.start_logits[i].masked_fill(~in_context, float("-inf"))
            end_scores = output.end_logits[i].masked_fill(~in_context, float("-inf"))
            pair = start_scores[:, None] + end_scores[None, :]
            allowed = torch.triu(torch.ones_like(pair, dtype=torch.bool)) & ~torch.triu(
                torch.ones_like(pair, dtype=torch.bool), diagonal=MAX_ANSWER_TOKENS)
            best = int(pair.masked_fill(~allowed, float("-inf")).argmax())
            start, end = divmod(best, pair.shape[1])
            answers.append(row["context"][int(offsets[i, start, 0]):int(offsets[i, end, 1])])
    return answers


def normalise(text: str) -> str:
    """SQuAD's answer normalisation: lower case, no punctuation, no articles, single spaces."""
    text = "".join(ch for ch in text.lower() if ch not in string.punctuation)
    return " ".join(re.sub(r"\b(a|an|the)\b", " ", text).split())


def _train(context: BuildContext) -> BuildResult:
    from datasets import Dataset
    from transformers import AutoModelForQuestionAnswering, DataCollatorWithPadding

    from ...data.facts import qa_examples

    n_train, n_heldout = (48, 24) if context.tiny else (TRAIN_EXAMPLES, HELDOUT_EXAMPLES)
    train_rows = qa_examples("train", n_train, context.seed)
    heldout_rows = qa_examples("heldout", n_heldout, context.seed)

    with training_session(context):
        model, tokenizer = finetune_minilm(
            context, AutoModelForQuestionAnswering,
            lambda tokenizer: Dataset.from_dict(dict(_encode(tokenizer, train_rows))), DataCollatorWithPadding,
            num_train_epochs=1, per_device_train_batch_size=16, learning_rate=3e-4, weight_decay=0.01,
            warmup_steps=0.1)
        predicted = best_answers(tokenizer, model, heldout_rows)
        save_minilm(model, tokenizer, context.out_dir)

    exact = sum(normalise(p) == normalise(r["answer"]) for p, r in zip(predicted, heldout_rows))
    metrics = {"exact_match": round(exact / len(heldout_rows), 4), "heldout_size": len(heldout_rows),
               "train_size": len(train_rows)}
    return BuildResult(metrics, "course_utils/data/facts.py (generated contexts and questions)",
                       data_digest(train_rows, heldout_rows))


QUESTION_ANSWERING = Recipe(
    "qa-minilm", 2, _train, "exact_match", estimate_seconds=35, disk_mb=80, base_model=MINILM,
    summary="all-MiniLM-L6-v2 + a new answer-span head, fine-tuned on generated biographies and questions")
