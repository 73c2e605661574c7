"""Checks for lesson 10 (BLIP): writing a caption with generate(), and picking a caption with the matching head."""

import torch

from ..checks import Wrong, call_learner, exercise, expect, require_type
from ..data import shapes

MAX_NEW_TOKENS = 20
PROBE_SCENES = [("green", "square", 901), ("yellow", "triangle", 902), ("blue", "circle", 903),
                ("red", "square", 904)]
PROBE_CAPTIONS = [
    ("blue", "triangle", 911, ["a blue triangle", "a blue circle", "a red triangle"]),
    ("yellow", "square", 912, ["a green square", "a yellow square", "a yellow circle", "a blue triangle"]),
    ("red", "circle", 913, ["a photo of a red square", "a photo of a red circle", "a photo of a green circle"]),
]


@exercise("10.1", "write a caption")
def check_caption(caption, model, processor):
    for colour, shape, seed in PROBE_SCENES:
        image = shapes.scene_image(colour, shape, seed=seed)
        answer = call_learner(caption, image, part="caption(image)")
        require_type(answer, str, "caption", "a string",
                     "Decode the generated ids with processor.decode(ids[0], skip_special_tokens=True).")
        with torch.no_grad():
            ids = model.generate(**processor(images=image, return_tensors="pt"), max_new_tokens=MAX_NEW_TOKENS)
        truth = processor.decode(ids[0], skip_special_tokens=True)
        if answer.strip() != truth.strip() and "[" in answer:
            raise Wrong(f"a {colour} {shape}", f"your caption {answer!r} still has special tokens in it",
                        "Pass skip_special_tokens=True to decode.")
        expect(answer.strip() == truth.strip(), f"a {colour} {shape} (seed {seed})",
               f"generate() gives {truth!r}, your function said {answer!r}",
               f"processor(images=...) -> model.generate(**inputs, max_new_tokens={MAX_NEW_TOKENS}) -> decode.")


@exercise("10.2", "choose a caption with the matching head")
def check_best_match(best_match, model, processor):
    for colour, shape, seed, captions in PROBE_CAPTIONS:
        image = shapes.scene_image(colour, shape, seed=seed)
        answer = call_learner(best_match, image, captions, part="best_match(image, captions)")
        require_type(answer, str, "best_match", "one of the captions",
                     "Return captions[index], not the index or the probability.")
        inputs = processor(images=[image] * len(captions), text=captions, padding=True, return_tensors="pt")
        with torch.no_grad():
            match = model(**inputs).itm_score.softmax(dim=-1)[:, 1]
        truth = captions[int(match.argmax())]
        expect(answer == truth, f"a {colour} {shape} against {len(captions)} captions",
               f"the matching head prefers {truth!r}, your function said {answer!r}",
               "Repeat the image once per caption, run the model, softmax itm_score, and take column 1 (match).")
