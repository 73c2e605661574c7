"""Small datasets the course ships, so no lesson or recipe downloads data."""

from __future__ import annotations

import json
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
