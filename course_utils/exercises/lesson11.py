"""Checks for lesson 11 (BLIP): writing a caption with generate(), and picking a caption with the matching head.

Pictures and captions are drawn anew each run from the course's shapes world; failures name the kind of mistake,
never the caption the model writes or prefers.
"""

import random

import torch

from ..checks import Wrong, call_by_hand, call_learner, calls_to, exercise, expect, require_type
from .probes import caption_material, fresh, new_scenes, pick_probes

MAX_NEW_TOKENS = 20
MIN_MARGIN = 0.3  # in match-minus-no-match logits, so a correct answer never hinges on rounding


def _captioned(model, processor, rng: random.Random, count: int = 4):
    """New pictures with the caption generate() writes for each; drawn again (a few times at most) until the
    captions do not all begin with the same three words, so neither a constant nor a fixed text prompt passes.
    Each picture is captioned alone, as the learner's function does: a batch's arithmetic can differ in the last
    bits, enough to flip a close choice between two words."""
    for _ in range(5):
        images = [image for image, _ in new_scenes(rng, count)]
        captions = []
        for image in images:
            with torch.no_grad():
                ids = model.generate(**processor(images=image, return_tensors="pt"), max_new_tokens=MAX_NEW_TOKENS)
            captions.append(processor.decode(ids[0], skip_special_tokens=True).strip())
        if len({tuple(c.split()[:3]) for c in captions}) > 1:
            break
    return list(zip(images, captions))


def _caption_problem(answer: str, truth: str):
    mine = answer.strip()
    if "[" in mine and not ("[" in truth):
        return "your caption still has special tokens in it", "Pass skip_special_tokens=True to decode."
    if truth.startswith(mine):
        return "your caption stops early", f"Let generate() write up to max_new_tokens={MAX_NEW_TOKENS} tokens."
    if mine.lower().startswith("a photo of") and not truth.startswith("a photo of"):
        return ("your caption continues a text prompt", "Pass only the image to the processor: processor(images="
                "image, return_tensors='pt').")
    return ("your caption differs from what generate() writes for this picture",
            f"processor(images=image, return_tensors='pt') -> model.generate(**inputs, max_new_tokens="
            f"{MAX_NEW_TOKENS}) -> processor.decode(ids[0], skip_special_tokens=True).")


@exercise("11.1", "write a caption")
def check_caption(caption, model, processor):
    import transformers

    answers, probes = [], _captioned(model, processor, fresh())
    for number, (image, truth) in enumerate(probes, start=1):
        part = f"new picture {number}"
        with calls_to(type(model), "generate") as generated, calls_to(transformers.Pipeline, "__call__") as runs:
            answer = call_learner(caption, image, part=f"caption on {part}")
        if runs:
            raise Wrong("the method: generate()", "your function ran a pipeline",
                        "Call captioner.generate() on the processor's output yourself, then decode.")
        if not any(args and args[0] is model for args, _ in generated):
            raise Wrong("the method: generate()", "your function did not call captioner.generate()",
                        f"processor(images=image, return_tensors='pt') -> captioner.generate(**inputs, "
                        f"max_new_tokens={MAX_NEW_TOKENS}) -> processor.decode.")
        answers.append(require_type(answer, str, "caption", "a string", "Decode the generated ids with "
                                    "processor.decode(ids[0], skip_special_tokens=True)."))
        right = answer.strip() == truth
        message, hint = ("", "") if right else _caption_problem(answer, truth)
        expect(right, part, message, hint)
    if len(set(answers)) == 1 and len({truth for _, truth in probes}) > 1:
        expect(False, "a caption for each picture", "your function wrote the same caption for every picture",
               "Caption the image your function is given, not a picture from the lesson.")


def _scores(model, processor, image, captions):
    """The matching head's match-minus-no-match logits and raw match logits, and the embeddings' cosines, of one
    picture against each caption: what the model's forward pass gives, with and without use_itm_head."""
    with torch.no_grad():
        itm = model(**processor(images=[image] * len(captions), text=captions, padding=True,
                                return_tensors="pt")).itm_score
        cosine = model(**processor(images=image, text=captions, padding=True, return_tensors="pt"),
                       use_itm_head=False).itm_score[0]
    return itm[:, 1] - itm[:, 0], itm[:, 1], cosine


