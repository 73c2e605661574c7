import os
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from course_utils import CourseError, modes
from hubserver.fixtures import silent_port  # noqa: F401 (fixture)


def test_offline_sets_hub_offline_flags(monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.setenv("COURSE_MODE", "offline")
    assert modes.current_mode() == "offline"
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    import huggingface_hub.constants

    assert huggingface_hub.constants.HF_HUB_OFFLINE is True


def test_unknown_mode_is_one_clear_sentence(monkeypatch):
    monkeypatch.setenv("COURSE_MODE", "banana")
    with pytest.raises(CourseError) as err:
        modes.activate()
    message = str(err.value)
    assert "'banana'" in message and "auto, hub, offline" in message and "export COURSE_MODE=" in message


@pytest.fixture
def answering_server():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"[]")

        def log_message(self, *args):
            pass

    httpd = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_port}"
    httpd.shutdown()


def test_auto_falls_back_to_offline_quickly_when_the_hub_hangs(monkeypatch, silent_port):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setenv("HF_ENDPOINT", silent_port)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    started = time.monotonic()
    decision = modes.activate()
    assert time.monotonic() - started < 3
    assert decision.mode == "offline" and "did not answer" in decision.reason
    assert os.environ["HF_HUB_OFFLINE"] == "1"


def test_auto_does_not_take_just_any_answer_for_the_hub(monkeypatch, answering_server):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setenv("HF_ENDPOINT", answering_server)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    decision = modes.decide()
    assert decision.mode == "offline" and "not the Hub" in decision.reason


def test_auto_respects_hf_hub_offline(monkeypatch, answering_server):
    monkeypatch.setenv("COURSE_MODE", "auto")
    monkeypatch.setenv("HF_ENDPOINT", answering_server)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    assert modes.decide().mode == "offline"


def test_hub_mode_without_network_fails_fast_with_advice(monkeypatch, silent_port):
    monkeypatch.setenv("COURSE_MODE", "hub")
    monkeypatch.setenv("HF_ENDPOINT", silent_port)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    started = time.monotonic()
    with pytest.raises(CourseError) as err:
        modes.activate()
    assert time.monotonic() - started < 3
    assert "COURSE_MODE=offline" in str(err.value)
