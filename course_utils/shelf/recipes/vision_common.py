"""Pieces the vision recipes share: generated scenes as tensors, two small tokenizers, their training settings.

Training images never go through the image processor one by one (too slow on a laptop); they are
normalised here with the processor's own numbers, and every held-out score goes through the real processor.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from ...data import shapes

HELDOUT_SIZE = 600
TEXT_POSITIONS = 32
SPECIAL_BERT = ("[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]")


def tower(**overrides) -> dict:
    """The size every small transformer tower here starts from: 128 wide, 2 layers, 4 heads."""
    settings = dict(hidden_size=128, intermediate_size=256, num_hidden_layers=2, num_attention_heads=4)
    settings.update(overrides)
    return settings


def vision_tower(patch_size: int = 16, **overrides) -> dict:
    """A ViT image tower for the 64 px canvas. 16 px patches (as in google/vit-base-patch16-224) make a 4 x 4 grid,
    a quarter of the tokens of 8 px patches: enough to name one shape, and two to three times faster to train."""
    return tower(image_size=shapes.CANVAS, patch_size=patch_size, num_channels=3, **overrides)


@dataclass(frozen=True)
class Settings:
    """How much a recipe trains: `tiny` ones finish in seconds, for the unit tests."""

    train_size: int
    steps: int
    batch_size: int
    lr: float
    heldout_size: int = HELDOUT_SIZE


def tiny_settings(lr: float) -> Settings:
    return Settings(train_size=96, steps=4, batch_size=16, lr=lr, heldout_size=48)


@dataclass
class SceneSet:
    images: np.ndarray  # (n, H, W, 3) uint8
    scenes: list

    @property
    def labels(self) -> np.ndarray:
        return np.array([s.label for s in self.scenes])

    def digest(self) -> str:
        return hashlib.sha256(self.images.tobytes()).hexdigest()

    def pil(self) -> list:
        from PIL import Image

        return [Image.fromarray(image) for image in self.images]


def prepare(context, full: Settings) -> tuple[Settings, SceneSet, SceneSet]:
    """The settings for this build (tiny ones for tests) and its training and held-out scenes."""
    settings = tiny_settings(full.lr) if context.tiny else full
    train = SceneSet(*shapes.generate("train", settings.train_size, context.seed))
    heldout = SceneSet(*shapes.generate("heldout", settings.heldout_size, context.seed))
    return settings, train, heldout


def train(model, loss_for_step, settings: Settings, context, desc: str) -> list[float]:
    """The vision recipes' optimisation: AdamW with decay 0.05, a 5% warm-up, then cosine decay."""
    from .training import fit

    return fit(model, loss_for_step, settings.steps, lr=settings.lr, quiet=context.quiet, desc=desc,
               schedule="cosine", warmup=0.05, weight_decay=0.05)


def scene_batches(train: SceneSet, pixels, settings: Settings, seed: int):
    """A function step -> (pixels, scenes) of that step's batch, turned by one of the square's eight symmetries."""
    import torch

    from .training import batch_indices

    pick = batch_indices(settings.train_size, settings.batch_size, seed)

    def batch(step: int):
        chosen = pick(step)
        return transformed_batch(pixels[torch.from_numpy(chosen)], [train.scenes[i] for i in chosen], step)

    return batch


def caption_batches(train: SceneSet, processor, settings: Settings, seed: int):
    """A function step -> (pixels, scenes, captions): scene_batches with a freshly worded caption for each scene."""
    batches = scene_batches(train, pixel_tensor(train.images, processor.image_processor), settings, seed)
    rng = np.random.default_rng(seed + 1)

    def batch(step: int):
        pixels, scenes = batches(step)
        return pixels, scenes, [shapes.caption(scene, rng) for scene in scenes]

    return batch


def save_and_report(model, processor, context, settings: Settings, train: SceneSet, heldout: SceneSet,
                    metrics: dict):
    """Save the model with its processor; the BuildResult with the held-out figures and what was trained on."""
    from . import BuildResult

    model.save_pretrained(context.out_dir)
    processor.save_pretrained(context.out_dir)
    return BuildResult(
        metrics={**metrics, "heldout_size": len(heldout.scenes), "train_size": settings.train_size,
                 "steps": settings.steps},
        data_name=f"course_utils/data/shapes.py: {settings.train_size} generated scenes, seed {context.seed} "
                  "(held-out: its own stream)",
        data_sha256=train.digest())


def pixel_tensor(images: np.ndarray, processor):
    """What the image processor makes of these canvas-sized images, computed for the whole batch at once."""
    import torch

    mean = torch.tensor(processor.image_mean, dtype=torch.float32).view(1, 3, 1, 1)
    std = torch.tensor(processor.image_std, dtype=torch.float32).view(1, 3, 1, 1)
    pixels = torch.from_numpy(images).permute(0, 3, 1, 2).float() * processor.rescale_factor
    return (pixels - mean) / std


