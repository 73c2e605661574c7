"""Checks for lesson 10 (CLIP): writing candidate labels for zero-shot classification, and ranking captions by hand.

Pictures and captions are drawn anew each run from the course's shapes world; failures name the kind of mistake,
never the caption CLIP prefers.
"""

import random
import re

import torch

from ..checks import Wrong, brief, call_learner, calls_to, exercise, expect, require_type
from ..data import shapes
from .probes import caption_material, fresh, pick_probes

MIN_MARGIN = 0.3  # logits between CLIP's first and second caption, so a correct answer never hinges on rounding


def label_words(label: str) -> tuple[list[str], list[str]]:
    """The colours and the shapes a label names, read as separate words, singular or plural, in any order."""
    words = re.findall(r"[a-z]+", label.lower())
    words = [w[:-1] if w.endswith("s") and w[:-1] in (*shapes.COLOURS, *shapes.SHAPES) else w for w in words]
    return [w for w in words if w in shapes.COLOURS], [w for w in words if w in shapes.SHAPES]


def _label_problem(label: str):
    colours, kinds = label_words(label)
    if len(colours) != 1:
        found = "no colour" if not colours else f"{len(colours)} colours"
        return (f"{brief(label)} names {found}; each label names one of {', '.join(shapes.COLOURS)}, "
                "as a word of its own",
                "For example f'{colour} {shape}'.")
    if len(kinds) != 1:
        found = "no shape" if not kinds else f"{len(kinds)} shapes"
        return (f"{brief(label)} names {found}; each label names one of {', '.join(shapes.SHAPES)}, "
                "as a word of its own",
                "For example f'{colour} {shape}'.")
    return None


@exercise("10.1", "write the candidate labels")
def check_candidate_labels(candidate_labels, detector):
    if not isinstance(candidate_labels, (list, tuple)) or not all(isinstance(x, str) for x in candidate_labels):
        raise Wrong("type", "candidate_labels should be a list of strings",
                    "Build it with a list comprehension over shapes.COLOURS and shapes.SHAPES.")
    for label in candidate_labels:
        problem = _label_problem(label)
        if problem:
            raise Wrong("each label names one colour and one shape", *problem)
    expect(True, "each label names one colour and one shape")
    named = [label_words(label) for label in candidate_labels]
    pairs = [(colours[0], kinds[0]) for colours, kinds in named]
    twice = sorted({f"{c} {s}" for c, s in pairs if pairs.count((c, s)) > 1})
    expect(not twice, "each pair once", f"more than one label names {', '.join(twice)}",
           "One label per colour-shape pair.")
    every = {(c, s) for c in shapes.COLOURS for s in shapes.SHAPES}
    missing = sorted(f"{c} {s}" for c, s in every - set(pairs))
    shown = ", ".join(missing[:4]) + (" ..." if len(missing) > 4 else "")
    expect(not missing, "every colour and shape", f"no label names {shown}",
           f"Loop over both lists: {len(shapes.COLOURS)} colours x {len(shapes.SHAPES)} shapes = {len(every)} labels.")
    if twice or missing:
        return
    rng, right, total = fresh(), 0, 8
    for _ in range(total):
        colour, shape = rng.choice(list(shapes.COLOURS)), rng.choice(shapes.SHAPES)
        image = shapes.scene_image(colour, shape, seed=rng.randrange(10_000, 10**9))
        best = detector(image, candidate_labels=list(candidate_labels))[0]["label"]
        right += pairs[list(candidate_labels).index(best)] == (colour, shape)
    note = "" if right > total // 2 else " (labels worded like the captions the model learnt from work best)"
    expect(True, f"the pipeline with your labels named {right} of {total} new pictures right{note}")


def _unit(vectors):
    return vectors / vectors.norm(dim=-1, keepdim=True)


