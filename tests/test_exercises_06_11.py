"""The exercise checks of lessons 06-10 against the answers a learner or a shortcut-seeker would write.

Every wrong answer (a constant, a lookup table, a fixed index, the forbidden shortcut, an off-by-one, a wrong type)
must fail with a hint, every correct alternative must pass, and `...` is not attempted. The checks draw new probes
on every run, so these tests also hold across draws. Models: the test shelf's stand-ins and the packaged MiniLM.
"""

import pytest
import torch
import torch.nn.functional as F

from course_utils import checkpoint
from course_utils.data import shapes
from course_utils.exercises import lesson06, lesson07, lesson08, lesson09, lesson10, lesson11


def feedback(check, *args):
    check(*args)
    return check.last


def passes(check, *args):
    result = feedback(check, *args)
    assert result.status == "pass", result.as_text()
    return result


def fails(check, *args, word=""):
    """The check fails, every failing part has a hint, and (when given) `word` is in a failing part's name or
    message; never a traceback."""
    result = feedback(check, *args)
    bad = [p for p in result.parts if not p.ok]
    assert result.status == "fail" and bad, result.as_text()
    assert all(p.hint for p in bad), result.as_text()
    assert not word or any(word in f"{p.name}: {p.message}" for p in bad), result.as_text()
    assert "Traceback" not in result.as_text()
    return result


def not_attempted(check, *args):
    assert feedback(check, *args).status == "not attempted"


class Spy:
    """A learner's function that keeps what the check passed it, and answers with `answer(*args)`."""

    def __init__(self, answer):
        self.answer, self.seen = answer, []

    def __call__(self, *args, **kwargs):
        self.seen.append((args, kwargs))
        return self.answer(*args, **kwargs)


# ---- lessons 06 and 07: question answering, translation, generation -----------------------------------------------------

@pytest.fixture(scope="module")
def qa():
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    folder = checkpoint("question-answering")
    return AutoTokenizer.from_pretrained(folder), AutoModelForQuestionAnswering.from_pretrained(folder).eval()


def spans_by_loop(start_logits, end_logits, sequence_ids, k=3, max_answer_tokens=15):
    context = [i for i, part in enumerate(sequence_ids) if part == 1]
    pairs = [(float(start_logits[i] + end_logits[j]), (i, j))
             for i in context for j in context if i <= j < i + max_answer_tokens]
    pairs.sort(key=lambda item: item[0], reverse=True)
    return [pair for _, pair in pairs[:k]]


def spans_by_table(start_logits, end_logits, sequence_ids, k=3, max_answer_tokens=15):
    """The lesson's masked score table, with topk: another correct way."""
    n = len(sequence_ids)
    in_context = torch.tensor([part == 1 for part in sequence_ids])
    ones = torch.ones(n, n, dtype=torch.bool)
    allowed = in_context[:, None] & in_context[None, :] & ones.triu() & ~ones.triu(max_answer_tokens)
    scores = (start_logits[:, None] + end_logits[None, :]).masked_fill(~allowed, float("-inf"))
    return [divmod(int(i), n) for i in scores.flatten().topk(k).indices]


def spans_breaking(rule):
    """The loop answer with one rule left out or got wrong."""
    def answer(start_logits, end_logits, sequence_ids, k=3, max_answer_tokens=15):
        n = len(sequence_ids)
        allowed = [i for i in range(n) if sequence_ids[i] == 1 or rule == "context"]
        limit = {"longer": max_answer_tokens + 1, "shorter": max_answer_tokens - 1, "fixed": 15}.get(
            rule, max_answer_tokens)
        pairs = [(float(start_logits[i] + end_logits[j]), (i, j)) for i in allowed for j in allowed
                 if (i <= j or rule == "order") and j - i < limit]
        pairs.sort(key=lambda item: item[0], reverse=True)
        best = [pair for _, pair in pairs[:3 if rule == "k" else k]]
        return best[::-1] if rule == "ascending" else best
    return answer


