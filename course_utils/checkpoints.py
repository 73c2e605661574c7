"""The role registry: each role the lessons use maps to a Hub checkpoint and to an offline model, and where each
role resolves in this process: the Hub, the Hugging Face cache, or the shelf.

`checkpoint(role)` is the one call a lesson makes: a Hub id when the Hub has it, else a local folder (the cached
real checkpoint, or the offline model). `on_hub(role)` says which, for cells that only make sense with the Hub.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import CourseError
from .modes import ModeDecision, activate, give_up_on_hub, hub_answer


@dataclass(frozen=True)
class Role:
    name: str
    hub_id: str
    task: str  # the pipeline task (or model class) the lessons use it with
    description: str
    recipe: str | None = None  # a shelf recipe that trains the offline stand-in
    packaged: Callable[[], Path] | None = None  # or: a real model an installed package ships

    @property
    def hub_only(self) -> bool:
        return self.recipe is None and self.packaged is None


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
# Models a few cells use only with the Hub: no stand-in, so their cells branch on on_hub(role).
_HUB_ONLY_ROLES = (
    Role(
        name="multilingual-sentiment",
        hub_id="nlptown/bert-base-multilingual-uncased-sentiment",
        task="sentiment-analysis",
        description="a review in one of six languages -> 1 to 5 stars",
    ),
    Role(
        name="distilbert",
        hub_id="distilbert/distilbert-base-uncased",
        task="DistilBertForSequenceClassification",
        description="the pretrained DistilBERT body (no task head), to put a new head on",
    ),
    Role(
        name="chat",
        hub_id="HuggingFaceTB/SmolLM2-135M-Instruct",
        task="text-generation",
        description="a conversation -> the assistant's next turn (a small chat model with a chat template)",
    ),
    Role(
        name="blip-vqa",
        hub_id="Salesforce/blip-vqa-base",
        task="BlipForQuestionAnswering",
        description="image + question -> a short answer, written token by token",
    ),
)
ROLES: dict[str, Role] = {role.name: role for role in (*_TEXT_ROLES, *_VISION_ROLES, *_HUB_ONLY_ROLES)}


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


@dataclass(frozen=True)
class Resolution:
    """Where a role resolved and what answers there, for banners and tables."""

    role: str
    mode: str
    kind: str  # "Hub", "cache" (the real checkpoint, downloaded before), "stand-in", "real model" (packaged), "none"
    location: str  # what checkpoint() returns: a Hub id or a folder ("" for none)
    state: str  # "Hub", "cached", "ready", "missing", "corrupt", "stale" (shelf), or "unavailable"
    score: str = ""
    size_bytes: int = 0
    why: str = ""  # why this role did not come from the Hub, when the process's own reason does not say
    metric: str = ""  # the held-out metric's name and value, for compact tables
    value: float | None = None


def _offline(role: Role, mode: str, build: bool, why: str = "") -> Resolution:
    if role.packaged is not None:
        path = role.packaged()
        size = sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return Resolution(role.name, mode, "real model", str(path), "ready", "pretrained (packaged)", size, why)
    if role.hub_only:
        return Resolution(role.name, mode, "none", "", "unavailable", why=why)
    from .shelf.store import score_text

    shelf = course_shelf()
    if build:
        shelf.ensure(role.name)
    status, recipe = shelf.status(role.name), shelf.recipe(role.name)
    value = (status.manifest or {}).get("heldout_metrics", {}).get(recipe.score_key)
    return Resolution(role.name, mode, "stand-in", str(status.path), status.state,
                      score_text(recipe, status.manifest), shelf.size_bytes(role.name), why,
                      recipe.score_key if value is not None else "", value)


def _download(role: Role, files) -> None:
    """Fetch a role's Hub checkpoint into the HF cache, saying so when it is not there already."""
    import time

    from .hubcache import cached_snapshot, fetch

    if cached_snapshot(role.hub_id) is not None:
        fetch(role.hub_id, files)  # a cheap check that the cached copy is the Hub's current one
        return
    started = time.monotonic()
    print(f"Downloading {role.hub_id}...", end="", flush=True)
    received = {}
    fetch(role.hub_id, files, report=lambda count, size: received.update(size=size))
    print(f" {received.get('size', 0) / 2**20:.1f} MB in {time.monotonic() - started:.0f} s.", flush=True)


def _from_hub(role: Role, decision: ModeDecision, build: bool) -> tuple[Resolution | None, str]:
    """The role from the Hub if it has it (downloaded now when `build`), else why not."""
    answer = hub_answer(role.hub_id)
    if answer.state != "hub":
        return None, answer.detail
    if build:
        from .hubcache import HubRefused, HubStalled

        try:
            _download(role, answer.files)
        except HubStalled as stall:
            print(flush=True)
            give_up_on_hub(str(stall))  # every later role would stall too (raises under COURSE_MODE=hub)
            print(textwrap.fill(f"{stall}; the rest of this lesson runs offline.", 100, break_on_hyphens=False))
            return None, str(stall)
        except HubRefused as refused:
            print(flush=True)
            if decision.requested == "hub":
                raise
            return None, str(refused)
    return Resolution(role.name, "hub", "Hub", role.hub_id, "Hub"), ""


def _resolve_now(role: Role, build: bool) -> Resolution:
    decision = activate()
    why = ""
    if decision.mode == "hub":
        found, why = _from_hub(role, decision, build)
        if found is not None:
            return found
        decision = activate()
    if decision.requested != "offline":  # COURSE_MODE=offline means the shelf, whatever the cache holds
        from .hubcache import cached_snapshot

        cached = cached_snapshot(role.hub_id)
        if cached is not None:
            return Resolution(role.name, decision.mode, "cache", str(cached), "cached", why=why)
    return _offline(role, decision.mode, build, why)


_resolved: dict[str, Resolution] = {}
_resolved_under: ModeDecision | None = None  # the decision those resolutions were made under


def _remembered() -> dict[str, Resolution]:
    global _resolved_under
    decision = activate()
    if _resolved_under is not decision:  # a new mode (or a Hub given up on) makes every earlier answer stale
        _resolved.clear()
        _resolved_under = decision
    return _resolved


def resolve(name: str, *, build: bool = False, mode: str | None = None) -> Resolution:
    """Where `name` resolves in this process: the Hub, else the HF cache, else the offline model.

    mode="offline" describes the offline side only (the shelf or the packaged model). build=True makes the answer
    usable: it downloads a Hub checkpoint or builds a missing stand-in, and is remembered for the process."""
    role = get_role(name)
    if mode == "offline":
        return _offline(role, "offline", build)
    if name in _remembered():
        return _resolved[name]
    found = _resolve_now(role, build)
    if build:
        _remembered()[name] = found
    return found


def checkpoint(name: str) -> str:
    """What to pass as `model=` / to `from_pretrained` for this role: a Hub id, or a local folder."""
    info = resolve(name, build=True)
    if info.kind == "none":
        role = get_role(name)
        why = info.why or activate().reason
        raise CourseError(f"{name!r} ({role.hub_id}) has no offline model and the Hub is out of reach here "
                          f"({why}); run this cell's offline branch: `if on_hub({name!r}): ... else: ...`.")
    return info.location


def on_hub(name: str) -> bool:
    """True when this role's real checkpoint comes from the Hub in this process: the predicate for hub-only cells."""
    return resolve(name, build=True).kind == "Hub"
