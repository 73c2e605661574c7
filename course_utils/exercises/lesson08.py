"""Checks for lesson 08 (ViT): counting the tokens an image becomes, and classifying an image by hand."""

from ..checks import Wrong, call_learner, exercise, expect, require_type
from ..data import shapes

# Sizes the lesson does not use, with the token counts a ViT makes of them (patches + [CLS]).
PROBE_SIZES = [(224, 16, 197), (384, 16, 577), (224, 32, 50), (96, 8, 145), (32, 4, 65)]
PROBE_SCENES = [("green", "triangle", 701), ("yellow", "square", 702), ("blue", "circle", 703),
                ("red", "triangle", 704), ("yellow", "circle", 705)]


@exercise("8.1", "count the tokens a ViT reads")
def check_count_tokens(count_tokens, model):
    for image_size, patch_size, truth in PROBE_SIZES:
        answer = call_learner(count_tokens, image_size, patch_size, part=f"count_tokens({image_size}, {patch_size})")
        if not isinstance(answer, int) or isinstance(answer, bool):
            raise Wrong("type", f"count_tokens returned {type(answer).__name__} {answer!r}, expected an int",
                        "Use integer division `//`, and return a plain int.")
        patches = (image_size // patch_size) ** 2
        if answer == patches:
            raise Wrong(f"count_tokens({image_size}, {patch_size})",
                        f"{answer} counts the patches but not the extra token the model adds in front",
                        "The [CLS] token is one more position in the sequence.")
        expect(answer == truth, f"count_tokens({image_size}, {patch_size})", f"you said {answer}",
               "Patches per side = image_size // patch_size; a square image has that many squared; add [CLS].")
    config = model.config
    import torch

    with torch.no_grad():
        pixels = torch.zeros(1, config.num_channels, config.image_size, config.image_size)
        length = model(pixel_values=pixels, output_hidden_states=True).hidden_states[-1].shape[1]
    answer = call_learner(count_tokens, config.image_size, config.patch_size, part="on this lesson's model")
    expect(answer == length, "on this lesson's model",
           f"for image_size={config.image_size}, patch_size={config.patch_size} you said {answer}; the model's "
           f"hidden states have {length} positions", "Check your formula against `outputs.hidden_states[-1].shape`.")


@exercise("8.2", "classify an image by hand")
def check_top_label(top_label, classifier):
    for colour, shape, seed in PROBE_SCENES:
        image = shapes.scene_image(colour, shape, seed=seed)
        answer = call_learner(top_label, image, part="top_label(image)")
        require_type(answer, str, "top_label", "a label string",
                     "Turn the index of the largest logit into a name with `model.config.id2label`.")
        truth = classifier(image)[0]["label"]
        expect(answer == truth, f"a {colour} {shape} (seed {seed})",
               f"the pipeline's top label is {truth!r}, your function said {answer!r}",
               "processor(images=image, return_tensors='pt') -> model(**inputs).logits -> argmax -> id2label.")