def test_06_top_spans_right_answers_pass(qa):
    passes(lesson06.check_top_spans, spans_by_loop, *qa)
    passes(lesson06.check_top_spans, spans_by_table, *qa)
    passes(lesson06.check_top_spans, lambda *a, **kw: [tuple(p) for p in torch.tensor(spans_by_loop(*a, **kw))], *qa)


@pytest.mark.parametrize("rule, word", [("context", "context"), ("order", "before it starts"),
                                        ("longer", "longer"), ("fixed", "longer"), ("shorter", "missing"),
                                        ("k", "asked"), ("ascending", "best first")])
def test_06_top_spans_each_broken_rule_fails(qa, rule, word):
    fails(lesson06.check_top_spans, spans_breaking(rule), *qa, word=word)


def test_06_top_spans_shortcuts_fail(qa):
    def argmax_only(start_logits, end_logits, sequence_ids, k=3, max_answer_tokens=15):
        return [(int(start_logits.argmax()), int(end_logits.argmax()))] * k

    fails(lesson06.check_top_spans, argmax_only, *qa)
    copied = [(12, 14), (12, 13), (11, 14), (10, 14), (12, 15)]  # pairs a learner saw once
    fails(lesson06.check_top_spans, lambda s, e, ids, k=3, max_answer_tokens=15: copied[:k], *qa)
    fails(lesson06.check_top_spans, lambda s, e, ids, k=3, max_answer_tokens=15: ["a span"] * k, *qa, word="pairs")
    fails(lesson06.check_top_spans, lambda s, e, ids, k=3, max_answer_tokens=15: 1 / 0, *qa, word="ZeroDivisionError")
    not_attempted(lesson06.check_top_spans, lambda s, e, ids, k=3, max_answer_tokens=15: ..., *qa)
    not_attempted(lesson06.check_top_spans, ..., *qa)


@pytest.fixture(scope="module")
def mt():
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    folder = checkpoint("translation")
    return AutoTokenizer.from_pretrained(folder), AutoModelForSeq2SeqLM.from_pretrained(folder).eval()


def translator(mt, **settings):
    tokenizer, model = mt

    def translate(sentences):
        batch = tokenizer(sentences, padding=True, return_tensors="pt")
        return tokenizer.batch_decode(model.generate(**batch, **settings), skip_special_tokens=True)
    return translate


def test_06_translate_right_answers_pass(mt):
    from transformers import GenerationConfig

    passes(lesson07.check_translate, translator(mt, num_beams=4), *mt)
    passes(lesson07.check_translate, translator(mt, num_beams=4, max_new_tokens=60), *mt)
    passes(lesson07.check_translate, translator(mt, generation_config=GenerationConfig(
        num_beams=4, max_new_tokens=48, decoder_start_token_id=0, eos_token_id=1, pad_token_id=0)), *mt)


def test_06_translate_greedy_sampling_and_other_beams_fail(mt):
    fails(lesson07.check_translate, translator(mt), *mt, word="greedy")  # the reproduction
    fails(lesson07.check_translate, translator(mt, num_beams=1), *mt, word="greedy")
    fails(lesson07.check_translate, translator(mt, num_beams=2), *mt, word="num_beams=2")
    fails(lesson07.check_translate, translator(mt, do_sample=True, num_beams=4), *mt, word="sampled")


def test_06_translate_one_call_per_sentence_fails(mt):
    one = translator(mt, num_beams=4)
    fails(lesson07.check_translate, lambda sentences: [one([s])[0] for s in sentences], *mt, word="times")


def test_06_translate_other_wrong_answers_fail(mt):
    tokenizer, model = mt
    beam = translator(mt, num_beams=4)

    def with_special_tokens(sentences):
        batch = tokenizer(sentences, padding=True, return_tensors="pt")
        return tokenizer.batch_decode(model.generate(**batch, num_beams=4))

    fails(lesson07.check_translate, with_special_tokens, *mt, word="special")
    fails(lesson07.check_translate, translator(mt, num_beams=4, max_new_tokens=3), *mt, word="stops early")
    fails(lesson07.check_translate, lambda sentences: beam(sentences)[::-1], *mt, word="4 beams")
    fails(lesson07.check_translate, lambda sentences: beam(sentences[:1]), *mt, word="one text per sentence")
    fails(lesson07.check_translate, lambda sentences: ["We eat an apple."] * len(sentences), *mt)
    not_attempted(lesson07.check_translate, lambda sentences: ..., *mt)


