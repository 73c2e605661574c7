"""The Hugging Face cache: which real checkpoints it already holds, and downloads into it that cannot hang."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

from tqdm.std import tqdm

from .errors import CourseError
from .modes import endpoint_host, hub_endpoint

# Configs, vocabularies, processors and chat templates always; the weights in one format (see weights_patterns).
ALWAYS = ["*.json", "*.txt", "*.model", "*.spm", "*.jinja", "tokenizer*", "vocab*", "merges*", "*.tiktoken"]
# A download that receives nothing for this long has stalled (slow is fine: any byte resets the clock).
STALL_SECONDS = 15.0


class HubStalled(CourseError):
    """The endpoint stopped sending a checkpoint's files."""


class HubRefused(CourseError):
    """The endpoint answered, but did not send a checkpoint's files."""


class _Quiet(tqdm):
    """huggingface_hub's progress bars, switched off: the course prints one line of its own per checkpoint."""

    def __init__(self, *args, **kwargs):
        kwargs["disable"] = True
        super().__init__(*args, **kwargs)


def cache_dir() -> Path:
    """The cache huggingface_hub uses, read from the environment as it is now (the library reads it once)."""
    for name in ("HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"):
        if os.environ.get(name):
            return Path(os.path.expandvars(os.environ[name])).expanduser()
    home = os.environ.get("HF_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or "~/.cache", "huggingface")
    return Path(os.path.expandvars(home)).expanduser() / "hub"


def _repo_folder(repo_id: str, cache: Path) -> Path:
    return cache / ("models--" + repo_id.replace("/", "--"))


def cached_snapshot(repo_id: str, cache: Path | None = None) -> Path | None:
    """The cached copy of `repo_id`'s main branch if it holds a config and weights, else None."""
    folder = _repo_folder(repo_id, cache or cache_dir())
    try:
        commit = (folder / "refs" / "main").read_text().strip()
    except OSError:
        return None
    snapshot = folder / "snapshots" / commit
    has_weights = any(snapshot.glob("*.safetensors")) or any(snapshot.glob("pytorch_model*.bin"))
    return snapshot if (snapshot / "config.json").is_file() and has_weights else None


def weights_patterns(files) -> list[str]:
    if not files or any(name.endswith(".safetensors") for name in files):
        return ["*.safetensors"]
    # Older repositories only publish PyTorch pickles; transformers loads them with weights_only=True.
    return ["pytorch_model*.bin"]


def _received(folder: Path) -> tuple[int, int]:
    """Files and bytes under a repository's cache folder, partial downloads included."""
    count = size = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            try:
                size += os.stat(os.path.join(parent, name)).st_size
                count += 1
            except OSError:
                pass
    return count, size


def _describe(error: BaseException) -> str:
    status = getattr(getattr(error, "response", None), "status_code", None)
    if status is not None:
        return f"it answered {status}"
    first = str(error).strip().splitlines()
    return f"{type(error).__name__}: {first[0]}" if first else type(error).__name__


def fetch(repo_id: str, files=(), *, cache: Path | None = None, report=None) -> Path:
    """Download what the lessons load of `repo_id` into the cache, and return its snapshot folder.

    `files` (the repository's file names, if known) picks the weights format; `report(files, bytes)` hears of
    progress. Raises HubStalled when nothing arrives for STALL_SECONDS, HubRefused when the endpoint says no."""
    from huggingface_hub import snapshot_download

    endpoint, cache = hub_endpoint(), cache or cache_dir()
    outcome: dict = {}

    def download() -> None:
        try:
            outcome["path"] = snapshot_download(repo_id, allow_patterns=ALWAYS + weights_patterns(files),
                                                cache_dir=str(cache), endpoint=endpoint, tqdm_class=_Quiet)
        except BaseException as error:  # handed to the waiting thread, which reports it
            outcome["error"] = error

    # The download runs in a daemon thread so that a stalled server costs STALL_SECONDS, not the library's retries.
    worker = threading.Thread(target=download, daemon=True)
    worker.start()
    folder, seen, changed = _repo_folder(repo_id, cache), None, time.monotonic()
    while worker.is_alive():
        worker.join(0.25)
        now = _received(folder)
        if now != seen:
            seen, changed = now, time.monotonic()
            if report is not None:
                report(*now)
        elif time.monotonic() - changed > STALL_SECONDS:
            raise HubStalled(f"{endpoint_host(endpoint)} stopped sending {repo_id} "
                             f"(nothing arrived for {STALL_SECONDS:.0f} s)")
    if "error" in outcome:
        raise HubRefused(f"{endpoint_host(endpoint)} did not send {repo_id} ({_describe(outcome['error'])})")
    return Path(outcome["path"])
