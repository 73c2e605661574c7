"""`course prefetch`: download every Hub checkpoint the course uses once, so a class can share the cache.

With no Hub it says what it would fetch and builds the offline shelf instead.
"""

from __future__ import annotations

from pathlib import Path

from .checkpoints import ROLES
from .modes import hub_reachable

# Weights as safetensors where the repository has them; configs, vocabularies and processors always.
ALWAYS = ["*.json", "*.txt", "*.model", "*.spm", "tokenizer*", "vocab*", "merges*", "*.tiktoken"]


def _weights_patterns(files: list[str]) -> list[str]:
    if any(name.endswith(".safetensors") for name in files):
        return ["*.safetensors"]
    # Older repositories only publish PyTorch pickles; transformers loads them with weights_only=True.
    return ["pytorch_model*.bin"]


def hub_ids() -> dict[str, str]:
    return {name: role.hub_id for name, role in ROLES.items()}


def prefetch(cache_dir: Path | None = None, build_shelf=None) -> list[str]:
    """Download each role's Hub checkpoint into the HF cache (or `cache_dir`); return the ids fetched."""
    wanted = hub_ids()
    if not hub_reachable():
        print("The Hugging Face Hub is not reachable, so nothing can be downloaded. With the Hub, prefetch would fetch:")
        for role, repo in wanted.items():
            print(f"  {role:<20} {repo}")
        print("Building the offline shelf instead, so every lesson runs without the Hub.")
        if build_shelf is not None:
            build_shelf()
        return []
    from huggingface_hub import list_repo_files, snapshot_download

    fetched = []
    for number, (role, repo) in enumerate(wanted.items(), start=1):
        print(f"[{number}/{len(wanted)}] {role}: {repo}")
        patterns = ALWAYS + _weights_patterns(list_repo_files(repo))
        path = snapshot_download(repo, cache_dir=str(cache_dir) if cache_dir else None, allow_patterns=patterns)
        print(f"    -> {path}")
        fetched.append(repo)
    where = cache_dir or "the Hugging Face cache"
    print(f"Done: {len(fetched)} checkpoints in {where}. Learners who share it set HF_HUB_CACHE to that folder.")
    return fetched
