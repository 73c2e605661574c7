"""Every recipe, built tiny in two fresh processes (tests/tiny_shelf.py): each saves a loadable safetensors model with
its held-out figures, and each writes the same bytes whatever the process's hash seed or how the builds were
scheduled (one after another, or two at a time in worker processes)."""

import json

import pytest

from course_utils.checkpoints import ROLES, trained_roles
from course_utils.shelf import Shelf
from course_utils.shelf.manifest import verify
from course_utils.shelf.recipes import by_role

RECIPES = by_role({name: ROLES[name].recipe for name in trained_roles()})
VISION = {"image-classification", "clip", "blip-captioning", "blip-retrieval"}


@pytest.mark.parametrize("role", trained_roles())
def test_every_recipe_builds_the_same_bytes_in_every_process(tiny_shelf, role):
    first, second = (verify(tiny_shelf[run] / role) for run in ("a", "b"))
    assert first["files"] == second["files"], f"{role}: another process built other bytes"
    assert first["heldout_metrics"] == second["heldout_metrics"]
    assert first["training_data_sha256"] == second["training_data_sha256"]


@pytest.mark.parametrize("role", trained_roles())
def test_every_recipe_saves_a_loadable_model_and_its_figures(tiny_shelf, role):
    from transformers import AutoConfig

    folder = tiny_shelf["a"] / role
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    recipe = RECIPES[role]
    assert manifest["tiny"] is True and manifest["recipe_version"] == recipe.version
    assert recipe.score_key in manifest["heldout_metrics"] and manifest["heldout_metrics"]["heldout_size"] > 0
    assert len(manifest["training_data_sha256"]) == 64
    assert (folder / "model.safetensors").is_file()
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt")), "safetensors only, never pickle"
    assert AutoConfig.from_pretrained(folder).model_type
    assert Shelf(tiny_shelf["a"], RECIPES, tiny=True).status(role).state == "ready"


@pytest.mark.parametrize("role", sorted(set(trained_roles()) - VISION))
def test_every_text_tokenizer_round_trips(tiny_shelf, role):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(tiny_shelf["a"] / role)
    assert tokenizer.decode(tokenizer("Hello there.")["input_ids"], skip_special_tokens=True).lower() == "hello there."


@pytest.mark.parametrize("role", sorted(VISION))
def test_every_vision_processor_is_the_pil_one(tiny_shelf, role):
    from transformers import AutoProcessor

    processor = AutoProcessor.from_pretrained(tiny_shelf["a"] / role)
    assert "Pil" in type(getattr(processor, "image_processor", processor)).__name__


def test_the_matcher_records_the_captioner_it_was_built_from(tiny_shelf):
    shelf = Shelf(tiny_shelf["a"], RECIPES, tiny=True)
    recorded = json.loads((shelf.entry("blip-retrieval") / "MANIFEST.json").read_text())["bases"]
    assert recorded == {"blip-captioning": shelf.status("blip-captioning").manifest_sha256}
