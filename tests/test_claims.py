"""Claims: a sentence about an output fails the tests when the output stops showing it, and only notes it for a
learner; a claim about offline stand-ins is not checked against the Hub's models."""

import pytest

from course_utils.claims import ClaimFailed, claim


def test_a_claim_that_holds_is_silent(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    claim("two is more than one", 2 > 1, about=None)
    assert capsys.readouterr().out == ""


def test_a_broken_claim_fails_the_tests_with_the_sentence(monkeypatch):
    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    with pytest.raises(ClaimFailed, match="The lesson says that cats outrank dogs.*P\\(cat\\)=0.1"):
        claim("cats outrank dogs", 0.1 > 0.2, about=None, detail="P(cat)=0.1, P(dog)=0.2")


def test_a_learner_gets_a_note_not_an_error(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_CLAIMS", raising=False)
    claim("cats outrank dogs", False, about=None)
    assert "Note: The lesson says that cats outrank dogs" in capsys.readouterr().out


def test_a_claim_about_a_role_is_checked_only_against_the_courses_own_model(monkeypatch):
    from course_utils import checkpoints

    kinds = {"fill-mask": "stand-in", "sentiment": "Hub", "feature-extraction": "real model"}
    monkeypatch.setattr(checkpoints, "resolve", lambda role: checkpoints.Resolution(role, "?", kinds[role], "", ""))
    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    claim("the Hub model says POSITIVE", False, about="sentiment")  # not checked: no exception
    claim("Hub and stand-in agree", False, about=("fill-mask", "sentiment"))
    with pytest.raises(ClaimFailed):
        claim("the stand-in guesses cat", False, about="fill-mask")
    with pytest.raises(ClaimFailed):
        claim("MiniLM puts the kitten near the cat", False, about="feature-extraction")
    with pytest.raises(ClaimFailed):
        claim("the tokenizer keeps 30522 tokens", False, about=None)


def test_a_computed_claim_runs_only_where_it_is_checked(monkeypatch):
    from course_utils import checkpoints

    kinds = {"image-classification": "Hub", "clip": "stand-in"}
    monkeypatch.setattr(checkpoints, "resolve", lambda role: checkpoints.Resolution(role, "?", kinds[role], "", ""))
    monkeypatch.setenv("COURSE_CLAIMS", "strict")

    def stand_in_labels_only():
        raise RuntimeError("computed against a Hub model")

    claim("the patch [CLS] reads holds the shape", stand_in_labels_only, about="image-classification")
    claim("the right label wins", lambda: True, about="clip")
    with pytest.raises(ClaimFailed):
        claim("the right label wins", lambda: False, about="clip")


def test_the_transformer_diagram_draws():
    import matplotlib

    matplotlib.use("agg")
    from course_utils.viz import transformer_diagram

    figure = transformer_diagram()
    texts = " ".join(t.get_text() for ax in figure.axes for t in ax.texts)
    assert "attention" in texts and "Pretraining" in texts and "Fine-tuning" in texts
