"""The libraries whose versions the course reports (first cell, doctor, every shelf manifest): one list, one place."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

LIBRARIES = ("transformers", "torch", "tokenizers", "datasets", "huggingface-hub")


def library_versions(names=LIBRARIES) -> dict[str, str]:
    found = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found
