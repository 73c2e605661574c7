"""A class's shared cache: `course prefetch --cache-dir` against the test Hub, then every role from that cache with
the server gone; and `course doctor` saying per role what the Hub, the cache and the shelf offer."""

import json
import subprocess
import sys
from pathlib import Path

from course_utils.checkpoints import ROLES
from course_utils.hubcache import cached_snapshot
from hubserver.fixtures import hub_environment, hub_repos, hub_server  # noqa: F401 (fixtures)
from test_hub_checkpoints import CHECKS, EXPECTED

REPO = Path(__file__).resolve().parents[1]

EVERY_ROLE_FROM_THE_CACHE = f'''
import os, sys
from course_utils import lesson_setup
from course_utils.checkpoints import resolve
models = lesson_setup(*{list(ROLES)!r})
assert "transformers" not in sys.modules and os.environ["HF_HUB_OFFLINE"] == "1"
kinds = {{name: resolve(name).kind for name in {list(ROLES)!r}}}
assert set(kinds.values()) == {{"cache"}}, kinds
assert all(path.startswith(os.environ["HF_HUB_CACHE"]) for path in models.values()), models
'''


def _run(env, *args, timeout=600):
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=REPO)


def test_prefetch_then_every_role_from_the_cache_with_the_server_stopped(hub_server, tmp_path):
    cache = tmp_path / "class-cache"
    env = hub_environment(hub_server.url, tmp_path / "own-cache", mode="auto")
    done = _run(env, "-m", "course_utils.cli", "prefetch", "--cache-dir", str(cache))
    assert done.returncode == 0 and f"Done: {len(ROLES)} of {len(ROLES)}" in done.stdout, done.stdout + done.stderr
    assert all(cached_snapshot(role.hub_id, cache) for role in ROLES.values())
    assert not (tmp_path / "own-cache").exists()  # --cache-dir, not the default cache
    hub_server.stop()

    # The legacy id is a redirect on the Hub; offline, only the canonical id the course fetched is in the cache.
    checks = CHECKS.replace('"distilbert-base-uncased"', '"distilbert/distilbert-base-uncased"')
    done = _run(hub_environment(hub_server.url, cache, mode="auto"), "-c", EVERY_ROLE_FROM_THE_CACHE + checks)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Mode: offline (auto: 127.0.0.1" in done.stdout and "did not answer" in done.stdout
    rows = [line.split("  ")[0] for line in done.stdout.splitlines() if " HF cache  " in line]
    assert rows == list(ROLES), done.stdout[:3000]
    results = json.loads(done.stdout.split("RESULTS ", 1)[1])
    assert not {repo: results.get(repo) for repo, wanted in EXPECTED.items() if results.get(repo) != wanted}


def test_doctor_shows_per_role_what_the_hub_the_cache_and_the_shelf_offer(hub_server, tmp_path):
    cache = tmp_path / "hf-cache"
    env = hub_environment(hub_server.url, cache, mode="auto")
    assert _run(env, "-m", "course_utils.cli", "prefetch", "--cache-dir", str(cache)).returncode == 0
    hub_server.hidden = {"facebook/bart-large-mnli"}
    done = _run(env, "-m", "course_utils.cli", "doctor")
    rows = {line.split()[0]: line for line in done.stdout.splitlines() if line.startswith("  ") and len(line.split()) > 2}
    assert "has it" in rows["sentiment"] and "real model" in rows["sentiment"]
    assert "lacks it" in rows["zero-shot"] and "real model" in rows["zero-shot"]
    assert "Hub only" in rows["chat"] and "packaged" in rows["feature-extraction"]
    assert f"Hub ({hub_server.url.split('//')[1]})" in done.stdout and "huggingface.co" not in done.stdout
