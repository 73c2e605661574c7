import pytest

from course_utils import CourseError, checkpoint, checkpoints, modes, on_hub
from hubserver.fixtures import hub_repos, hub_server, online  # noqa: F401 (fixtures)


def test_unknown_role_lists_the_known_roles():
    with pytest.raises(CourseError) as err:
        checkpoint("sentimnet")
    message = str(err.value)
    assert "'sentimnet'" in message
    for role in checkpoints.ROLES:
        assert role in message


def test_every_role_has_hub_id_description_and_at_most_one_offline_source():
    for role in checkpoints.ROLES.values():
        assert "/" in role.hub_id and role.description
        assert role.recipe is None or role.packaged is None
        if role.recipe:
            assert checkpoints.recipe_for(role).name == role.recipe
    hub_only = [name for name, role in checkpoints.ROLES.items() if role.hub_only]
    assert hub_only == ["multilingual-sentiment", "distilbert", "chat", "blip-vqa"]


def test_hub_mode_returns_hub_ids(online, hub_server):
    online(hub_server.url, "hub")
    assert checkpoint("sentiment") == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    assert checkpoint("feature-extraction") == "sentence-transformers/all-MiniLM-L6-v2"
    assert modes.current_mode() == "hub"


def test_a_hub_only_role_offline_says_how_to_branch():
    with pytest.raises(CourseError) as err:
        checkpoint("chat")
    assert "on_hub('chat')" in str(err.value) and "HuggingFaceTB/SmolLM2-135M-Instruct" in str(err.value)
    assert on_hub("chat") is False


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
