"""Auto and hub mode against a Hub-protocol server on 127.0.0.1 and against things that are not the Hub."""

import os
import time

import pytest

from course_utils import CourseError, checkpoints, hubcache, lesson_setup, modes
from hubserver.fixtures import hub_repos, hub_server, online, silent_port  # noqa: F401 (fixtures)

TEXT_AND_VISION = [name for name, role in checkpoints.ROLES.items() if not role.hub_only]


def _decide_timed():
    started = time.monotonic()
    decision = modes.activate()
    return decision, time.monotonic() - started


@pytest.mark.parametrize("fault, phrase", [
    ("forbidden", "answered 403"),
    ("login", "login page"),
    ("other", "answered 404"),
    ("json", "does not describe"),
])
def test_auto_decides_offline_within_3_s_when_something_else_answers(online, hub_server, fault, phrase):
    online(hub_server.url)
    hub_server.fault = fault
    decision, seconds = _decide_timed()
    assert seconds < 3 and decision.mode == "offline"
    assert phrase in decision.reason and "127.0.0.1" in decision.reason and "huggingface.co" not in decision.reason
    assert os.environ["HF_HUB_OFFLINE"] == "1"


@pytest.mark.parametrize("where", ["silent", "refused", "unknown host"])
def test_auto_decides_offline_within_3_s_when_nothing_answers(online, silent_port, where):
    endpoint = {"silent": silent_port, "refused": "http://127.0.0.1:9", "unknown host": "http://hub.invalid"}[where]
    online(endpoint)
    decision, seconds = _decide_timed()
    assert seconds < 3 and decision.mode == "offline" and "did not answer" in decision.reason
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_hub_mode_refuses_a_login_page_in_one_sentence(online, hub_server):
    online(hub_server.url, "hub")
    hub_server.fault = "login"
    with pytest.raises(CourseError) as err:
        modes.activate()
    message = str(err.value)
    assert "login page" in message and "COURSE_MODE=offline" in message and "\n" not in message


def test_auto_picks_the_hub_when_it_answers_like_the_hub(online, hub_server):
    online(hub_server.url)
    decision, seconds = _decide_timed()
    assert decision.mode == "hub" and seconds < 3
    assert all(answer.state == "hub" for answer in decision.answers.values())
    assert "HF_HUB_OFFLINE" not in os.environ and os.environ["HF_HUB_ETAG_TIMEOUT"]


@pytest.mark.parametrize("missing", TEXT_AND_VISION)
def test_a_mirror_without_one_checkpoint_costs_that_role_only(online, hub_server, missing):
    online(hub_server.url)
    hub_server.hidden = {checkpoints.ROLES[missing].hub_id}
    for name in TEXT_AND_VISION:
        info = checkpoints.resolve(name)
        if name == missing:
            assert info.kind in ("stand-in", "real model"), info
            assert info.why == f"127.0.0.1:{hub_server.url.rsplit(':', 1)[1]} has no {checkpoints.ROLES[name].hub_id}"
        else:
            assert (info.kind, info.location) == ("Hub", checkpoints.ROLES[name].hub_id)


def test_lesson_setup_downloads_and_says_which_role_fell_back(online, hub_server, capsys):
    cache = online(hub_server.url)
    hub_server.hidden = {"facebook/bart-large-mnli"}
    models = lesson_setup("sentiment", "zero-shot", "chat")
    out = capsys.readouterr().out
    assert models["sentiment"] == "distilbert/distilbert-base-uncased-finetuned-sst-2-english"
    assert models["chat"] == "HuggingFaceTB/SmolLM2-135M-Instruct" and checkpoints.on_hub("chat")
    assert os.path.isdir(models["zero-shot"]) and not checkpoints.on_hub("zero-shot")
    assert hubcache.cached_snapshot("HuggingFaceTB/SmolLM2-135M-Instruct", cache) is not None
    assert "zero-shot: 127.0.0.1" in out and "has no facebook/bart-large-mnli" in out
    assert "stand-in for facebook/bart-large-mnli" in out and "Mode: hub" in out
    assert max(len(line) for line in out.splitlines()) <= 100


def test_a_hub_only_role_missing_from_the_mirror_sends_its_cell_offline(online, hub_server):
    online(hub_server.url)
    hub_server.hidden = {"Salesforce/blip-vqa-base"}
    assert checkpoints.on_hub("blip-vqa") is False
    with pytest.raises(CourseError) as err:
        checkpoints.checkpoint("blip-vqa")
    assert "has no Salesforce/blip-vqa-base" in str(err.value) and "huggingface.co" not in str(err.value)


@pytest.fixture
def quick_stall(monkeypatch):
    monkeypatch.setattr(hubcache, "STALL_SECONDS", 2.0)


def test_a_stalled_download_in_hub_mode_ends_in_one_clear_sentence(online, hub_server, quick_stall):
    online(hub_server.url, "hub")
    hub_server.fault = "stall"
    started = time.monotonic()
    with pytest.raises(CourseError) as err:
        lesson_setup("sentiment")
    assert time.monotonic() - started < 15
    message = str(err.value)
    assert "stopped sending distilbert/distilbert-base-uncased-finetuned-sst-2-english" in message
    assert hub_server.url.split("//")[1] in message and "huggingface.co" not in message and "\n" not in message


def test_a_stalled_download_in_auto_mode_falls_back_to_the_stand_ins(online, hub_server, quick_stall, capsys):
    online(hub_server.url)
    hub_server.fault = "stall"
    started = time.monotonic()
    models = lesson_setup("ner", "zero-shot")
    assert time.monotonic() - started < 15
    assert all(os.path.isdir(path) for path in models.values())
    out = capsys.readouterr().out
    assert "Mode: offline (auto:" in out and "stopped sending" in out
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_a_library_error_naming_huggingface_co_is_told_which_hub_was_meant(hub_server, tmp_path):
    import nbformat
    from nbclient import NotebookClient

    from hubserver.fixtures import hub_environment

    raise_it = "raise OSError(\"x is not a valid model identifier listed on 'https://huggingface.co/models'\")"
    nb = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_code_cell("from course_utils.errors import install_notebook_handler\ninstall_notebook_handler()"),
        nbformat.v4.new_code_cell(raise_it),
        nbformat.v4.new_code_cell("raise OSError('disk full')"),
    ])
    NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True).execute(
        env=hub_environment(hub_server.url, tmp_path / "hf-cache"))
    named, plain = (next(o for o in cell.outputs if o.output_type == "error") for cell in nb.cells[1:])
    assert named.ename == plain.ename == "OSError" and len(named.traceback) > 1
    assert f"reaches the Hub at {hub_server.url} (HF_ENDPOINT)" in named.traceback[-1]
    assert "HF_ENDPOINT" not in "".join(plain.traceback)


def test_an_old_id_that_the_hub_redirects_still_counts_as_the_hub(online, hub_server):
    online(hub_server.url)
    answers = modes.probe_hub(["distilbert-base-uncased", "nobody/nothing"])
    assert answers["distilbert-base-uncased"].state == "hub"
    assert answers["nobody/nothing"].state == "missing"
