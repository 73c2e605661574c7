"""A school's mirror: olah as a caching proxy in front of the test Hub (as a school runs it in front of
huggingface.co), and the course through it, reached only through HF_ENDPOINT: warmed by `course prefetch` while
the upstream is up, then serving the lessons from its cache with the upstream gone (olah's offline = true).

Why olah runs as a proxy here, not from its mirrors-path: served from local git repositories, olah 0.5.4 answers
401 where the Hub answers 404 + EntryNotFound for a file a repository lacks, and transformers fails on the optional
files it probes for. As a proxy, olah passes the upstream's answers through (404s included) and, as this test
shows, serves every course checkpoint unchanged, so the course needs no adapter; and a proxy is what a school runs
anyway, with huggingface.co as its upstream. olah lives in its own virtualenv (build/olah-venv, pinned by
tests/olah/requirements.txt), never in the course's.
"""

import hashlib
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from filelock import FileLock

from hubserver.fixtures import hub_environment, hub_repos  # noqa: F401 (fixture)
from hubserver.server import HubServer

REPO = Path(__file__).resolve().parents[1]
REQUIREMENTS = REPO / "tests" / "olah" / "requirements.txt"
TEMPLATE = REPO / "tests" / "olah" / "olah.toml"
VENV = REPO / "build" / "olah-venv"

LESSON_LOADS = r'''
from course_utils import lesson_setup
models = lesson_setup("sentiment", "translation", "image-classification", "chat")
from transformers import AutoImageProcessor, AutoModelForSeq2SeqLM, AutoTokenizer, pipeline
assert AutoTokenizer.from_pretrained(models["sentiment"])("Hello world")["input_ids"] == [101, 7592, 2088, 102]
assert pipeline("sentiment-analysis", model=models["sentiment"])("Fine.")[0]["label"] in ("POSITIVE", "NEGATIVE")
fr = AutoTokenizer.from_pretrained(models["translation"])
AutoModelForSeq2SeqLM.from_pretrained(models["translation"]).generate(**fr("Le chat dort.", return_tensors="pt"), max_new_tokens=3)
assert AutoImageProcessor.from_pretrained(models["image-classification"]).size["height"] == 224
chat = pipeline("text-generation", model=models["chat"])
prompt = chat.tokenizer.apply_chat_template([{"role": "user", "content": "Hi"}], tokenize=False, add_generation_prompt=True)
assert prompt.endswith("<|im_start|>assistant\n"), prompt
print("LESSON LOADS OK")
'''


@pytest.fixture(scope="session")
def olah_cli():
    """olah, installed once into build/olah-venv from the pinned requirements (rebuilt when they change)."""
    stamp = VENV / ".requirements-sha256"
    wanted = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    VENV.parent.mkdir(exist_ok=True)
    with FileLock(str(VENV.parent / ".olah-venv.lock")):
        if not stamp.is_file() or stamp.read_text() != wanted:
            subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
            subprocess.run([str(VENV / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                            "-r", str(REQUIREMENTS)], check=True, timeout=900)
            stamp.write_text(wanted)
    return VENV / "bin" / "olah-cli"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_answering(url: str, process, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, "olah exited while starting"
        try:
            urllib.request.urlopen(f"{url}/api/models/nobody/nothing/revision/main", timeout=2)
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer: it is serving
        except OSError:
            time.sleep(0.5)
    raise AssertionError(f"olah did not answer at {url} within {seconds:.0f} s")


@contextmanager
def olah(cli: Path, upstream: str, repos: Path, workdir: Path, *, offline: bool):
    """olah on a free local port with tests/olah/olah.toml, started and stopped here."""
    port, netloc = _free_port(), upstream.split("//", 1)[1]
    config = workdir / f"olah-{'offline' if offline else 'online'}.toml"
    config.write_text(TEMPLATE.read_text().format(host="127.0.0.1", port=port, hf_scheme="http", hf_netloc=netloc,
                                                  hf_lfs_netloc=netloc, repos=repos, offline=str(offline).lower()))
    with open(workdir / "olah.log", "a") as log:
        process = subprocess.Popen([str(cli), "-c", str(config)], cwd=workdir, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_answering(url, process)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def _course(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=600, cwd=REPO)


@pytest.mark.slow
def test_the_course_runs_through_a_school_mirror_and_from_its_cache_when_the_upstream_is_gone(
        olah_cli, hub_repos, tmp_path):
    repos = tmp_path / "olah-repos"
    with HubServer(hub_repos) as upstream:
        with olah(olah_cli, upstream.url, repos, tmp_path, offline=False) as mirror:
            env = hub_environment(mirror, tmp_path / "teacher-cache", mode="auto")
            done = _course(env, "-m", "course_utils.cli", "prefetch", "--cache-dir", str(tmp_path / "class-cache"))
            assert done.returncode == 0 and f"Done: {len(upstream.repos)} of {len(upstream.repos)}" in done.stdout, \
                done.stdout + done.stderr
    with olah(olah_cli, "http://127.0.0.1:9", repos, tmp_path, offline=True) as mirror:
        env = hub_environment(mirror, tmp_path / "learner-cache", mode="auto")
        done = _course(env, "-c", LESSON_LOADS)
    assert done.returncode == 0 and "LESSON LOADS OK" in done.stdout, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Mode: hub" in done.stdout and "stand-in for" not in done.stdout