@pytest.fixture(scope="module")
def lm():
    from transformers import AutoModelForCausalLM, AutoTokenizer

    folder = checkpoint("text-generation")
    return AutoTokenizer.from_pretrained(folder), AutoModelForCausalLM.from_pretrained(folder).eval()


def test_06_deterministic_settings(lm):
    check = lesson07.check_deterministic
    passes(check, dict(do_sample=False, max_new_tokens=12), *lm)
    passes(check, {"do_sample": False, "num_beams": 3, "max_new_tokens": 10}, *lm)
    passes(check, dict(do_sample=True, top_k=1, max_new_tokens=12), *lm)
    fails(check, dict(do_sample=True, max_new_tokens=12), *lm, word="seed")
    fails(check, dict(do_sample=True, temperature=1.5, top_k=0, max_new_tokens=12), *lm, word="seed")
    fails(check, dict(max_new_tokens=12), *lm, word="saved settings")  # relies on the model's own defaults
    fails(check, dict(do_sample=False), *lm, word="12 new tokens")
    fails(check, dict(do_sample=False, max_new_tokens=13), *lm, word="12 new tokens")
    fails(check, dict(do_sample=False, max_new_tokens=1), *lm, word="says something")
    fails(check, dict(do_sample=False, max_tokens=12), *lm, word="valid arguments")
    fails(check, ["do_sample", False], *lm, word="dict")
    not_attempted(check, ..., *lm)


# ---- lesson 08: BERT ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def unmasker():
    from transformers import pipeline

    return pipeline("fill-mask", model=checkpoint("fill-mask"))


def guesser(unmasker, rank=0, offset=0, how=lambda tokenizer, token_id: tokenizer.decode(token_id).strip()):
    tokenizer, model = unmasker.tokenizer, unmasker.model

    def top_guess(sentence):
        encoded = tokenizer(sentence, return_tensors="pt")
        with torch.no_grad():
            logits = model(**encoded).logits[0]
        where = int((encoded["input_ids"][0] == tokenizer.mask_token_id).nonzero()[0, 0]) + offset
        return how(tokenizer, logits[where].topk(rank + 1).indices[rank])
    return top_guess


def test_07_top_guess_right_answers_pass(unmasker):
    passes(lesson08.check_top_guess, guesser(unmasker), unmasker)
    passes(lesson08.check_top_guess, guesser(unmasker, how=lambda t, i: t.convert_ids_to_tokens(int(i))), unmasker)
    passes(lesson08.check_top_guess, guesser(unmasker, how=lambda t, i: " " + t.decode([int(i)]) + " "), unmasker)


def test_07_top_guess_shortcuts_and_slips_fail(unmasker):
    check = lesson08.check_top_guess
    fails(check, lambda sentence: unmasker(sentence)[0]["token_str"], unmasker, word="pipeline")
    fails(check, lambda sentence: "the", unmasker, word="every sentence")
    lookup = {f"We walked along the {unmasker.tokenizer.mask_token} and watched the waves.": "beach"}
    fails(check, lambda sentence: lookup.get(sentence, "the"), unmasker)
    fails(check, guesser(unmasker, rank=1), unmasker, word="next few guesses")
    fails(check, guesser(unmasker, offset=1), unmasker)
    fails(check, guesser(unmasker, how=lambda t, i: t.decode(i).strip().upper()), unmasker, word="capitals")
    fails(check, guesser(unmasker, how=lambda t, i: int(i)), unmasker, word="type")
    not_attempted(check, lambda sentence: ..., unmasker)


@pytest.fixture(scope="module")
def minilm():
    from transformers import AutoModel, AutoTokenizer

    from course_utils.shelf.recipes.common import minilm_path

    return AutoTokenizer.from_pretrained(minilm_path()), AutoModel.from_pretrained(minilm_path()).eval()


