"""The vision stand-ins: the scene generator, the recipes on tiny settings, and the built shelf's quality bars."""

import json
import logging
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_utils.data import shapes
from course_utils.shelf.recipes import vision_common as vc

RECIPES = ["vit-shapes", "clip-shapes", "blip-captioning-shapes", "blip-retrieval-shapes"]
# role -> (metric in the manifest, the bar it must reach on held-out scenes)
BARS = {
    "image-classification": ("accuracy", 0.9),
    "clip": ("zero_shot_accuracy", 0.8),
    "blip-captioning": ("colour_and_shape_right", 0.7),
    "blip-retrieval": ("true_caption_above_wrong", 0.9),
}


# --- the generated world -------------------------------------------------------------------------------------------

def test_generator_is_balanced_and_repeatable():
    images, scenes = shapes.generate("train", 120, 5)
    again, _ = shapes.generate("train", 120, 5)
    other, _ = shapes.generate("train", 120, 6)
    assert images.shape == (120, shapes.CANVAS, shapes.CANVAS, 3) and images.dtype == np.uint8
    assert np.array_equal(images, again) and not np.array_equal(images, other)
    counts = np.bincount([s.label for s in scenes], minlength=len(shapes.CLASS_NAMES))
    assert counts.tolist() == [10] * 12
    assert len(shapes.COLOURS) >= 4 and len(shapes.SHAPES) >= 3


def test_unknown_scene_is_a_clear_error():
    with pytest.raises(ValueError, match="colours: red"):
        shapes.scene_image("purple", "circle")


def test_captions_are_true_and_wrong_captions_are_false():
    rng = np.random.default_rng(0)
    _, scenes = shapes.generate("train", 60, 1)
    for scene in scenes:
        text = shapes.caption(scene, rng)
        assert vc.caption_is_true(text, scene) and vc.names_colour_and_shape(text, scene)
        wrong = vc.wrong_caption(scene, rng)
        assert not vc.caption_is_true(wrong, scene) and not vc.names_colour_and_shape(wrong, scene)
    templates = {shapes.caption(scenes[0], rng).split(scenes[0].colour)[0] for _ in range(200)}
    assert "this is a photo of " in templates and "" in templates  # the pipeline's template and bare labels


def test_symmetries_move_the_shape_and_its_caption_together():
    import torch

    images, scenes = shapes.generate("train", 48, 3)
    circles = [i for i, s in enumerate(scenes) if s.shape == "circle"]
    pixels = torch.from_numpy(images[circles]).permute(0, 3, 1, 2).float()
    wrong = 0
    for step in range(8):
        moved, moved_scenes = vc.transformed_batch(pixels, [scenes[i] for i in circles], step)
        for picture, scene in zip(moved.permute(0, 2, 3, 1).numpy(), moved_scenes):
            background = np.median(picture.reshape(-1, 3), axis=0)
            ys, xs = np.nonzero(np.abs(picture - background).sum(-1) > 120)
            wrong += shapes._place(xs.mean() + 0.5, ys.mean() + 0.5, shapes.CANVAS) != scene.place
    assert wrong <= 2 * 8  # a few circles sit right on the border between two places


def test_tokenizers_cover_every_caption_word_and_any_text():
    bert, clip = vc.bert_tokenizer(), vc.clip_tokenizer()
    for word in shapes.vocabulary():
        assert bert.convert_tokens_to_ids(word) != bert.unk_token_id, word
    ids = clip("A zebra, 42 times!")["input_ids"]
    assert ids[0] == clip.bos_token_id and ids[-1] == clip.eos_token_id
    assert clip.eos_token_id not in ids[1:-1], "no text may fall back to the end-of-text token"
    assert clip.eos_token_id != 2, "CLIP reads its summary at eos_token_id; 2 selects a legacy code path"


def test_batch_normalisation_matches_the_image_processors():
    from transformers import CLIPImageProcessorPil, ViTImageProcessorPil

    from course_utils.shelf.recipes.blip_captioning import blip_processor

    images, _ = shapes.generate("train", 4, 9)
    pil = vc.SceneSet(images, []).pil()
    side = {"height": shapes.CANVAS, "width": shapes.CANVAS}
    for processor in (ViTImageProcessorPil(size=side, image_mean=[0.5] * 3, image_std=[0.5] * 3),
                      CLIPImageProcessorPil(size={"shortest_edge": shapes.CANVAS}, crop_size=side),
                      blip_processor().image_processor):
        expected = processor(images=pil, return_tensors="pt")["pixel_values"]
        assert np.allclose(vc.pixel_tensor(images, processor).numpy(), expected.numpy(), atol=1e-5), processor