# The eight flips and quarter turns of a square canvas leave every colour and shape as it is, and move
# the shape's place in a way the captions can follow: (flip left-right, flip top-bottom, swap the axes).
_SYMMETRIES = [(lr, tb, swap) for swap in (False, True) for lr in (False, True) for tb in (False, True)]
_MIRROR = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}
_SWAP = {"on the left": "at the top", "at the top": "on the left",
         "on the right": "at the bottom", "at the bottom": "on the right", "in the middle": "in the middle"}


def _moved(place: str, lr: bool, tb: bool, swap: bool) -> str:
    """Where a shape at `place` ends up after the axes are swapped (first), then the flips."""
    if swap:
        place = _SWAP[place]
    words = place.split()
    if (lr and words[-1] in ("left", "right")) or (tb and words[-1] in ("top", "bottom")):
        place = " ".join([*words[:-1], _MIRROR[words[-1]]])
    return place


def transformed_batch(pixels, scenes: list, step: int):
    """One of the eight symmetries of the square, chosen by the step, applied to a batch and to what it shows."""
    import dataclasses

    lr, tb, swap = _SYMMETRIES[step % len(_SYMMETRIES)]
    if swap:
        pixels = pixels.transpose(-1, -2)
    if lr:
        pixels = pixels.flip(-1)
    if tb:
        pixels = pixels.flip(-2)
    return pixels, [dataclasses.replace(s, place=_moved(s.place, lr, tb, swap)) for s in scenes]


def bert_tokenizer():
    """A word-level BERT tokenizer for the scene captions: every caption word whole, letters as a fallback."""
    from transformers import BertTokenizer

    letters = [chr(c) for c in range(ord("a"), ord("z") + 1)] + list("0123456789")
    punctuation = list(".,!?'-")
    tokens = [*SPECIAL_BERT, *shapes.vocabulary(), *letters, *punctuation, *(f"##{c}" for c in letters)]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    return BertTokenizer(vocab=vocab, model_max_length=TEXT_POSITIONS)


def clip_tokenizer():
    """A byte-level BPE tokenizer in CLIP's format, its merges learnt from the caption words.

    The merges are learnt here in a few lines of Python, ties broken alphabetically, on purpose: the `tokenizers`
    BPE trainer numbers the tokens that carry a prefix or suffix (CLIP's `</w>` word ending) in hash-map order,
    which changes from process to process (huggingface/tokenizers#1794), so every build got other token ids and
    another model. Do not swap this back for `BpeTrainer` until that is fixed.
    """
    from collections import Counter

    from tokenizers import pre_tokenizers
    from transformers import CLIPTokenizer

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    # Every byte also as a word ending, so that no text ever falls back to the unknown token
    # (which CLIP shares with end-of-text, where the text tower reads its summary vector).
    tokens = ["<|startoftext|>", "<|endoftext|>", *alphabet, *(f"{char}</w>" for char in alphabet)]
    words = [(*word[:-1], f"{word[-1]}</w>") for word in sorted(set(shapes.vocabulary()))]
    merges = []
    while True:
        pairs = Counter(pair for word in words for pair in zip(word, word[1:]))
        if not pairs:
            break
        best = min(pairs, key=lambda pair: (-pairs[pair], pair))
        merges.append(best)
        tokens.append("".join(best))
        words = [_merge(word, best) for word in words]
    vocab = {token: i for i, token in enumerate(dict.fromkeys(tokens))}
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=TEXT_POSITIONS)


def _merge(word: tuple, pair: tuple) -> tuple:
    """The word's pieces with every adjacent occurrence of `pair` joined into one."""
    out, i = [], 0
    while i < len(word):
        if word[i:i + 2] == pair:
            out.append(word[i] + word[i + 1])
            i += 2
        else:
            out.append(word[i])
            i += 1
    return tuple(out)


def caption_is_true(text: str, scene) -> bool:
    """Does a caption describe this scene (colour, shape, and size or place when it names them)?"""
    words = text.replace(".", " ").split()
    if scene.colour not in words or scene.shape not in words:
        return False
    for colour in shapes.COLOURS:
        if colour in words and colour != scene.colour:
            return False
    for shape in shapes.SHAPES:
        if shape in words and shape != scene.shape:
            return False
    for size in shapes.SIZES:
        if size in words and size != scene.size:
            return False
    places = ("left", "right", "top", "bottom", "middle")
    return all(place not in words or place in scene.place.split() for place in places)


def names_colour_and_shape(text: str, scene) -> bool:
    """A caption is right when the only colour it names is the scene's, and likewise the only shape."""
    words = set(text.replace(".", " ").split())
    return (words & set(shapes.COLOURS) == {scene.colour}) and (words & set(shapes.SHAPES) == {scene.shape})


def wrong_caption(scene, rng: np.random.Generator) -> str:
    """A caption in one of the usual phrasings that is false for the scene (wrong colour, shape, or both)."""
    colours = [c for c in shapes.COLOURS if c != scene.colour]
    others = [s for s in shapes.SHAPES if s != scene.shape]
    change = int(rng.integers(3))
    colour = colours[int(rng.integers(len(colours)))] if change != 1 else scene.colour
    shape = others[int(rng.integers(len(others)))] if change != 0 else scene.shape
    false_scene = shapes.Scene(colour, shape, scene.size, scene.place, shapes.class_index(colour, shape))
    return shapes.caption(false_scene, rng)
