"""Claims: a sentence about an output fails the tests when the output stops showing it, and only notes it for a
learner; a claim about offline stand-ins is not checked against the Hub's models."""

import pytest

from course_utils.claims import ClaimFailed, claim


def test_a_claim_that_holds_is_silent(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    assert claim("two is more than one", 2 > 1) is True
    assert capsys.readouterr().out == ""


def test_a_broken_claim_fails_the_tests_with_the_sentence(monkeypatch):
    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    with pytest.raises(ClaimFailed, match="The lesson says that cats outrank dogs.*P\\(cat\\)=0.1"):
        claim("cats outrank dogs", 0.1 > 0.2, detail="P(cat)=0.1, P(dog)=0.2")


def test_a_learner_gets_a_note_not_an_error(capsys, monkeypatch):
    monkeypatch.delenv("COURSE_CLAIMS", raising=False)
    assert claim("cats outrank dogs", False) is False
    assert "Note: The lesson says that cats outrank dogs" in capsys.readouterr().out


def test_a_claim_about_stand_ins_is_not_checked_in_hub_mode(monkeypatch):
    from course_utils import modes

    monkeypatch.setenv("COURSE_CLAIMS", "strict")
    monkeypatch.setattr(modes, "current_mode", lambda: "hub")
    assert claim("the stand-in says POSITIVE", False) is False
    with pytest.raises(ClaimFailed):
        claim("the tokenizer keeps 30522 tokens", False, modes=("offline", "hub"))


def test_the_transformer_diagram_draws():
    import matplotlib

    matplotlib.use("agg")
    from course_utils.viz import transformer_diagram

    figure = transformer_diagram()
    texts = " ".join(t.get_text() for ax in figure.axes for t in ax.texts)
    assert "attention" in texts and "Pretraining" in texts and "Fine-tuning" in texts