# --- the built shelf: quality bars and behaviour -------------------------------------------------------------------

@pytest.fixture(scope="module")
def shelf():
    from course_utils import checkpoint

    return {role: Path(checkpoint(role)) for role in BARS}


@pytest.mark.parametrize("role", list(BARS))
def test_manifest_records_a_heldout_score_above_the_bar(shelf, role):
    manifest = json.loads((shelf[role] / "MANIFEST.json").read_text())
    metric, bar = BARS[role]
    scores = manifest["heldout_metrics"]
    assert scores["heldout_size"] >= 500
    assert scores[metric] >= bar, f"{role}: {metric} {scores[metric]} < {bar}"
    assert manifest["build_seconds"] > 0 and "seed" in manifest["training_data"]


def _fresh(n=24, seed=123_456):
    images, scenes = shapes.generate("heldout", n, seed)
    return vc.SceneSet(images, scenes)


def test_vit_pipeline_names_colour_and_shape(shelf):
    from transformers import pipeline

    classifier = pipeline("image-classification", model=str(shelf["image-classification"]))
    assert set(classifier.model.config.id2label.values()) == set(shapes.CLASS_NAMES)
    fresh = _fresh(120)
    answers = [r[0]["label"] for r in classifier(fresh.pil())]
    assert np.mean([a == s.name for a, s in zip(answers, fresh.scenes)]) >= 0.85


def test_clip_zero_shot_pipeline_with_its_default_template(shelf):
    from transformers import pipeline

    detector = pipeline("zero-shot-image-classification", model=str(shelf["clip"]))
    fresh = _fresh(48)
    answers = [detector(image, candidate_labels=list(shapes.CLASS_NAMES))[0]["label"] for image in fresh.pil()]
    assert np.mean([a == s.name for a, s in zip(answers, fresh.scenes)]) >= 0.8


def test_blip_captions_and_matching(shelf):
    import torch
    from transformers import AutoProcessor, BlipForConditionalGeneration, BlipForImageTextRetrieval

    fresh = _fresh(12)
    processor = AutoProcessor.from_pretrained(shelf["blip-captioning"])
    captioner = BlipForConditionalGeneration.from_pretrained(shelf["blip-captioning"])
    with torch.no_grad():
        ids = captioner.generate(**processor(images=fresh.pil(), return_tensors="pt"), max_new_tokens=20)
    captions = processor.batch_decode(ids, skip_special_tokens=True)
    assert np.mean([vc.names_colour_and_shape(c, s) for c, s in zip(captions, fresh.scenes)]) >= 0.5

    from course_utils.shelf.recipes.blip_retrieval import match_probabilities

    processor = AutoProcessor.from_pretrained(shelf["blip-retrieval"])
    matcher = BlipForImageTextRetrieval.from_pretrained(shelf["blip-retrieval"])
    true = match_probabilities(matcher, processor, fresh.pil(), [f"a {s.name}" for s in fresh.scenes])
    rng = np.random.default_rng(0)
    wrong = match_probabilities(matcher, processor, fresh.pil(), [vc.wrong_caption(s, rng) for s in fresh.scenes])
    assert float((true > wrong).float().mean()) >= 0.75


def test_loading_prints_no_warnings(shelf):
    """Learners should not see torchvision or fallback warnings when the lessons load these models."""
    from transformers import AutoProcessor, pipeline
    from transformers.utils import logging as hf_logging

    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record.getMessage())

    handler = Keep(level=logging.WARNING)
    hf_logging.get_logger().addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for role in BARS:
                AutoProcessor.from_pretrained(shelf[role])
            pipeline("image-classification", model=str(shelf["image-classification"]))(_fresh(1).pil()[0])
    finally:
        hf_logging.get_logger().removeHandler(handler)
    assert not records, records
    assert not [str(w.message) for w in caught if "torchvision" in str(w.message).lower()]


def test_clip_tokenizer_is_the_same_in_every_process():
    import subprocess
    import sys

    # The tokenizers trainer broke ties in another order per process, so each build numbered the tokens anew.
    script = ("import hashlib; from course_utils.shelf.recipes import vision_common as vc; "
              "t = vc.clip_tokenizer(); print(hashlib.sha256(t.backend_tokenizer.to_str().encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
               for _ in range(3)}
    assert len(digests) == 1
    tokenizer = vc.clip_tokenizer()
    assert tokenizer.tokenize("a small red triangle on the left.") == [
        "a</w>", "small</w>", "red</w>", "triangle</w>", "on</w>", "the</w>", "left</w>", ".</w>"]