def vector_of(minilm, pick="mean", layer=-1):
    tokenizer, encoder = minilm

    def word_vector(sentence, word):
        start = sentence.index(word)
        encoded = tokenizer(sentence, return_tensors="pt", return_offsets_mapping=True)
        offsets = encoded.pop("offset_mapping")[0].tolist()
        positions = [i for i, (s, e) in enumerate(offsets) if s >= start and e <= start + len(word) and e > s]
        with torch.no_grad():
            hidden = encoder(**encoded, output_hidden_states=True).hidden_states[layer][0]
        return {"mean": hidden[positions].mean(dim=0), "first": hidden[positions[0]],
                "sum": hidden[positions].sum(dim=0), "sentence": hidden.mean(dim=0),
                "batched": hidden[positions].mean(dim=0, keepdim=True)}[pick]
    return word_vector


def test_07_word_vector(minilm):
    tokenizer, encoder = minilm
    check = lesson08.check_word_vector

    def by_word_ids(sentence, word):
        """Another correct way: the tokens of the tokenizer's own word that starts where `word` does."""
        encoded = tokenizer(sentence, return_tensors="pt")
        mine = encoded.char_to_word(sentence.index(word))
        positions = [i for i, w in enumerate(encoded.word_ids()) if w == mine]
        with torch.no_grad():
            return encoder(**encoded).last_hidden_state[0, positions].mean(dim=0)

    passes(check, vector_of(minilm), *minilm)
    passes(check, by_word_ids, *minilm)
    fails(check, vector_of(minilm, "first"), *minilm, word="only one of them")
    fails(check, vector_of(minilm, "sum"), *minilm, word="added")
    fails(check, vector_of(minilm, "sentence"), *minilm, word="whole sentence")
    fails(check, vector_of(minilm, layer=0), *minilm, word="differs")
    fails(check, vector_of(minilm, "batched"), *minilm, word="shape")
    fails(check, lambda s, w: vector_of(minilm)(s, w).tolist(), *minilm, word="tensor")
    not_attempted(check, lambda s, w: ..., *minilm)


def pool_masked(hidden, mask):
    weights = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * weights).sum(dim=1) / weights.sum(dim=1)


def test_07_mean_pool(minilm):
    check = lesson08.check_mean_pool

    def in_place(hidden, mask):
        hidden *= mask.unsqueeze(-1)
        return hidden.sum(dim=1) / mask.sum(dim=1, keepdim=True)

    def by_length(hidden, mask):
        return torch.stack([row[: int(n)].mean(dim=0) for row, n in zip(hidden, mask.sum(dim=1))])

    passes(check, pool_masked, *minilm)
    passes(check, lambda h, m: torch.einsum("bth,bt->bh", h, m.float()) / m.sum(1, keepdim=True).clamp(min=1e-9),
           *minilm)
    fails(check, lambda h, m: h.mean(dim=1), *minilm, word="padding")
    fails(check, lambda h, m: (h * m.unsqueeze(-1)).sum(dim=1), *minilm, word="without dividing")
    fails(check, lambda h, m: h[:, 0], *minilm, word="first token")
    fails(check, by_length, *minilm, word="left")  # right for right padding only
    fails(check, in_place, *minilm, word="in place")
    fails(check, lambda h, m: pool_masked(h, m).T, *minilm, word="shape")
    fails(check, lambda h, m: pool_masked(h, m).tolist(), *minilm, word="tensor")
    not_attempted(check, ..., *minilm)


# ---- lesson 09: ViT ----------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def vit():
    from transformers import AutoImageProcessor, AutoModelForImageClassification, pipeline

    folder = checkpoint("image-classification")
    model = AutoModelForImageClassification.from_pretrained(folder).eval()
    return model, AutoImageProcessor.from_pretrained(folder), pipeline("image-classification", model=folder)