def _screening_scores(model, processor, material):
    """`_scores` for many pictures at once, each picture encoded once instead of once per caption (the forward
    pass's own steps), so drawing probes stays quick with the Hub's large BLIP too."""
    from torch.nn.functional import normalize

    pixels = processor(images=[image for image, _, _ in material], return_tensors="pt")["pixel_values"]
    right, wrong = [], []
    with torch.no_grad():
        for picture, (_, true, false) in zip(model.vision_model(pixel_values=pixels).last_hidden_state, material):
            text = processor(text=true + false, padding=True, return_tensors="pt")
            seen = picture.expand(len(true + false), -1, -1)
            read = model.text_encoder(input_ids=text["input_ids"], attention_mask=text["attention_mask"],
                                      encoder_hidden_states=seen,
                                      encoder_attention_mask=torch.ones(seen.shape[:-1], dtype=torch.long))
            itm = model.itm_head(read.last_hidden_state[:, 0])
            alone = model.text_encoder(input_ids=text["input_ids"], attention_mask=text["attention_mask"])
            words = normalize(model.text_proj(alone.last_hidden_state[:, 0]), dim=-1)
            right.append(itm[:, 1] - itm[:, 0])
            wrong.append(words @ normalize(model.vision_proj(picture[0]), dim=-1))
    return right, wrong


def _match_probes(model, processor, rng: random.Random, count: int = 3, rounds: int = 6):
    """Pictures whose best match is clear, one of them where the embeddings' cosine prefers another caption
    (drawing again, a few times at most, until one is found)."""
    for _ in range(rounds):
        material = caption_material(rng, 2 * count + 2)
        right, wrong = _screening_scores(model, processor, material)
        probes, trapped = pick_probes(material, right, wrong, rng, count, MIN_MARGIN, 0.01)
        if trapped:
            break
    return probes


def _match_problem(answer, captions, match, raw, cosine):
    if answer not in captions:
        return ("your function returned a text that is not one of the captions",
                "Return captions[index], exactly as given.")
    index = captions.index(answer)
    if index == int(cosine.argmax()):
        return ("that is the caption whose embedding is closest (use_itm_head=False), not the matching head's choice",
                "Use the matching head: the model's default itm_score, softmax, column 1.")
    if index == int(match.argmin()):
        return "that is the caption the matching head likes least", \
            "Column 1 of the softmax is 'match' (column 0 is 'no match'); take its argmax."
    if index == int(raw.argmax()):
        return ("that caption has the largest raw 'match' logit, but not the largest match probability",
                "Apply softmax over the two columns first, then take column 1.")
    return "the matching head prefers another caption", \
        "Repeat the image once per caption, run the model, softmax itm_score, and take column 1 (match)."


@exercise("11.2", "choose a caption with the matching head")
def check_best_match(best_match, model, processor):
    positions, truths = set(), set()
    for number, (image, captions) in enumerate(_match_probes(model, processor, fresh()), start=1):
        part = f"new picture {number} with {len(captions)} captions"
        answer = call_by_hand(best_match, image, list(captions), part=f"best_match on {part}",
                              name="the method: the matching head", hint="Use matcher and match_processor directly.")
        require_type(answer, str, "best_match", "one of the captions",
                     "Return captions[index], not the index or the probability.")
        match, raw, cosine = _scores(model, processor, image, captions)
        positions.add(captions.index(answer) if answer in captions else None)
        truths.add(int(match.argmax()))
        right = answer == captions[int(match.argmax())]
        message, hint = ("", "") if right else _match_problem(answer, captions, match, raw, cosine)
        expect(right, part, message, hint)
    if len(positions) == 1 and len(truths) > 1:
        expect(False, "a caption for each picture", "you returned the caption at the same position every time",
               "Score every caption against the image you are given, and return the best one.")
