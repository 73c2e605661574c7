"""Recipes: the code that builds each stand-in model from data the course ships."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable


@dataclass(frozen=True)
class BuildResult:
    metrics: dict  # held-out figures, recorded in the manifest
    data_name: str
    data_sha256: str


@dataclass(frozen=True)
class Recipe:
    name: str
    version: int
    summary: str  # one line: what is built from what
    base_model: str
    seed: int
    estimate_seconds: int
    disk_mb: int
    score_key: str  # the held-out metric `course shelf list` shows
    train: Callable[..., BuildResult]
    starts_from: str | None = None  # the role whose stand-in this one is trained from, built first

    def build(self, out_dir: Path, scratch: Path, *, seed: int, quiet: bool = False, tiny: bool = False) -> BuildResult:
        return self.train(out_dir, scratch, seed=seed, quiet=quiet, tiny=tiny)


# recipe name -> "module:attribute", imported only when that recipe is needed.
# Keep one block per family so that each family's recipes are added in one place.
RECIPES: dict[str, str] = {
    # text, on the MiniLM body
    "sentiment-minilm": "sentiment:SENTIMENT",
    "mlm-minilm": "fill_mask:FILL_MASK",
    "ner-minilm": "ner:NER",
    "nli-minilm": "zero_shot:ZERO_SHOT",
    "qa-minilm": "question_answering:QUESTION_ANSWERING",
    # text, encoder-decoders and decoders
    "summarization-bart-reports": "summarization:SUMMARIZATION",
    "translation-marian-minifrench": "translation:TRANSLATION",
    "text-generation-gpt2-stories": "text_generation:TEXT_GENERATION",
    # vision and vision-language
    "vit-shapes": "vit:VIT",
    "clip-shapes": "clip:CLIP",
    "blip-captioning-shapes": "blip_captioning:BLIP_CAPTIONING",
    "blip-retrieval-shapes": "blip_retrieval:BLIP_RETRIEVAL",
}


def get_recipe(name: str) -> Recipe:
    from importlib import import_module

    module, attribute = RECIPES[name].split(":")
    return getattr(import_module(f"{__name__}.{module}"), attribute)
