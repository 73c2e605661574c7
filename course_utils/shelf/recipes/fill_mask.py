"""The fill-mask stand-in: the first three layers of the real MiniLM with a masked-LM head, taught WordNet's English.

all-MiniLM-L6-v2 was trained for sentence similarity and no longer predicts [MASK]; a short masked-LM run
on plain English teaches it again. The English is general, not the course's own: WordNet 3.0's usage
examples and its definitions of common words (see `course_utils.data.wordnet_examples`), with some of the
course's generated text so that the lessons' sentences stay familiar. What makes a pass over about 30,000 texts
fit a few minutes on a laptop: half of MiniLM's layers (as DistilBERT kept half of BERT's), batches of texts of
like length, frozen word vectors, and a loss that scores each masked word only against the words the corpus has.
"""

from __future__ import annotations

import random
from collections import Counter

from . import MINILM, BuildContext, BuildResult, Recipe
from .common import (data_digest, freeze_word_embeddings, minilm_path, round_word_embeddings_to_half, save_minilm,
                     training_session)
from .training import fit, recent_loss

LAYERS = 3
EXAMPLE_TEXTS = 22000  # WordNet's usage examples: short sentences of everyday English
DEFINITION_TEXTS = 5000  # WordNet's definitions of common words as sentences ("Paris is the capital ... of France.")
COURSE_TEXTS = 3000  # the course's everyday corpus, topic, entity and QA sentences and reviews
HELDOUT_TEXTS = 1000
EPOCHS = 1
BATCH_SIZE = 32
MAX_LENGTH = 64
MASK_SHARE = 0.4  # far more than BERT's 15%: more words to learn from per step, at almost no extra cost
BODY_LR, HEAD_LR = 5e-4, 3e-3  # the head starts from scratch; the body must relearn to predict words
UNSEEN_WORD_BIAS = -30.0  # the output bias of a word the corpus never has: it is never among the guesses


def training_texts(examples: int, definitions: int, course: int, seed: int) -> list[str]:
    """WordNet's usage examples and definitions (training synsets only) and the course's own everyday corpus."""
    from ...data import wordnet_examples
    from ...data.everyday import corpus

    texts = wordnet_examples.usage_examples("train", examples, seed)
    texts += wordnet_examples.definitions("train", definitions, seed)
    texts += corpus("train", course, seed)
    random.Random(seed).shuffle(texts)
    return texts


def recipe_texts(seed: int, tiny: bool) -> tuple[list[str], list[str], list[str]]:
    """The training texts; the held-out WordNet usage examples (from synsets training never reads) that score the
    model; and the course's own held-out sentences, the set versions up to 4 were scored on (a second figure)."""
    from ...data import wordnet_examples
    from ...data.everyday import corpus

    sizes = (64, 16, 16, 40) if tiny else (EXAMPLE_TEXTS, DEFINITION_TEXTS, COURSE_TEXTS, HELDOUT_TEXTS)
    return (training_texts(*sizes[:3], seed), wordnet_examples.usage_examples("heldout", sizes[3], seed),
            corpus("heldout", sizes[3], seed))


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
        rows = torch.arange(len(chunk))
        positions = torch.tensor([position for _, position, _ in chunk])
        with torch.no_grad():
            hidden = model.base_model(**batch).last_hidden_state
            # The head runs on the masked positions only: the rest of the sentence needs no guesses.
            logits = model.cls(hidden[rows, positions])
        for guesses, (_, _, answer) in zip(logits.topk(5).indices.tolist(), chunk):
            hits += int(answer in guesses)
    return hits, len(cases)


def restrict_to_corpus_words(model, encoded: list[list[int]], special_ids=()):
    """The corpus's token ids, and each token's index among them (-100 for the rest); every other token's output bias
    (special tokens such as [CLS] included) is set so low that it is never guessed, and a corpus word's bias starts at
    its log frequency (less the mean), so the first steps already guess common words rather than arbitrary ones.

    A full softmax would push the other words down too, but it would score each masked word against all 30522
    words at every step; the corpus's words are about half of them.
    """
    import torch

    counts = Counter(token for ids in encoded for token in ids if token not in set(special_ids))
    words = torch.tensor(sorted(counts))
    log_counts = torch.tensor([float(counts[int(word)]) for word in words]).log()
    bias = model.cls.predictions.decoder.bias
    with torch.no_grad():
        bias.fill_(UNSEEN_WORD_BIAS)
        bias[words] = log_counts - log_counts.mean()
    word_index = torch.full((bias.shape[0],), -100)
    word_index[words] = torch.arange(len(words))
    return words, word_index