def test_08_count_tokens(vit):
    import math

    model = vit[0]
    check = lesson09.check_count_tokens
    old_probes = {(224, 16): 197, (384, 16): 577, (224, 32): 50, (96, 8): 145, (32, 4): 65}  # the old fixed sizes
    passes(check, lambda size, patch: (size // patch) ** 2 + 1, model)
    passes(check, lambda size, patch: math.floor(size / patch) * math.floor(size / patch) + 1, model)
    fails(check, lambda size, patch: (size // patch) ** 2, model, word="extra token")
    fails(check, lambda size, patch: size // patch + 1, model, word="one side")
    fails(check, lambda size, patch: math.ceil(size / patch) ** 2 + 1, model, word="leftover")
    fails(check, lambda size, patch: old_probes.get((size, patch), 197), model)
    fails(check, lambda size, patch: 197, model)
    fails(check, lambda size, patch: (size / patch) ** 2 + 1, model, word="type")
    not_attempted(check, lambda size, patch: ..., model)


def labeller(vit, rank=0, image=None):
    model, processor, _ = vit

    def top_label(picture):
        with torch.no_grad():
            logits = model(**processor(images=picture if image is None else image, return_tensors="pt")).logits[0]
        return model.config.id2label[int(logits.topk(rank + 1).indices[rank])]
    return top_label


def test_08_top_label(vit):
    model, processor, classifier = vit
    check = lesson09.check_top_label
    passes(check, labeller(vit), classifier)

    def by_softmax(picture):
        with torch.no_grad():
            probabilities = model(**processor(images=[picture], return_tensors="pt")).logits.softmax(-1)[0]
        return model.config.id2label[int(probabilities.argmax())]

    passes(check, by_softmax, classifier)
    fails(check, lambda picture: classifier(picture)[0]["label"], classifier, word="pipeline")  # the case
    fails(check, labeller(vit, rank=1), classifier, word="second choice")
    fails(check, labeller(vit, image=shapes.scene_image("red", "circle", seed=0)), classifier, word="every picture")
    def index(picture):
        with torch.no_grad():
            return int(model(**processor(images=picture, return_tensors="pt")).logits.argmax())

    fails(check, lambda picture: f"LABEL_{index(picture)}", classifier, word="not one of the model's labels")
    fails(check, index, classifier, word="type")
    not_attempted(check, lambda picture: ..., classifier)


# ---- lesson 10: CLIP ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def clip():
    from transformers import AutoModel, AutoProcessor, pipeline

    folder = checkpoint("clip")
    return (AutoModel.from_pretrained(folder).eval(), AutoProcessor.from_pretrained(folder),
            pipeline("zero-shot-image-classification", model=folder))


def labels(form):
    return [form.format(colour=c, shape=s) for c in shapes.COLOURS for s in shapes.SHAPES]


@pytest.mark.parametrize("form", ["{colour} {shape}", "{colour} {shape}s", "{shape}, {colour}",
                                  "a photo of a {colour} {shape}", "{colour}-{shape}", "A {colour} {shape}."])
def test_09_candidate_labels_in_any_fair_wording_pass(clip, form):
    passes(lesson10.check_candidate_labels, labels(form), clip[2])


def test_09_candidate_labels_wrong_answers_fail(clip):
    check, detector = lesson10.check_candidate_labels, clip[2]
    passes(check, tuple(reversed(labels("{colour} {shape}"))), detector)
    fails(check, labels("{colour} {shape}")[:-1], detector, word="yellow triangle")
    fails(check, labels("{colour} {shape}") + ["red circles"], detector, word="more than one label")
    fails(check, [f"{c} {s}" for c in list(shapes.COLOURS)[:3] for s in shapes.SHAPES], detector, word="no label")
    fails(check, list(shapes.COLOURS), detector, word="no shape")
    fails(check, labels("{shape}"), detector, word="no colour")
    fails(check, labels("{colour} or blue {shape}"), detector, word="2 colours")
    fails(check, labels("{colour}{shape}"), detector, word="word of its own")
    fails(check, "red circle, blue square", detector, word="type")
    fails(check, [(c, s) for c in shapes.COLOURS for s in shapes.SHAPES], detector, word="type")
    not_attempted(check, ..., detector)


def ranker(clip, normalise=True, pick=torch.argmax, image=None):
    model, processor, _ = clip

    def best_caption(picture, captions):
        shown = picture if image is None else image
        with torch.no_grad():
            vector = model.get_image_features(**processor(images=shown, return_tensors="pt")).pooler_output
            texts = model.get_text_features(**processor(text=captions, padding=True, return_tensors="pt")).pooler_output
        if normalise:
            vector, texts = F.normalize(vector, dim=-1), F.normalize(texts, dim=-1)
        return captions[int(pick(texts @ vector[0]))]
    return best_caption


def test_09_best_caption(clip):
    model, processor, detector = clip
    check = lesson10.check_best_caption

    def by_cosine(picture, captions):
        with torch.no_grad():
            vector = model.get_image_features(**processor(images=[picture], return_tensors="pt")).pooler_output
            texts = model.get_text_features(**processor(text=captions, padding=True, return_tensors="pt")).pooler_output
        return captions[int(F.cosine_similarity(texts, vector).argmax())]

    def by_forward(picture, captions):
        with torch.no_grad():
            inputs = processor(text=captions, images=picture, padding=True, return_tensors="pt")
            return captions[int(model(**inputs).logits_per_image.argmax())]

    passes(check, ranker(clip), model, processor)
    passes(check, by_cosine, model, processor)
    fails(check, lambda picture, captions: detector(picture, candidate_labels=captions,
                                                    hypothesis_template="{}")[0]["label"],
          model, processor, word="pipeline")  # the case
    fails(check, by_forward, model, processor, word="logits_per_image")
    fails(check, ranker(clip, normalise=False), model, processor, word="normalised")
    fails(check, ranker(clip, pick=torch.argmin), model, processor, word="least similar")
    fails(check, ranker(clip, image=shapes.scene_image("red", "circle", seed=40)), model, processor)
    fails(check, lambda picture, captions: (ranker(clip)(picture, captions), captions[0])[1], model, processor)
    fails(check, lambda picture, captions: captions.index(ranker(clip)(picture, captions)), model, processor,
          word="type")
    not_attempted(check, lambda picture, captions: ..., model, processor)


# ---- lesson 11: BLIP ---------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def blip():
    from transformers import AutoProcessor, BlipForConditionalGeneration, BlipForImageTextRetrieval

    captioning, retrieval = checkpoint("blip-captioning"), checkpoint("blip-retrieval")
    return (BlipForConditionalGeneration.from_pretrained(captioning).eval(), AutoProcessor.from_pretrained(captioning),
            BlipForImageTextRetrieval.from_pretrained(retrieval).eval(), AutoProcessor.from_pretrained(retrieval))


def captioner_answer(blip, prompt=None, skip=True, image=None, **settings):
    model, processor = blip[:2]

    def caption(picture):
        inputs = processor(images=picture if image is None else image, text=prompt, return_tensors="pt")
        with torch.no_grad():
            ids = model.generate(**inputs, **{"max_new_tokens": 20, **settings})
        return processor.decode(ids[0], skip_special_tokens=skip)
    return caption


def test_10_caption(blip):
    model, processor = blip[:2]
    check = lesson11.check_caption

    def by_hand(picture):
        """The lesson's own greedy loop: the same words, but the exercise asks for generate()."""
        pixels = processor(images=picture, return_tensors="pt")["pixel_values"]
        tokens = torch.tensor([[model.config.text_config.bos_token_id]])
        for _ in range(20):
            with torch.no_grad():
                next_id = int(model(pixel_values=pixels, input_ids=tokens).logits[0, -1].argmax())
            tokens = torch.cat([tokens, torch.tensor([[next_id]])], dim=1)
            if next_id == model.config.text_config.sep_token_id:
                break
        return processor.decode(tokens[0], skip_special_tokens=True)

    passes(check, captioner_answer(blip), model, processor)
    passes(check, captioner_answer(blip, max_new_tokens=30), model, processor)
    fails(check, captioner_answer(blip, skip=False), model, processor, word="special tokens")
    fails(check, captioner_answer(blip, prompt="a photo of"), model, processor)
    fails(check, captioner_answer(blip, max_new_tokens=3), model, processor, word="stops early")
    fails(check, captioner_answer(blip, image=shapes.scene_image("red", "triangle", seed=60)), model, processor,
          word="same caption")
    fails(check, by_hand, model, processor, word="generate")
    fails(check, lambda picture: "a red circle", model, processor)
    fails(check, lambda picture: model.generate(**processor(images=picture, return_tensors="pt"), max_new_tokens=20),
          model, processor,
          word="type")
    not_attempted(check, lambda picture: ..., model, processor)


def matcher_answer(blip, column=1, pick=torch.argmax, itm=True):
    model, processor = blip[2:]

    def best_match(picture, captions):
        with torch.no_grad():
            if not itm:
                inputs = processor(images=picture, text=captions, padding=True, return_tensors="pt")
                return captions[int(pick(model(**inputs, use_itm_head=False).itm_score[0]))]
            inputs = processor(images=[picture] * len(captions), text=captions, padding=True, return_tensors="pt")
            probabilities = model(**inputs).itm_score.softmax(dim=-1)[:, column]
        return captions[int(pick(probabilities))]
    return best_match


def test_10_best_match(blip):
    model, processor = blip[2:]
    check = lesson11.check_best_match

    def one_at_a_time(picture, captions):
        scores = []
        for text in captions:
            with torch.no_grad():
                logits = model(**processor(images=picture, text=text, return_tensors="pt")).itm_score[0]
            scores.append(float(logits[1] - logits[0]))
        return captions[scores.index(max(scores))]

    passes(check, matcher_answer(blip), model, processor)
    passes(check, one_at_a_time, model, processor)
    fails(check, matcher_answer(blip, itm=False), model, processor, word="use_itm_head=False")
    fails(check, matcher_answer(blip, column=0), model, processor, word="likes least")
    fails(check, matcher_answer(blip, pick=torch.argmin), model, processor, word="likes least")
    fails(check, lambda picture, captions: captions[0], model, processor)
    fails(check, lambda picture, captions: captions.index(matcher_answer(blip)(picture, captions)), model, processor,
          word="type")
    not_attempted(check, lambda picture, captions: ..., model, processor)


# ---- every check: new probes each run, and no expected answer in a failure message ------------------------------

NO_IDEA = "(no idea)"


def content(value):
    """What a probe holds, comparable across runs (a picture by its pixels)."""
    if hasattr(value, "tobytes"):
        return value.tobytes()
    if isinstance(value, (list, tuple)):
        return tuple(content(v) for v in value)
    return value


def test_probes_are_new_each_run_and_failures_do_not_give_answers_away(qa, mt, unmasker, vit, clip, blip):
    """A wrong answer's feedback, read twice, tells nothing a lookup table could be built from."""
    runs = [
        (lesson07.check_translate, lambda sentences: [NO_IDEA] * len(sentences), mt, translator(mt, num_beams=4)),
        (lesson08.check_top_guess, lambda sentence: NO_IDEA, (unmasker,), guesser(unmasker)),
        (lesson09.check_top_label, lambda picture: NO_IDEA, (vit[2],), labeller(vit)),
        (lesson10.check_best_caption, ranker(clip, pick=torch.argmin), clip[:2], ranker(clip)),
        (lesson11.check_caption, lambda picture: NO_IDEA, blip[:2], captioner_answer(blip)),
        (lesson11.check_best_match, matcher_answer(blip, column=0), blip[2:], matcher_answer(blip)),
    ]
    for check, wrong, context, right in runs:
        first, second = Spy(wrong), Spy(wrong)
        texts = [fails(check, first, *context).as_text(), fails(check, second, *context).as_text()]
        assert content([args for args, _ in first.seen]) != content([args for args, _ in second.seen]), \
            f"{check.exercise}: the same probes twice"
        for spy, text in zip((first, second), texts):
            for args, _ in spy.seen:
                answers = right(*args)
                for answer in answers if isinstance(answers, list) else [answers]:
                    assert repr(answer) not in text, f"{check.exercise} shows an expected answer: {text}"


def test_made_up_span_cases_are_new_each_run(qa):
    first, second = Spy(spans_by_loop), Spy(spans_by_loop)
    passes(lesson06.check_top_spans, first, *qa)
    passes(lesson06.check_top_spans, second, *qa)
    assert first.seen[0][0][0].tolist() != second.seen[0][0][0].tolist()
