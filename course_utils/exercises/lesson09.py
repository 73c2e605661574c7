"""Checks for lesson 09 (ViT): counting the tokens an image becomes, and classifying an image by hand.

Sizes and pictures are drawn anew each run, and a failure says what kind of mistake it is, not the expected answer.
"""

import math
import numbers
import random

from ..checks import Wrong, brief, call_by_hand, call_learner, exercise, expect, require_type
from ..data import shapes
from .probes import clearest, fresh

MIN_LOG_RATIO = 0.3  # log of the first label's probability over the second's (a logit margin), so a correct answer
# never hinges on rounding


def _sizes(rng: random.Random) -> list[tuple[int, int]]:
    """(image_size, patch_size) pairs: three that tile exactly and one whose last row of pixels fills no patch."""
    cases = []
    for patch in rng.sample([4, 8, 14, 16, 32], 3):
        cases.append((patch * rng.randint(2, 24), patch))
    patch = rng.choice([8, 16, 32])
    cases.append((patch * rng.randint(3, 14) + rng.randint(1, patch - 1), patch))
    rng.shuffle(cases)
    return cases


def _count_problem(answer, image_size, patch_size):
    side = image_size // patch_size
    if answer == side * side:
        return ("that counts the patches but not the extra token the model adds in front",
                "The [CLS] token is one more position in the sequence.")
    if answer in (side + 1, side):
        return ("that counts the patches along one side only",
                "A square image has (image_size // patch_size) patches per side, and that many rows of them.")
    if image_size % patch_size and answer == math.ceil(image_size / patch_size) ** 2 + 1:
        return ("that counts a patch for the leftover pixels, which a ViT drops",
                "Use integer division `//`: only whole patches become tokens.")
    return ("that is not the length of the sequence",
            "Patches per side = image_size // patch_size; square it; add [CLS].")


@exercise("9.1", "count the tokens a ViT reads")
def check_count_tokens(count_tokens, model):
    import torch

    for image_size, patch_size in _sizes(fresh()):
        part = f"count_tokens({image_size}, {patch_size})"
        answer = call_learner(count_tokens, image_size, patch_size, part=part)
        if not isinstance(answer, numbers.Integral) or isinstance(answer, bool):
            raise Wrong("type", f"count_tokens returned {type(answer).__name__} {brief(answer)}, "
                        "expected an int",
                        "Use integer division `//`, and return a plain int.")
        right = answer == (image_size // patch_size) ** 2 + 1
        message, hint = ("", "") if right else _count_problem(answer, image_size, patch_size)
        expect(right, part, f"you said {answer}: {message}" if message else "", hint)
    config = model.config
    with torch.no_grad():
        pixels = torch.zeros(1, config.num_channels, config.image_size, config.image_size)
        length = model(pixel_values=pixels, output_hidden_states=True).hidden_states[-1].shape[1]
    answer = call_learner(count_tokens, config.image_size, config.patch_size, part="on this lesson's model")
    expect(answer == length, "on this lesson's model",
           f"for image_size={config.image_size}, patch_size={config.patch_size} you said {answer}; the model's "
           f"hidden states have {length} positions", "Check your formula against `outputs.hidden_states[-1].shape`.")


def _scenes(classifier, rng: random.Random, count: int = 5):
    """New pictures where the model's first label clearly beats its second (the clearest found, if too few do),
    not all given the same label."""
    candidates = []
    for _ in range(10 * count):
        colour, shape = rng.choice(list(shapes.COLOURS)), rng.choice(shapes.SHAPES)
        image = shapes.scene_image(colour, shape, seed=rng.randrange(10_000, 10**9))
        best, second = classifier(image, top_k=2)
        candidates.append((math.log(best["score"] / max(second["score"], 1e-12)),
                           (image, best["label"], second["label"])))
        clear = [item for margin, item in candidates if margin >= MIN_LOG_RATIO]
        if len(clear) >= count and len({item[1] for item in clear[:count]}) > 1:
            break
    return clearest(candidates, count, MIN_LOG_RATIO, differ=lambda item: item[1])


@exercise("9.2", "classify an image by hand")
def check_top_label(top_label, classifier):
    scenes = _scenes(classifier, fresh())
    answers = []
    for number, (image, _, _) in enumerate(scenes, start=1):
        answer = call_by_hand(top_label, image, part=f"top_label on new picture {number}", name="no pipeline",
                              hint="Use processor and model: processor(images=image, return_tensors='pt') -> "
                                   "model(**inputs).logits -> argmax -> model.config.id2label.")
        answers.append(require_type(answer, str, "top_label", "a label string",
                                    "Turn the index of the largest logit into a name with `model.config.id2label`."))
    names = set(classifier.model.config.id2label.values())
    if len(set(answers)) == 1 and len({truth for _, truth, _ in scenes}) > 1:
        raise Wrong("a label for each picture", f"you returned {brief(answers[0])} for every picture",
                    "Classify the image your function is given, not a picture from the lesson.")
    for number, ((_, truth, second), answer) in enumerate(zip(scenes, answers), start=1):
        if answer == truth:
            message, hint = "", ""
        elif answer not in names:
            message, hint = (f"{brief(answer)} is not one of the model's labels",
                             "Look the index up in model.config.id2label, which holds the model's label names.")
        elif answer == second:
            message, hint = ("that is the model's second choice for this picture",
                             "Take the argmax of the logits, the largest score.")
        else:
            message, hint = ("that is not the model's top label for this picture",
                             "processor(images=image, return_tensors='pt') -> model(**inputs).logits -> argmax -> "
                             "id2label.")
        expect(answer == truth, f"new picture {number}", message, hint)