def masked_word_loss(model, tokenizer, encoded: list[list[int]], seed: int):
    """(the number of steps, a function step -> the loss of that step's masked words against the corpus's words)."""
    import torch
    from transformers import DataCollatorForLanguageModeling

    batches = length_grouped_batches([len(ids) for ids in encoded], BATCH_SIZE, EPOCHS, seed)
    collator = DataCollatorForLanguageModeling(tokenizer, mlm_probability=MASK_SHARE)
    # The collator's own `seed=` refuses to run in any process but the main one (a shelf build runs in a worker);
    # handing it a seeded generator gives the same masks wherever it runs.
    collator.generator = torch.Generator().manual_seed(seed)
    words, word_index = restrict_to_corpus_words(model, encoded, tokenizer.all_special_ids)
    predictions = model.cls.predictions

    def loss_for_step(step: int):
        batch = collator([{"input_ids": encoded[i]} for i in batches[step]])
        labels = batch.pop("labels")
        hidden = model.bert(**batch).last_hidden_state
        masked = labels != -100
        logits = torch.nn.functional.linear(predictions.transform(hidden[masked]),
                                            predictions.decoder.weight[words], predictions.decoder.bias[words])
        return torch.nn.functional.cross_entropy(logits, word_index[labels[masked]])

    return len(batches), loss_for_step, len(words)


def _train(context: BuildContext) -> BuildResult:
    from transformers import AutoModelForMaskedLM, AutoTokenizer

    from ...data.wordnet_examples import SOURCE

    train_texts, heldout_texts, course_heldout_texts = recipe_texts(context.seed, context.tiny)
    with training_session(context):
        tokenizer = AutoTokenizer.from_pretrained(minilm_path())
        model = AutoModelForMaskedLM.from_pretrained(minilm_path(), num_hidden_layers=LAYERS)
        encoded = [tokenizer(text, truncation=True, max_length=MAX_LENGTH)["input_ids"] for text in train_texts]
        steps, loss_for_step, corpus_words = masked_word_loss(model, tokenizer, encoded, context.seed)
        freeze_word_embeddings(model)
        head = [p for name, p in model.named_parameters() if name.startswith("cls.") and p.requires_grad]
        body = [p for name, p in model.named_parameters() if not name.startswith("cls.") and p.requires_grad]
        losses = fit(model, loss_for_step, steps, lr=BODY_LR, quiet=context.quiet, desc="masked-LM warm-up",
                     warmup=0.1, param_groups=[{"params": body, "lr": BODY_LR}, {"params": head, "lr": HEAD_LR}],
                     betas=(0.9, 0.999), clip=None)
        round_word_embeddings_to_half(model)
        hits, total = top5_hits(tokenizer, model, heldout_texts, context.seed)
        course_hits, course_total = top5_hits(tokenizer, model, course_heldout_texts, context.seed)
        save_minilm(model, tokenizer, context.out_dir)

    metrics = {"top5_accuracy": round(hits / total, 4), "heldout_size": total,
               "course_top5_accuracy": round(course_hits / course_total, 4), "course_heldout_size": course_total,
               "train_texts": len(train_texts), "epochs": EPOCHS, "layers": LAYERS, "corpus_words": corpus_words,
               "final_train_loss": recent_loss(losses)}
    return BuildResult(metrics, f"{SOURCE['name']} from {SOURCE['package']}, {SOURCE['licence']}; course_utils/data "
                                "(generated everyday English, topics, entities, QA, reviews)",
                       data_digest(train_texts, heldout_texts, course_heldout_texts))


FILL_MASK = Recipe(
    "mlm-minilm", 6, _train, "top5_accuracy", estimate_seconds=140, disk_mb=60, base_model=MINILM,
    summary="the first 3 of all-MiniLM-L6-v2's 6 layers + a masked-LM head, trained on WordNet's English examples")
