"""Checks for lesson 08 (BERT): filling a [MASK] by hand, a word's contextual vector, mean pooling.

Probes are new each run (held-out sentences and facts from the course's generators, random padded batches), and
the messages say what kind of mistake was made, never what the model answered.
"""

import random
import re

from ..checks import Wrong, brief, call_by_hand, call_learner, exercise, expect, require_type
from ..data import everyday, facts
from .probes import clearest, fresh

MIN_MARGIN = 0.3  # logits between the model's first and second guess, so a correct answer never hinges on rounding


def _as_tensor(value, part):
    import torch

    if not isinstance(value, torch.Tensor):
        raise Wrong(part, f"expected a torch tensor, got {type(value).__name__}",
                    "Keep working with torch tensors; do not convert to a list or an array.")
    return value.detach().float()


def _mask_logits(model, tokenizer, sentence):
    """The logits at every position, and the [MASK]'s position."""
    import torch

    encoded = tokenizer(sentence, return_tensors="pt")
    with torch.no_grad():
        logits = model(**encoded).logits[0]
    return logits, int((encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0])


def _masked_probes(unmasker, rng: random.Random, count: int = 4):
    """Held-out sentences with one word masked, where the model's first guess clearly beats its second (the
    clearest found, if too few do), and whose first guesses are not all the same word, so no constant passes."""
    tokenizer = unmasker.tokenizer
    candidates, seen = [], set()
    for sentence in everyday.everyday_sentences("heldout", 80, rng.randrange(10**9)):
        words = [w for w in re.findall(r"[A-Za-z]{3,}", sentence) if len(tokenizer.tokenize(w)) == 1]
        if not words or sentence in seen:
            continue
        seen.add(sentence)
        masked = re.sub(rf"\b{rng.choice(words)}\b", tokenizer.mask_token, sentence, count=1)
        logits, where = _mask_logits(unmasker.model, tokenizer, masked)
        best = logits[where].topk(2)
        candidates.append((float(best.values[0] - best.values[1]), (masked, logits, where, int(best.indices[0]))))
        clear = [item for margin, item in candidates if margin >= MIN_MARGIN]
        if len(clear) >= count and len({item[3] for item in clear[:count]}) > 1:
            break
    chosen = clearest(candidates, count, MIN_MARGIN, differ=lambda item: item[3])
    return [(masked, logits, where) for masked, logits, where, _ in chosen]


def _word_problem(answer, truth, logits, where, tokenizer):
    """Why `answer` is not the model's first guess at `where`, in words that do not give the guess away."""
    def word(token_id):
        return tokenizer.decode([int(token_id)]).strip()

    if answer.strip().lower() == truth:
        return "the word has capitals the model did not write", "Return tokenizer.decode(token_id) as it comes."
    if answer.strip() in [word(i) for i in logits[where].topk(5).indices[1:]]:
        return ("your word is one of the model's next few guesses for the gap, not its first",
                "Take the argmax of the logits at the [MASK] position (the largest score, not the second).")
    if answer.strip() in {word(logits[i].argmax()) for i in range(len(logits)) if i != where}:
        return ("your word is the model's guess for another position of the sentence, not for the [MASK]",
                "Find the position where input_ids equals tokenizer.mask_token_id and read the logits there.")
    return ("your word is not the model's most likely word for the gap",
            "Find the [MASK] position in input_ids, take the argmax of the logits there, decode it.")


@exercise("8.1", "fill the gap by hand")
def check_top_guess(top_guess, unmasker):
    probes = _masked_probes(unmasker, fresh())
    answers = []
    for number, (sentence, logits, where) in enumerate(probes, start=1):
        answer = call_by_hand(top_guess, sentence, part=f"top_guess on new sentence {number}", name="no pipeline",
                              hint="Use mlm_tokenizer and mlm directly: tokenize, run the model, read the logits.")
        answers.append(require_type(answer, str, "top_guess", "the word as a string",
                                    "Decode the id with the highest score: tokenizer.decode(token_id)."))
    truths = [unmasker.tokenizer.decode([int(l[w].argmax())]).strip() for _, l, w in probes]
    if len(set(answers)) == 1 and len(set(truths)) > 1:
        raise Wrong("a word for each sentence", f"you returned {brief(answers[0])} for every sentence",
                    "Read the logits of the sentence you were given, at its [MASK] position.")
    for number, ((sentence, logits, where), answer, truth) in enumerate(zip(probes, answers, truths), start=1):
        right = answer.strip() == truth
        message, hint = ("", "") if right else _word_problem(answer, truth, logits, where, unmasker.tokenizer)
        expect(right, f"new sentence {number}: {sentence!r}", message, hint)


def _vector_probes(tokenizer, rng: random.Random):
    """(sentence, word) pairs from held-out facts, lower case: one word that splits into several tokens (when the
    facts have one) and two that do not."""
    split, whole = [], []
    for row in facts.qa_examples("heldout", 12, seed=rng.randrange(10**9)):
        sentence = row["context"].lower()
        words = [w for w in re.findall(r"(?<![\w'])[a-z]+(?![\w'])", sentence) if sentence.count(w) == 1]
        for word in words:
            (split if len(tokenizer.tokenize(word)) > 1 else whole).append((sentence, word))
    return rng.sample(split, min(1, len(split))) + rng.sample(whole, min(2, len(whole)))


