import pytest

from course_utils import CourseError, checkpoint, checkpoints, modes


def test_unknown_role_lists_the_known_roles():
    with pytest.raises(CourseError) as err:
        checkpoint("sentimnet")
    message = str(err.value)
    assert "'sentimnet'" in message
    for role in checkpoints.ROLES:
        assert role in message


def test_every_role_has_hub_id_description_and_an_offline_source():
    for role in checkpoints.ROLES.values():
        assert "/" in role.hub_id and role.description
        assert (role.recipe is None) != (role.packaged is None)
        if role.recipe:
            assert checkpoints.recipe_for(role).name == role.recipe


def test_hub_mode_returns_hub_ids(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "hub")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(modes, "hub_reachable", lambda timeout=2.0: True)
    assert checkpoint("sentiment") == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    assert checkpoint("feature-extraction") == "sentence-transformers/all-MiniLM-L6-v2"


def test_feature_extraction_offline_is_the_packaged_real_model():
    from pathlib import Path

    folder = Path(checkpoint("feature-extraction"))
    assert (folder / "model.safetensors").is_file() and (folder / "vocab.txt").is_file()


def test_offline_checkpoint_builds_a_missing_stand_in(monkeypatch, tmp_shelf):
    monkeypatch.setitem(checkpoints.ROLES, "toy", checkpoints.Role("toy", "someone/toy", "toy", "a toy", recipe="toy"))
    monkeypatch.setattr(checkpoints, "course_shelf", lambda: tmp_shelf)
    path = checkpoint("toy")
    assert path == str(tmp_shelf.root / "toy")
    assert (tmp_shelf.root / "toy" / "MANIFEST.json").is_file()
