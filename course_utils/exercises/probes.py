"""Probe inputs for the checkers, drawn afresh on every run from the course's own data, so that no answer seen in
one check's feedback can be reused in the next."""

from __future__ import annotations

import random

# Symbols and emoji outside most vocabularies, and accented or typographic characters that BERT's uncased
# vocabulary does know: a check can tell "unknown to the tokenizer" from "not plain ASCII".
SYMBOLS = list("⚽⛔✈☀☂⌛♻⚡❄☎✉✂⚓♞♪𝄞") + list("🐙🦊🍕🚲🎈🎼💻☕🌵🧀🪁🛶🦉🍩🧲🎻🪴")
KNOWN_ODD = ["café", "naïve", "½", "★", "©", "€5", "résumé", "déjà vu"]
MAX_DRAWS = 10  # a checker redraws its probes until they can tell answers apart, but never waits forever on a model


def fresh() -> random.Random:
    """A generator seeded by the operating system: each run of a check draws new probes."""
    return random.Random()


def _seed(rng: random.Random) -> int:
    return rng.randrange(2**31)


def reviews(rng: random.Random, count: int) -> list[str]:
    """Short reviews: shipped ones, alone or two joined into a new, sometimes mixed, opinion."""
    from ..data import load_reviews

    pool = [r["text"] for r in load_reviews()]
    chosen = []
    while len(chosen) < count:
        text = rng.choice(pool)
        if rng.random() < 0.5:
            text = f"{text.rstrip()} {rng.choice(pool)}"
        if text not in chosen:
            chosen.append(text)
    return chosen


def sentences(rng: random.Random, count: int) -> list[str]:
    """Plain sentences of varied length: everyday English, topic news, and reports with made-up names."""
    from ..data.everyday import everyday_sentences
    from ..data.news_reports import report
    from ..data.topics import topic_sentences

    seed = _seed(rng)
    pool = everyday_sentences("heldout", count, seed) + [r["text"] for r in topic_sentences("heldout", count, seed)]
    pool += [report(rng, heldout=True, made_up=0.8)["document"].split(". ")[0] + "." for _ in range(count)]
    return rng.sample(pool, count)


def with_symbols(rng: random.Random, sentence: str, symbols: int, *, glued=False, known=False) -> str:
    """`sentence` with `symbols` odd characters added, alone or glued to a word (the first one glued if `glued`),
    and, if `known` (or by chance), a word with characters the vocabulary knows."""
    words = sentence.split()
    for count in range(symbols):
        at = rng.randrange(len(words))
        symbol = rng.choice(SYMBOLS) * rng.choice([1, 1, 2])
        places = [f"{words[at]}{symbol}", f"{symbol}{words[at]}"]
        words[at] = rng.choice(places if glued and count == 0 else [f"{symbol} {words[at]}", *places])
    if known or rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(KNOWN_ODD))
    return " ".join(words)