def _vector_problem(answer, hidden, positions, word, part):
    """Which usual mistake `answer` matches, as (part, message, hint)."""
    import torch

    def near(vector):
        return torch.allclose(answer, vector, atol=1e-4)

    if len(positions) > 1 and (near(hidden[positions[0]]) or near(hidden[positions[-1]])):
        return (f"all pieces of {word!r}", f"{word!r} has {len(positions)} tokens and you used only one of them",
                "Find every token whose offsets fall inside the word, then average their vectors.")
    if near(hidden[positions].sum(dim=0)):
        return f"the mean for {word!r}", "you added the token vectors up", "Average them: .mean(dim=0)."
    if near(hidden.mean(dim=0)) or near(hidden[1:-1].mean(dim=0)):
        return f"only the tokens of {word!r}", "you averaged the whole sentence", "Average only the word's tokens."
    return (part, "it differs from the mean of the word's final-layer token vectors",
            "Use last_hidden_state (the final layer) and the offsets to find the word's tokens.")


@exercise("8.2", "a word's contextual vector")
def check_word_vector(word_vector, tokenizer, encoder):
    import torch

    hidden_size = encoder.config.hidden_size
    for sentence, word in _vector_probes(tokenizer, fresh()):
        answer = _as_tensor(call_learner(word_vector, sentence, word, part=f"word_vector(..., {word!r})"), word)
        if answer.shape != (hidden_size,):
            raise Wrong(f"shape for {word!r}", f"shape {tuple(answer.shape)}, expected ({hidden_size},)",
                        "Average over the word's token positions only (dim=0 of a (tokens, hidden) tensor).")
        start = sentence.index(word)
        encoded = tokenizer(sentence, return_tensors="pt", return_offsets_mapping=True)
        offsets = encoded.pop("offset_mapping")[0].tolist()
        positions = [i for i, (s, e) in enumerate(offsets) if s >= start and e <= start + len(word) and e > s]
        with torch.no_grad():
            hidden = encoder(**encoded).last_hidden_state[0]
        part = f"{word!r} ({len(positions)} token{'s' * (len(positions) > 1)})"
        if torch.allclose(answer, hidden[positions].mean(dim=0), atol=1e-4):
            expect(True, part)
        else:
            expect(False, *_vector_problem(answer, hidden, positions, word, part))


def _padded_cases(tokenizer, encoder, rng: random.Random):
    """A right-padded batch of new sentences through the encoder, and random vectors padded on the left."""
    import torch

    sentences = everyday.everyday_sentences("heldout", 3, seed=rng.randrange(10**9))
    sentences[rng.randrange(3)] = rng.choice(["Yes.", "Thanks!", "Good morning."])
    batch = tokenizer(sentences, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    generator = torch.Generator().manual_seed(rng.randrange(10**9))
    rows, tokens = rng.randint(3, 5), rng.randint(6, 9)
    lengths = [tokens] + [rng.randint(1, tokens - 1) for _ in range(rows - 1)]
    left = torch.tensor([[0] * (tokens - n) + [1] * n for n in lengths])
    return [("a padded batch of new sentences", hidden, batch["attention_mask"]),
            ("random vectors padded on the left", torch.randn(rows, tokens, rng.randint(5, 8), generator=generator),
             left)]


def _pool_problem(answer, hidden, mask, part):
    """Which usual mistake `answer` matches, as (part, message, hint)."""
    import torch

    weights = mask.unsqueeze(-1).float()
    if torch.allclose(answer, hidden.mean(dim=1), atol=1e-5):
        return (f"padding ignored on {part}", "you averaged over the padding positions too",
                "Multiply by the attention mask, sum, and divide by the number of real tokens.")
    if torch.allclose(answer, (hidden * weights).sum(dim=1), atol=1e-4):
        return (f"a mean on {part}", "you summed the real tokens without dividing",
                "Divide by the number of real tokens per row.")
    if torch.allclose(answer, hidden[:, 0], atol=1e-5):
        return (f"a mean on {part}", "that is the first token's vector, not a mean",
                "Average over the token dimension (dim=1).")
    return (part, "the pooled vectors differ from the mean of the real tokens",
            "sum(hidden * mask, dim=1) / sum(mask, dim=1), with the mask shaped (batch, tokens, 1); padding can be "
            "on either side.")


@exercise("8.3", "mean pooling")
def check_mean_pool(mean_pool, tokenizer, encoder):
    import torch

    for part, hidden, mask in _padded_cases(tokenizer, encoder, fresh()):
        given = (hidden.clone(), mask.clone())
        answer = _as_tensor(call_learner(mean_pool, *given, part=f"mean_pool on {part}"), part)
        if answer.shape != (hidden.shape[0], hidden.shape[-1]):
            expected = (hidden.shape[0], hidden.shape[-1])
            raise Wrong(f"shape on {part}", f"shape {tuple(answer.shape)}, expected {expected}",
                        "Average over the token dimension (dim=1), keeping one row per sentence.")
        if not (torch.equal(given[0], hidden) and torch.equal(given[1], mask)):
            raise Wrong(f"inputs left alone on {part}", "your function changed the tensors it was given, in place",
                        "Use out-of-place operations (a * b, not a *= b), so last_hidden_state stays usable.")
        weights = mask.unsqueeze(-1).float()
        if torch.allclose(answer, (hidden * weights).sum(dim=1) / weights.sum(dim=1), atol=1e-4):
            expect(True, part)
        else:
            expect(False, *_pool_problem(answer, hidden, mask, part))
