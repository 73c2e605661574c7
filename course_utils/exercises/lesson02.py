"""Checks for lesson 02 (tokenizers): counting tokens, finding [UNK] with offsets, decoding a padded batch."""

from ..checks import Wrong, brief, call_learner, exercise, expect, require_type
from . import probes


def _count_probes(rng):
    from ..data.made_up_names import first_name, place

    texts = probes.sentences(rng, 3)
    texts.append(probes.with_symbols(rng, probes.sentences(rng, 1)[0], 1))
    texts.append(rng.choice([first_name(rng, heldout=True), place(rng, heldout=True)]))
    rng.shuffle(texts)
    return texts


def _count_mistake(texts, answers, truth, special):
    """(part, message, hint) for a wrong list of counts, matched to the mistake it shows."""
    if answers == [t - special for t in truth]:
        return ("special tokens", f"each of your counts is {special} short of what the model receives",
                "tokenize() leaves out [CLS] and [SEP]; count the input_ids of tokenizer(text) instead.")
    if answers == [len(t.split()) for t in texts]:
        return ("tokens, not words", "you counted words",
                "Rare words become several pieces and punctuation is a token: count tokenizer(text)['input_ids'].")
    if answers == [len(t) for t in texts]:
        return ("tokens, not characters", "you counted characters",
                "Count the ids the tokenizer makes: len(tokenizer(text)['input_ids']).")
    misses = [(text, a, t) for text, a, t in zip(texts, answers, truth) if a != t]
    text, answer, right = misses[0]
    return ("counts", f"{len(misses)} of {len(texts)} counts are off; for {brief(text)} you said {answer}, which is "
            f"too {'few' if answer < right else 'many'}",
            "Count the input_ids of tokenizer(text), special tokens included; words are not tokens.")


@exercise("2.1", "count tokens")
def check_count_tokens(count_tokens, tokenizer):
    texts = _count_probes(probes.fresh())
    answers = [call_learner(count_tokens, text, part=f"count_tokens({brief(text)})") for text in texts]
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in answers):
        raise Wrong("type", f"count_tokens returned {brief([type(a).__name__ for a in answers])}, "
                    "expected whole numbers", "Return len(...) of the input_ids, an int.")
    truth = [len(tokenizer(text)["input_ids"]) for text in texts]
    if answers == truth:
        expect(True, f"counts for {len(texts)} new texts")
    else:
        expect(False, *_count_mistake(texts, answers, truth, tokenizer.num_special_tokens_to_add(pair=False)))


def _unknown_pieces(tokenizer, text):
    encoded = tokenizer(text, return_offsets_mapping=True)
    return [text[s:e] for i, (s, e) in zip(encoded["input_ids"], encoded["offset_mapping"])
            if i == tokenizer.unk_token_id]


def _unknown_probes(rng, tokenizer):
    """New sentences with odd characters, alone or glued to words (one of them sure to be glued, one sure to hold a
    character the vocabulary knows, one with two different pieces, so order matters), plus one with none unknown."""
    for _ in range(probes.MAX_DRAWS):
        plain, *others = probes.sentences(rng, 4)
        texts = [probes.with_symbols(rng, s, rng.randint(1, 3), glued=i == 0, known=i == 1)
                 for i, s in enumerate(others)]
        texts.insert(rng.randrange(len(texts) + 1), plain)
        cases = [(text, _unknown_pieces(tokenizer, text)) for text in texts]
        if any(len(set(pieces)) > 1 for _, pieces in cases):
            break
    return cases


def _unknown_mistake(tokenizer, text, answer, truth):
    """(message, hint) for one wrong list of pieces, matched to the mistake it shows."""
    if answer == [tokenizer.unk_token] * len(truth):
        return (f"you returned the token {tokenizer.unk_token!r}, not the text it hides",
                "Slice the original text with each [UNK] token's (start, end) offsets.")
    if answer == [c for c in text if not c.isascii()]:
        return ("you listed the characters that are not plain ASCII",
                "The vocabulary knows some of those (é, ½), and a symbol glued to a word turns the whole word into "
                "one [UNK]: use the offsets of the [UNK] tokens.")
    if sorted(answer) == sorted(truth):
        return "the right pieces, in another order", "List them in the order they appear in the text."
    return (f"for {brief(text)} you returned {brief(answer)}; the tokenizer made {len(truth)} [UNK] token(s) there",
            "Ask for return_offsets_mapping=True and keep text[start:end] where the id is tokenizer.unk_token_id.")


@exercise("2.2", "find the [UNK] pieces")
def check_find_unknown(find_unknown, tokenizer):
    cases = _unknown_probes(probes.fresh(), tokenizer)
    for text, truth in cases:
        answer = call_learner(find_unknown, text, part=f"find_unknown({brief(text)})")
        require_type(answer, (list, tuple), "find_unknown", "a list of strings",
                     "Collect text[start:end] for each [UNK] token into a list.")
        if list(answer) != truth:
            raise Wrong("pieces", *_unknown_mistake(tokenizer, text, list(answer), truth))
    expect(True, f"[UNK] pieces of {len(cases)} new texts")


def _batch_probes(rng):
    from ..data.made_up_names import first_name

    texts = probes.sentences(rng, 3)
    texts.insert(rng.randrange(4), f"{first_name(rng, heldout=True)} {rng.choice(['waved.', 'agreed.', 'slept.'])}")
    return texts


def _plain(text) -> str:
    return " ".join(str(text).split())


@exercise("2.3", "decode a padded batch")
def check_texts_from_batch(texts_from_batch, tokenizer):
    batch = tokenizer(_batch_probes(probes.fresh()), padding=True, return_tensors="pt")
    answer = call_learner(texts_from_batch, batch, part="texts_from_batch(batch)")
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        raise Wrong("type", f"texts_from_batch returned {type(answer).__name__}, expected a list with one string "
                    "per row", "batch_decode decodes every row at once and returns a list.")
    truth = tokenizer.batch_decode(batch["input_ids"], skip_special_tokens=True)
    if len(answer) != len(truth):
        raise Wrong("one string per row", f"{len(answer)} strings for a batch of {len(truth)} rows",
                    "Decode each row of batch['input_ids'] (batch_decode does them all).")
    leftovers = sorted({t for t in tokenizer.all_special_tokens for s in answer if t in str(s)})
    if leftovers:
        raise Wrong("no special tokens", f"the text still contains {leftovers}",
                    "Pass skip_special_tokens=True when decoding.")
    wrong = [i for i, (a, t) in enumerate(zip(answer, truth)) if _plain(a) != _plain(t)]
    expect(not wrong, "text of each row", f"rows {wrong} do not read as the text their ids encode",
           "Decode batch['input_ids'] row by row, in order: tokenizer.batch_decode(..., skip_special_tokens=True).")
