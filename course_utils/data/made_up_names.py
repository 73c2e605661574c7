"""Made-up person and place names built from syllables, split stably into a training and a held-out set.

Thousands of distinct names teach a model to copy a name it has never seen instead of memorising a short list.
"""

from __future__ import annotations

import random
import zlib

SYLLABLES = ["ka", "lo", "mi", "ra", "ten", "vor", "bel", "dun", "sa", "ri", "no", "mar", "lin", "tos", "ga",
             "fe", "ru", "del", "an", "ko", "ze", "pa", "lu", "ser", "vi", "ho", "ne", "tam", "bo", "ris", "ol",
             "cha", "di", "mo", "len", "ju", "ba", "te", "wen", "es"]
SURNAME_ENDINGS = ["", "", "son", "ski", "er", "ez", "ov", "ani", "berg", "well"]
PLACE_ENDINGS = ["ford", "ton", "bridge", "wick", "by", "ham", "field", "mouth", "dale", "stead", "ville", "port"]


def _word(rng: random.Random, parts: int, ending: str = "") -> str:
    return ("".join(rng.choice(SYLLABLES) for _ in range(parts)) + ending).capitalize()


def _heldout(name: str) -> bool:
    return zlib.crc32(name.encode()) % 5 == 0


def _pick(rng: random.Random, make, heldout: bool) -> str:
    while True:
        name = make()
        if _heldout(name) == heldout:
            return name


def first_name(rng: random.Random, *, heldout: bool = False) -> str:
    return _pick(rng, lambda: _word(rng, rng.choice([2, 2, 3])), heldout)


def surname(rng: random.Random, *, heldout: bool = False) -> str:
    return _pick(rng, lambda: _word(rng, rng.choice([1, 2, 2]), rng.choice(SURNAME_ENDINGS)), heldout)


def place(rng: random.Random, *, heldout: bool = False) -> str:
    return _pick(rng, lambda: _word(rng, rng.choice([1, 2]), rng.choice(PLACE_ENDINGS)), heldout)
