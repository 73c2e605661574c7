"""The role registry: each role the lessons use maps to a Hub checkpoint and to an offline model.

`checkpoint(role)` is the one call a lesson makes: a Hub id in hub mode, a local folder offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import CourseError
from .modes import activate


@dataclass(frozen=True)
class Role:
    name: str
    hub_id: str
    task: str  # the pipeline task (or model class) the lessons use it with
    description: str
    recipe: str | None = None  # a shelf recipe that trains the offline stand-in
    packaged: Callable[[], Path] | None = None  # or: a real model an installed package ships


def _packaged_minilm() -> Path:
    from .shelf.recipes.common import minilm_path

    return minilm_path()


# One block per family; lessons name roles, never checkpoints.
_TEXT_ROLES = (
    Role(
        name="sentiment",
        hub_id="distilbert/distilbert-base-uncased-finetuned-sst-2-english",
        task="sentiment-analysis",
        description="English sentence -> POSITIVE or NEGATIVE",
        recipe="sentiment-minilm",
    ),
    Role(
        name="feature-extraction",
        hub_id="sentence-transformers/all-MiniLM-L6-v2",
        task="feature-extraction",
        description="English sentence -> one 384-number vector per token (the real all-MiniLM-L6-v2)",
        packaged=_packaged_minilm,
    ),
    Role(
        name="fill-mask",
        hub_id="google-bert/bert-base-uncased",
        task="fill-mask",
        description="sentence with a [MASK] -> the most likely words for the gap",
        recipe="mlm-minilm",
    ),
    Role(
        name="ner",
        hub_id="dslim/bert-base-NER",
        task="ner",
        description="sentence -> the people (PER), organisations (ORG), places (LOC) and other names (MISC) in it",
        recipe="ner-minilm",
    ),
    Role(
        name="zero-shot",
        hub_id="facebook/bart-large-mnli",
        task="zero-shot-classification",
        description="sentence + candidate labels of your choice -> the labels ranked (an NLI model underneath)",
        recipe="nli-minilm",
    ),
    Role(
        name="question-answering",
        hub_id="distilbert/distilbert-base-cased-distilled-squad",
        task="AutoModelForQuestionAnswering",
        description="question + context -> the span of the context that answers it",
        recipe="qa-minilm",
    ),
    Role(
        name="summarization",
        hub_id="sshleifer/distilbart-cnn-12-6",
        task="AutoModelForSeq2SeqLM",
        description="a news report -> a one-sentence summary, written token by token (encoder-decoder)",
        recipe="summarization-bart-reports",
    ),
    Role(
        name="translation",
        hub_id="Helsinki-NLP/opus-mt-fr-en",
        task="AutoModelForSeq2SeqLM",
        description="a French sentence -> its English translation (offline: a mini-language of a few hundred words)",
        recipe="translation-marian-minifrench",
    ),
    Role(
        name="text-generation",
        hub_id="distilbert/distilgpt2",
        task="text-generation",
        description="the start of a text -> a continuation, one token at a time (decoder only)",
        recipe="text-generation-gpt2-stories",
    ),
)
_VISION_ROLES = (
    Role(
        name="image-classification",
        hub_id="google/vit-base-patch16-224",
        task="image-classification",
        description="image -> one of its classes (the Hub ViT: 1000 ImageNet classes; offline: 12 coloured shapes)",
        recipe="vit-shapes",
    ),
    Role(
        name="clip",
        hub_id="openai/clip-vit-base-patch32",
        task="zero-shot-image-classification",
        description="image + texts -> how well each text matches the image (two towers, one shared space)",
        recipe="clip-shapes",
    ),
    Role(
        name="blip-captioning",
        hub_id="Salesforce/blip-image-captioning-base",
        task="BlipForConditionalGeneration",
        description="image -> a caption, written token by token",
        recipe="blip-captioning-shapes",
    ),
    Role(
        name="blip-retrieval",
        hub_id="Salesforce/blip-itm-base-coco",
        task="BlipForImageTextRetrieval",
        description="image + text -> does the text describe the image (matching head) and their similarity",
        recipe="blip-retrieval-shapes",
    ),
)
ROLES: dict[str, Role] = {role.name: role for role in (*_TEXT_ROLES, *_VISION_ROLES)}


def roles() -> list[str]:
    return list(ROLES)


def get_role(name: str) -> Role:
    try:
        return ROLES[name]
    except (KeyError, TypeError):
        raise CourseError(f"{name!r} is not a role this course knows; the roles are: {', '.join(ROLES)}.") from None


def roles_in_notebook(path: Path) -> list[str]:
    """The roles a lesson asks for in its `lesson_setup(...)` call, in order."""
    import json
    import re

    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    source = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    call = re.search(r"lesson_setup\(([^)]*)\)", source)
    return [name for name in re.findall(r"[\"']([\w-]+)[\"']", call.group(1)) if name in ROLES] if call else []


def recipe_for(role: Role):
    from .shelf.recipes import get_recipe

    return get_recipe(role.recipe)


def trained_roles() -> list[str]:
    """The roles whose offline model is a stand-in the shelf builds."""
    return [name for name, role in ROLES.items() if role.recipe]


_shelf = None


def course_shelf():
    """The shelf COURSE_SHELF names (or the per-user cache), with a recipe for every trained role."""
    global _shelf
    from .shelf import Shelf, shelf_root
    from .shelf.recipes import by_role

    if _shelf is None or _shelf.root != shelf_root():
        _shelf = Shelf(shelf_root(), by_role({name: ROLES[name].recipe for name in trained_roles()}))
    return _shelf


def offline_location(name: str) -> Path:
    """The local folder for a role, building its stand-in on the shelf if needed."""
    role = get_role(name)
    if role.packaged is not None:
        return role.packaged()
    return course_shelf().ensure(role.name)


def checkpoint(name: str) -> str:
    """What to pass as `model=` / to `from_pretrained` for this role, in the current mode."""
    role = get_role(name)
    if activate().mode == "hub":
        return role.hub_id
    return str(offline_location(role.name))


@dataclass(frozen=True)
class Resolution:
    """Where a role resolved and what answers there, for banners and tables."""

    role: str
    mode: str
    kind: str  # "Hub", "stand-in" or "real model"
    location: str
    state: str  # "ready", "missing", "corrupt", "stale" (offline), or "Hub"
    score: str = ""
    size_bytes: int = 0


def resolve(name: str, *, build: bool = False, mode: str | None = None) -> Resolution:
    """Describe where `name` resolves (in `mode`, default the current one); build=True builds a missing stand-in."""
    role = get_role(name)
    mode = mode or activate().mode
    if mode == "hub":
        return Resolution(role.name, mode, "Hub", role.hub_id, "Hub")
    if role.packaged is not None:
        path = role.packaged()
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return Resolution(role.name, mode, "real model", str(path), "ready", "pretrained (packaged)", size)
    from .shelf.store import score_text

    shelf = course_shelf()
    if build:
        shelf.ensure(role.name)
    status = shelf.status(role.name)
    return Resolution(role.name, mode, "stand-in", str(status.path), status.state,
                      score_text(shelf.recipe(role.name), status.manifest), shelf.size_bytes(role.name))