def _probes(model, processor, rng: random.Random, count: int = 4, rounds: int = 6):
    """Pictures with captions where CLIP's choice is clear, one of them where skipping the normalisation picks
    another caption (drawing again, a few times at most, until one is found)."""
    for _ in range(rounds):
        material = caption_material(rng, 3 * count, true_count=8, false_count=4)
        texts = [c for _, true, false in material for c in true + false]
        with torch.no_grad():
            images = model.get_image_features(**processor(images=[m[0] for m in material], return_tensors="pt"))
            words = model.get_text_features(**processor(text=texts, padding=True, return_tensors="pt")).pooler_output
        scale, right, wrong, at = model.logit_scale.exp().item(), [], [], 0
        for (_, true, false), vector in zip(material, images.pooler_output):
            text = words[at:at + len(true) + len(false)]
            at += len(true) + len(false)
            right.append(scale * _unit(text) @ _unit(vector))
            wrong.append(text @ vector)
        probes, trapped = pick_probes(material, right, wrong, rng, count, MIN_MARGIN, 1e-3)
        if trapped:
            break
    return probes


def _caption_problem(answer, captions, scores, raw):
    if answer not in captions:
        return "your function returned a text that is not one of the captions", \
            "Return captions[index], exactly as given."
    index = captions.index(answer)
    if index == int(raw.argmax()):
        return ("that caption wins only if the vectors are not normalised to length 1",
                "Divide each vector by its norm (vector / vector.norm(dim=-1, keepdim=True)) before the dot product.")
    if index == int(scores.argmin()):
        return "that is the caption CLIP finds least similar", "Take the largest dot product (argmax)."
    return "CLIP finds another caption more similar to the picture", \
        "Normalise both feature vectors to length 1, then take the caption with the largest dot product."


def _called_on(model, calls) -> bool:
    """Whether any of the recorded calls of a method was made on this model."""
    return any(args and args[0] is model for args, _ in calls)


def _method_problem(model, forward, image_calls, text_calls, runs):
    if runs:
        return "your function ran the zero-shot pipeline", "Use model.get_image_features and get_text_features."
    if _called_on(model, forward):
        return ("your function ran the whole model (its logits_per_image), which is what the check compares with",
                "Call model.get_image_features and model.get_text_features, then take dot products yourself.")
    if not _called_on(model, image_calls) or not _called_on(model, text_calls):
        return ("your function did not call both model.get_image_features and model.get_text_features",
                "Encode the image and the captions with those two methods; their vectors are in .pooler_output.")
    return None


@exercise("10.2", "rank captions by hand")
def check_best_caption(best_caption, model, processor):
    import transformers

    positions, truths = set(), set()
    for number, (image, captions) in enumerate(_probes(model, processor, fresh()), start=1):
        part = f"new picture {number} with {len(captions)} captions"
        with calls_to(type(model), "forward") as forward, calls_to(transformers.Pipeline, "__call__") as runs, \
                calls_to(type(model), "get_image_features") as image_calls, \
                calls_to(type(model), "get_text_features") as text_calls:
            answer = call_learner(best_caption, image, list(captions), part=f"best_caption on {part}")
        problem = _method_problem(model, forward, image_calls, text_calls, runs)
        if problem:
            raise Wrong("the method: feature vectors and dot products", *problem)
        require_type(answer, str, "best_caption", "one of the captions",
                     "Return captions[index], not the index or the score.")
        with torch.no_grad():
            inputs = processor(text=captions, images=image, padding=True, return_tensors="pt")
            scores = model(**inputs).logits_per_image[0]
            vector = model.get_image_features(pixel_values=inputs["pixel_values"]).pooler_output[0]
            text = model.get_text_features(input_ids=inputs["input_ids"],
                                           attention_mask=inputs["attention_mask"]).pooler_output
        positions.add(captions.index(answer) if answer in captions else None)
        truths.add(int(scores.argmax()))
        right = answer == captions[int(scores.argmax())]
        message, hint = ("", "") if right else _caption_problem(answer, captions, scores, text @ vector)
        expect(right, part, message, hint)
    if len(positions) == 1 and len(truths) > 1:
        expect(False, "a caption for each picture", "you returned the caption at the same position every time",
               "Compare the image you are given with each caption, and return the best one.")
