"""Generated pictures of one coloured shape on a tinted, noisy background, with captions that describe them.

The vision stand-ins learn only this small world: 4 colours x 3 shapes, in two sizes, anywhere on the canvas.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import SPLITS

COLOURS = {
    "red": (215, 35, 35),
    "green": (35, 150, 55),
    "blue": (40, 75, 215),
    "yellow": (235, 195, 20),
}
SHAPES = ("circle", "square", "triangle")
SIZES = ("small", "large")
CANVAS = 64
HELDOUT_STREAM = 10_000  # held-out scenes are drawn with the seed moved this far, a stream training never uses

CLASS_NAMES = tuple(f"{colour} {shape}" for colour in COLOURS for shape in SHAPES)

# Caption templates, from terse to chatty, so a model meets many phrasings of the same scene
# (the zero-shot pipeline's own "This is a photo of {}." among them).
_TEMPLATES = (
    "{colour} {shape}",
    "a {colour} {shape}",
    "a {size} {colour} {shape}",
    "a photo of a {colour} {shape}",
    "a photo of a {size} {colour} {shape}",
    "a picture of a {colour} {shape}",
    "this is a photo of a {colour} {shape}.",
    "this is a photo of {colour} {shape}.",
    "a {colour} {shape} {place}",
    "a {size} {colour} {shape} {place}",
    "there is a {colour} {shape} {place}",
    "an image of one {colour} {shape}",
    "a drawing of a {size} {colour} {shape}",
    "one {colour} {shape} on a plain background",
)


@dataclass(frozen=True)
class Scene:
    colour: str
    shape: str
    size: str  # "small" or "large"
    place: str  # "on the left", "at the top", ...
    label: int  # index into CLASS_NAMES

    @property
    def name(self) -> str:
        return f"{self.colour} {self.shape}"


def class_index(colour: str, shape: str) -> int:
    return CLASS_NAMES.index(f"{colour} {shape}")


def _place(x: float, y: float, canvas: int) -> str:
    dx, dy = x / canvas - 0.5, y / canvas - 0.5
    if max(abs(dx), abs(dy)) < 0.12:
        return "in the middle"
    if abs(dx) >= abs(dy):
        return "on the left" if dx < 0 else "on the right"
    return "at the top" if dy < 0 else "at the bottom"


def _draw(draw, shape: str, x: float, y: float, r: float, fill, angle: float) -> None:
    if shape == "circle":
        draw.ellipse([x - r, y - r, x + r, y + r], fill=fill)
    elif shape == "square":
        s = r * 0.85
        draw.rectangle([x - s, y - s, x + s, y + s], fill=fill)
    else:
        points = [(x + r * np.sin(angle + k * 2 * np.pi / 3), y - r * np.cos(angle + k * 2 * np.pi / 3))
                  for k in range(3)]
        draw.polygon(points, fill=fill)


def render(colour: str, shape: str, rng: np.random.Generator, *, size: str | None = None,
           canvas: int = CANVAS) -> tuple[np.ndarray, Scene]:
    """One scene as an RGB uint8 array of shape (canvas, canvas, 3), and what it shows."""
    from PIL import Image, ImageDraw

    if colour not in COLOURS or shape not in SHAPES:
        raise ValueError(f"unknown scene {colour!r} {shape!r}; colours: {', '.join(COLOURS)}; "
                         f"shapes: {', '.join(SHAPES)}")
    size = size or SIZES[int(rng.integers(2))]
    radius = canvas * (rng.uniform(0.17, 0.23) if size == "small" else rng.uniform(0.29, 0.40))
    x, y = rng.uniform(radius + 1, canvas - radius - 1, size=2)
    tint = rng.integers(190, 256, size=3)
    image = Image.new("RGB", (canvas, canvas), tuple(int(t) for t in tint))
    fill = np.clip(np.array(COLOURS[colour]) + rng.integers(-25, 26, size=3), 0, 255)
    _draw(ImageDraw.Draw(image), shape, x, y, radius, tuple(int(f) for f in fill), rng.uniform(0, 2 * np.pi))
    pixels = np.asarray(image, dtype=np.float32)
    pixels += rng.normal(0.0, rng.uniform(0.0, 14.0), size=pixels.shape)
    scene = Scene(colour, shape, size, _place(x, y, canvas), class_index(colour, shape))
    return np.clip(pixels, 0, 255).astype(np.uint8), scene


def caption(scene: Scene, rng: np.random.Generator) -> str:
    """One true description of the scene, in a randomly chosen phrasing."""
    template = _TEMPLATES[int(rng.integers(len(_TEMPLATES)))]
    return template.format(colour=scene.colour, shape=scene.shape, size=scene.size, place=scene.place)


def generate(split: str, count: int, seed: int, *, canvas: int = CANVAS) -> tuple[np.ndarray, list[Scene]]:
    """`count` scenes with every colour-shape class equally often, in an order fixed by `seed`; the held-out split
    draws from another random stream."""
    if split not in SPLITS:
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    rng = np.random.default_rng(seed + HELDOUT_STREAM * SPLITS.index(split))
    labels = rng.permutation(np.arange(count) % len(CLASS_NAMES))
    images = np.empty((count, canvas, canvas, 3), dtype=np.uint8)
    scenes = []
    for i, label in enumerate(labels):
        colour, shape = CLASS_NAMES[label].split()
        images[i], scene = render(colour, shape, rng, canvas=canvas)
        scenes.append(scene)
    return images, scenes


def scene_image(colour: str, shape: str, seed: int = 0, *, size: str | None = None, canvas: int = CANVAS):
    """One scene as a PIL image, for lessons: `scene_image("red", "circle")`."""
    from PIL import Image

    pixels, _ = render(colour, shape, np.random.default_rng(seed), size=size, canvas=canvas)
    return Image.fromarray(pixels)


def vocabulary() -> list[str]:
    """Every word the captions use, in a fixed order."""
    words: list[str] = []
    filled = [t.format(colour=" ".join(COLOURS), shape=" ".join(SHAPES), size=" ".join(SIZES),
                       place="on the left right at top bottom in middle") for t in _TEMPLATES]
    for text in filled:
        for word in text.replace(".", " . ").split():
            if word not in words:
                words.append(word)
    return words
