"""The text-generation stand-in: a small GPT-2 trained from scratch on the course's generated everyday-English
stories, scored by held-out perplexity against a unigram baseline and by how many generated words are English."""

from __future__ import annotations

import math
import re
from collections import Counter
from pathlib import Path

from . import BuildResult, Recipe
from .common import quiet_library
from .generative import UNK, data_digest, one_thread, save, train_steps, train_tokenizer

END = "<|endoftext|>"  # GPT-2's one special token: it starts and ends every text
FULL = dict(train=4000, heldout=300, vocab=1200, n_embd=128, layers=2, steps=100, batch=16, lr=2e-3)
TINY = dict(train=120, heldout=12, vocab=300, n_embd=32, layers=1, steps=6, batch=8, lr=1e-3)
WORD = re.compile(r"[A-Za-z]+")


def english_words(texts) -> set[str]:
    """Every word of the corpus, lower-cased: what "reads as English" means for a model trained on it."""
    return {w.lower() for text in texts for w in WORD.findall(text)}


def word_validity(texts, vocabulary: set[str]) -> float:
    words = [w.lower() for text in texts for w in WORD.findall(text)]
    return sum(w in vocabulary for w in words) / max(1, len(words))


def _encode(tokenizer, texts: list[str], max_length: int) -> list[list[int]]:
    """Token ids of each text between two end markers, as GPT-2 sees documents."""
    return [ids[: max_length - 1] + [tokenizer.eos_token_id]
            for ids in tokenizer(texts, truncation=True, max_length=max_length)["input_ids"]]


def _batches(rows: list[list[int]], *, batch_size: int, seed: int, pad_id: int):
    import torch

    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []

    def batch(step: int):
        nonlocal order
        if len(order) < batch_size:
            order += torch.randperm(len(rows), generator=generator).tolist()
        picked, order = [rows[i] for i in order[:batch_size]], order[batch_size:]
        width = max(len(r) for r in picked)
        input_ids = torch.tensor([r + [pad_id] * (width - len(r)) for r in picked])
        labels = torch.tensor([r + [-100] * (width - len(r)) for r in picked])
        mask = (labels != -100).long()
        return {"input_ids": input_ids, "attention_mask": mask, "labels": labels}

    return batch


def heldout_perplexity(model, rows: list[list[int]]) -> float:
    """exp(mean negative log-likelihood) over every predicted token of the held-out texts."""
    import torch

    total, count = 0.0, 0
    with torch.no_grad():
        for row in rows:
            ids = torch.tensor([row])
            loss = model(input_ids=ids, labels=ids).loss.item()
            total += loss * (len(row) - 1)
            count += len(row) - 1
    return math.exp(total / count)


def unigram_perplexity(train_rows: list[list[int]], heldout_rows: list[list[int]], vocab_size: int) -> float:
    """The baseline: each token predicted from its training frequency alone (add-one smoothing)."""
    counts = Counter(t for row in train_rows for t in row[1:])
    total = sum(counts.values()) + vocab_size
    targets = [t for row in heldout_rows for t in row[1:]]
    nll = -sum(math.log((counts[t] + 1) / total) for t in targets) / len(targets)
    return math.exp(nll)


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import torch
    from transformers import GPT2Config, GPT2LMHeadModel, set_seed

    from ...data import stories

    size = TINY if tiny else FULL
    train = stories.stories(size["train"], seed=seed)
    heldout = stories.stories(size["heldout"], seed=seed + 1, heldout=True)
    with quiet_library(), one_thread():
        set_seed(seed)
        tokenizer = train_tokenizer(train, vocab_size=size["vocab"], special_tokens=[END, UNK], add_bos=END,
                                    model_max_length=192,
                                    token_roles=dict(bos_token=END, eos_token=END, pad_token=END, unk_token=UNK))
        # Like GPT-2, no pad id in the config (its one special token starts every text, which would look like
        # padding to the model's checks); generate() pads finished rows with the end token.
        config = GPT2Config(vocab_size=len(tokenizer), n_positions=192, n_embd=size["n_embd"],
                            n_layer=size["layers"], n_head=4, bos_token_id=tokenizer.bos_token_id,
                            eos_token_id=tokenizer.eos_token_id)
        model = GPT2LMHeadModel(config)
        model.generation_config.pad_token_id = tokenizer.eos_token_id
        model.generation_config.max_new_tokens = 40
        train_rows, heldout_rows = _encode(tokenizer, train, 192), _encode(tokenizer, heldout, 192)
        batches = _batches(train_rows, batch_size=size["batch"], seed=seed, pad_id=tokenizer.pad_token_id)
        losses = train_steps(model, batches, steps=size["steps"], lr=size["lr"], seed=seed, quiet=quiet,
                             label="text-generation")
        perplexity = heldout_perplexity(model, heldout_rows)
        baseline = unigram_perplexity(train_rows, heldout_rows, len(tokenizer))
        # Sampled continuations of held-out openings: the words they use should be the corpus's English words.
        prompts = [" ".join(text.split()[:6]) for text in heldout[:20]]
        torch.manual_seed(seed)
        samples = []
        for prompt in prompts:
            inputs = tokenizer(prompt, return_tensors="pt")
            out = model.generate(**inputs, do_sample=True, top_k=40, temperature=0.8, max_new_tokens=30)
            samples.append(tokenizer.decode(out[0, inputs["input_ids"].shape[1]:], skip_special_tokens=True))
        validity = word_validity(samples, english_words(train + heldout))
        save(model, tokenizer, out_dir)

    return BuildResult(
        metrics={"perplexity": round(perplexity, 3), "unigram_perplexity": round(baseline, 2),
                 "english_word_rate": round(validity, 4), "heldout_size": len(heldout), "train_size": len(train),
                 "parameters": model.num_parameters(),
                 "final_train_loss": round(sum(losses[-20:]) / len(losses[-20:]), 4)},
        data_name="course_utils/data/stories.py (everyday-English stories generated by the course, Apache-2.0)",
        data_sha256=data_digest(*train, *heldout),
    )


TEXT_GENERATION = Recipe(
    name="text-generation-gpt2-stories",
    version=2,
    summary="a small GPT-2 trained from scratch on short everyday-English stories that the course generates",
    base_model="none (trained from scratch; GPT2LMHeadModel architecture, as distilbert/distilgpt2)",
    seed=42,
    estimate_seconds=30,
    disk_mb=20,
    score_key="perplexity",
    train=_train,
)
