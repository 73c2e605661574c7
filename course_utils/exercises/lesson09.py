"""Checks for lesson 09 (CLIP): writing candidate labels for zero-shot classification, and ranking captions by hand."""

import torch

from ..checks import Wrong, call_learner, exercise, expect, require_type
from ..data import shapes

PROBE_SCENES = [("blue", "square", 811), ("red", "triangle", 812), ("green", "circle", 813),
                ("yellow", "triangle", 814), ("red", "square", 815), ("green", "square", 816)]
PROBE_CAPTIONS = [
    ("yellow", "circle", 821, ["a yellow circle", "a yellow square", "a blue circle", "a green triangle"]),
    ("green", "triangle", 822, ["a red triangle", "a green triangle", "a green circle"]),
    ("blue", "square", 823, ["a photo of a blue circle", "a photo of a red square", "a photo of a blue square"]),
    ("red", "circle", 824, ["a red circle", "a red triangle", "a yellow circle", "a blue square"]),
]


def _named(label: str, words) -> list[str]:
    return [w for w in words if w in label.lower().replace(".", " ").split()]


@exercise("9.1", "write the candidate labels")
def check_candidate_labels(candidate_labels, detector):
    if not isinstance(candidate_labels, (list, tuple)) or not all(isinstance(x, str) for x in candidate_labels):
        raise Wrong("type", "candidate_labels should be a list of strings",
                    "Build it with a list comprehension over shapes.COLOURS and shapes.SHAPES.")
    expect(len(set(candidate_labels)) == len(candidate_labels), "no repeats", "some labels appear twice",
           "Each colour-shape pair once.")
    pairs = set()
    for label in candidate_labels:
        colours, kinds = _named(label, shapes.COLOURS), _named(label, shapes.SHAPES)
        if len(colours) != 1 or len(kinds) != 1:
            raise Wrong("each label", f"{label!r} should name exactly one colour and one shape",
                        "For example f'{colour} {shape}'.")
        pairs.add((colours[0], kinds[0]))
    every = {(c, s) for c in shapes.COLOURS for s in shapes.SHAPES}
    missing = sorted(f"{c} {s}" for c, s in every - pairs)
    shown = ", ".join(missing[:4]) + (" ..." if len(missing) > 4 else "")
    expect(not missing, "every colour and shape", f"missing: {shown}",
           "Loop over both lists: 4 colours x 3 shapes = 12 labels.")
    right = 0
    for colour, shape, seed in PROBE_SCENES:
        best = detector(shapes.scene_image(colour, shape, seed=seed), candidate_labels=list(candidate_labels))[0]
        right += _named(best["label"], shapes.COLOURS) == [colour] and _named(best["label"], shapes.SHAPES) == [shape]
    expect(right >= len(PROBE_SCENES) - 2, "the pipeline with your labels",
           f"it named {right} of {len(PROBE_SCENES)} new pictures right",
           "Plain labels such as 'red circle' work best with the default template 'This is a photo of {}.'.")


@exercise("9.2", "rank captions by hand")
def check_best_caption(best_caption, model, processor):
    for colour, shape, seed, captions in PROBE_CAPTIONS:
        image = shapes.scene_image(colour, shape, seed=seed)
        answer = call_learner(best_caption, image, captions, part="best_caption(image, captions)")
        require_type(answer, str, "best_caption", "one of the captions",
                     "Return captions[index], not the index or the score.")
        with torch.no_grad():
            scores = model(**processor(text=captions, images=image, padding=True, return_tensors="pt")).logits_per_image
        truth = captions[int(scores.argmax())]
        expect(answer == truth, f"a {colour} {shape} against {len(captions)} captions",
               f"CLIP's closest caption is {truth!r}, your function said {answer!r}",
               "Normalise both feature vectors to length 1, then take the caption with the largest dot product.")
