"""The exercise checks of lesson 07: a right answer passes, a wrong one fails with a hint, `...` is not attempted.
(Lessons 00-05 have theirs in test_wrong_answers_00_05.py.)

They run on the packaged MiniLM (with new, seeded heads where a check needs one), so they need no shelf.
"""

import numpy as np
import pytest
import torch

from course_utils.exercises import lesson07


def status(check, *args):
    check(*args)
    return check.last


def failed_with_hint(feedback, part_word=""):
    bad = [p for p in feedback.parts if not p.ok]
    return (feedback.status == "fail" and bad and all(p.hint for p in bad)
            and (not part_word or any(part_word in p.name for p in bad)))


@pytest.fixture(scope="module")
def minilm():
    from course_utils.shelf.recipes.common import minilm_path

    return str(minilm_path())


@pytest.fixture(scope="module")
def tokenizer(minilm):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(minilm)


@pytest.fixture(scope="module")
def encoder(minilm):
    from transformers import AutoModel

    return AutoModel.from_pretrained(minilm)


# ---- lesson 07 ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def unmasker(minilm):
    from transformers import AutoModelForMaskedLM, AutoTokenizer, pipeline, set_seed

    set_seed(1)
    return pipeline("fill-mask", model=AutoModelForMaskedLM.from_pretrained(minilm),
                    tokenizer=AutoTokenizer.from_pretrained(minilm))


def test_07_top_guess(unmasker):
    tok, model = unmasker.tokenizer, unmasker.model

    def right(sentence):
        enc = tok(sentence, return_tensors="pt")
        with torch.no_grad():
            scores = model(**enc).logits[0]
        where = int((enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0])
        return tok.decode(scores[where].argmax()).strip()

    def second_best(sentence):
        enc = tok(sentence, return_tensors="pt")
        with torch.no_grad():
            scores = model(**enc).logits[0]
        where = int((enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0])
        return tok.decode(scores[where].topk(2).indices[1]).strip()

    check = lesson07.check_top_guess
    assert status(check, right, unmasker).status == "pass"
    assert failed_with_hint(status(check, second_best, unmasker))
    assert failed_with_hint(status(check, lambda s: 7, unmasker), "type")
    assert status(check, lambda s: ..., unmasker).status == "not attempted"


def word_positions(tokenizer, sentence, word):
    start = sentence.index(word)
    enc = tokenizer(sentence, return_tensors="pt", return_offsets_mapping=True)
    offsets = enc.pop("offset_mapping")[0].tolist()
    return enc, [i for i, (s, e) in enumerate(offsets) if s >= start and e <= start + len(word) and e > s]


def test_07_word_vector(tokenizer, encoder):
    def right(sentence, word):
        enc, positions = word_positions(tokenizer, sentence, word)
        with torch.no_grad():
            return encoder(**enc).last_hidden_state[0, positions].mean(dim=0)

    def first_piece(sentence, word):
        enc, positions = word_positions(tokenizer, sentence, word)
        with torch.no_grad():
            return encoder(**enc).last_hidden_state[0, positions[0]]

    check = lesson07.check_word_vector
    assert status(check, right, tokenizer, encoder).status == "pass"
    assert failed_with_hint(status(check, first_piece, tokenizer, encoder), "pieces")
    assert failed_with_hint(status(check, lambda s, w: right(s, w).tolist(), tokenizer, encoder))
    assert status(check, lambda s, w: ..., tokenizer, encoder).status == "not attempted"


def test_07_mean_pool(tokenizer, encoder):
    def right(hidden, mask):
        m = mask.unsqueeze(-1).float()
        return (hidden * m).sum(1) / m.sum(1)

    check = lesson07.check_mean_pool
    assert status(check, right, tokenizer, encoder).status == "pass"
    assert failed_with_hint(status(check, lambda h, m: h.mean(dim=1), tokenizer, encoder), "padding")
    assert failed_with_hint(status(check, lambda h, m: h[:, 0], tokenizer, encoder))
    assert status(check, ..., tokenizer, encoder).status == "not attempted"


def test_widget_static_view_colours_tokens_and_shows_ids(tokenizer):
    from course_utils.widgets import tokens_html

    html = tokens_html(tokenizer, "Hello 🤗 world")
    ids = tokenizer("Hello 🤗 world")["input_ids"]
    assert all(f">{i}</small>" in html for i in ids)
    assert html.count("<span") == len(ids) and "[UNK]" in html
    with pytest.raises(TypeError):
        tokens_html(tokenizer, 42)


def test_viz_helpers_draw_and_reject_bad_shapes():
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import viz

    tokens = ["[CLS]", "a", "b", "[SEP]"]
    weights = np.full((4, 4), 0.25)
    assert viz.attention_heatmap(weights, tokens) is not None
    assert viz.attention_grid([torch.full((1, 3, 4, 4), 0.25)] * 2, tokens).shape == (2, 3)
    with pytest.raises(ValueError):
        viz.attention_heatmap(np.ones((3, 4)), tokens)
    history = [{"loss": 1.0, "step": 2}, {"loss": 0.5, "step": 4}, {"eval_loss": 0.7, "step": 4}]
    assert viz.training_curves(history) is not None
    with pytest.raises(ValueError):
        viz.training_curves([{"train_runtime": 1.0}])
