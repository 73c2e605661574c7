"""`course prefetch`: download every Hub checkpoint the course uses once, so a class can share the cache.

With no Hub it says what it would fetch and builds the offline shelf instead.
"""

from __future__ import annotations

import time
from pathlib import Path

from .banner import short_path
from .checkpoints import ROLES
from .errors import CourseError
from .hubcache import cache_dir, fetch
from .modes import endpoint_host, probe_hub

PREFETCH_PROBE_SECONDS = 60.0


def hub_ids() -> dict[str, str]:
    return {name: role.hub_id for name, role in ROLES.items()}


def prefetch(cache: Path | None = None, build_shelf=None) -> list[str]:
    """Download each role's Hub checkpoint into the HF cache (or `cache`); return the ids fetched."""
    wanted = hub_ids()
    # A teacher asked for the downloads, so a slow mirror (one that fetches from its own upstream first) gets time.
    answers = probe_hub(wanted.values(), timeout=PREFETCH_PROBE_SECONDS)
    if not any(answer.state == "hub" for answer in answers.values()):
        reason = next(iter(answers.values())).detail
        print(f"The Hugging Face Hub is not reachable ({reason}), so nothing can be downloaded. "
              "With the Hub, prefetch would fetch:")
        for role, repo in wanted.items():
            print(f"  {role:<22} {repo}")
        print("Building the offline shelf instead, so every lesson runs without the Hub.")
        if build_shelf is not None:
            build_shelf()
        return []
    cache = Path(cache).expanduser().resolve() if cache else cache_dir()
    fetched, problems = [], []
    for number, (role, repo) in enumerate(wanted.items(), start=1):
        answer = answers[repo]
        started = time.monotonic()
        if answer.state != "hub":
            problems.append(f"{role} ({answer.detail})")
            print(f"[{number}/{len(wanted)}] {role}: skipped, {answer.detail}")
            continue
        try:
            path = fetch(repo, answer.files, cache=cache)
        except CourseError as problem:
            problems.append(f"{role} ({problem})")
            print(f"[{number}/{len(wanted)}] {role}: {problem}")
            continue
        size = sum(p.stat().st_size for p in path.iterdir() if p.is_file()) / 2**20
        print(f"[{number}/{len(wanted)}] {role}: {repo} ({size:.1f} MB, {time.monotonic() - started:.0f} s)")
        fetched.append(repo)
    print(f"Done: {len(fetched)} of {len(wanted)} checkpoints from {endpoint_host()} in {short_path(cache)}. "
          "Learners who share it set HF_HUB_CACHE to that folder.")
    if problems:
        print("Not fetched (those roles use their stand-ins): " + "; ".join(problems))
    return fetched
