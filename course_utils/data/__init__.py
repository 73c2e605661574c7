"""Small datasets the course ships, so no lesson or recipe downloads data.

Every text generator here is called the same way, `generator(split, count, seed)`, where split is "train" or
"heldout": held-out rows come from wording, names or combinations the training rows never use.
"""

from __future__ import annotations

import json
import random
from importlib import resources
from pathlib import Path


def data_path(name: str) -> Path:
    return Path(str(resources.files(__package__) / name))


def load_jsonl(name: str) -> list[dict]:
    with open(data_path(name), encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def load_reviews() -> list[dict]:
    """Short product, film, restaurant, app, book and travel reviews labelled POSITIVE or NEGATIVE."""
    return load_jsonl("reviews.jsonl")


SPLITS = ("train", "heldout")


def split_rng(generator: str, split: str, seed: int) -> random.Random:
    """The random stream of one generator's split: a different one for each (generator, split, seed)."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    return random.Random(f"{generator}-{split}-{seed}")
