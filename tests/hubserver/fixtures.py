"""pytest fixtures: the faithful repositories, a Hub server on 127.0.0.1 (started and stopped by each test that
asks for it), the environment that points the course at it, and a port that never answers."""

from __future__ import annotations

import os
import socket

import pytest

from .builder import built_repos
from .server import HubServer


@pytest.fixture(scope="session")
def hub_repos():
    return built_repos()


@pytest.fixture
def hub_server(hub_repos):
    with HubServer(hub_repos) as server:
        yield server


def hub_environment(endpoint: str, cache, mode: str = "hub") -> dict[str, str]:
    """The environment of a process that reaches the Hub at `endpoint` (the session's offline flags removed)."""
    env = {k: v for k, v in os.environ.items() if k not in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")}
    env.update(COURSE_MODE=mode, HF_ENDPOINT=endpoint, HF_HUB_CACHE=str(cache), HF_HUB_DISABLE_TELEMETRY="1")
    return env


@pytest.fixture
def online(monkeypatch, tmp_path):
    """Point this process at an endpoint, with an empty HF cache: `online(url, mode)`."""
    import huggingface_hub.constants

    from course_utils import checkpoints, modes

    # Restored afterwards: the session's offline environment set it when huggingface_hub was imported.
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", huggingface_hub.constants.HF_HUB_OFFLINE)

    def point(endpoint: str, mode: str = "auto"):
        monkeypatch.setattr(modes, "_decision", None)
        monkeypatch.setattr(checkpoints, "_resolved_under", None)
        for name in modes.OFFLINE_FLAGS:
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("COURSE_MODE", mode)
        monkeypatch.setenv("HF_ENDPOINT", endpoint)
        monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf-cache"))
        return tmp_path / "hf-cache"

    return point


@pytest.fixture
def silent_port():
    """A local port that accepts connections and never answers: a Hub that hangs."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    server.close()
