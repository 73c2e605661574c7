"""MANIFEST.json: how a shelf entry was built, and the hashes that prove its files are the ones built."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

MANIFEST = "MANIFEST.json"


class ManifestProblem(Exception):
    """An entry's files do not match its manifest."""


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def describe_files(folder: Path) -> dict[str, dict]:
    """sha256 and size of every file in `folder` (recursively), except the manifest itself."""
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST:
            rel = path.relative_to(folder).as_posix()
            files[rel] = {"sha256": sha256_file(path), "bytes": path.stat().st_size}
    return files


def write_manifest(folder: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, sort_keys=True)
    with open(folder / MANIFEST, "w", encoding="utf-8") as fh:
        fh.write(text + "\n")


def read_manifest(folder: Path) -> dict:
    path = folder / MANIFEST
    if not path.is_file():
        raise ManifestProblem(f"{path} is missing")
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ManifestProblem(f"{path} cannot be read ({exc})") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
        raise ManifestProblem(f"{path} has no file list")
    return manifest


def verify(folder: Path) -> dict:
    """Return the manifest when every listed file is there with its size and hash, and nothing else is."""
    manifest = read_manifest(folder)
    listed = manifest["files"]
    present = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file() and p.name != MANIFEST}
    missing = sorted(set(listed) - present)
    if missing:
        raise ManifestProblem(f"missing file(s): {', '.join(missing)}")
    extra = sorted(present - set(listed))
    if extra:
        raise ManifestProblem(f"file(s) not in the manifest: {', '.join(extra)}")
    for name, info in listed.items():
        path = folder / name
        if path.stat().st_size != info.get("bytes"):
            raise ManifestProblem(f"{name} has {path.stat().st_size} bytes, the manifest says {info.get('bytes')}")
        if sha256_file(path) != info.get("sha256"):
            raise ManifestProblem(f"{name} does not match its sha256 in the manifest")
    return manifest
