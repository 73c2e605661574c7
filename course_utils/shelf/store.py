"""Where shelf entries live, how they are checked, and how they are built safely.

An entry is built in a hidden folder beside its final place and renamed into
place only when complete, under a per-role file lock, so a killed build or two
learners building at once never leave a half-written model behind.
"""

from __future__ import annotations

import errno
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock, Timeout

from ..errors import CourseError
from .manifest import ManifestProblem, describe_files, verify, write_manifest

ENV_VAR = "COURSE_SHELF"
BUILDING_PREFIX = ".building-"
RETIRED_PREFIX = ".retired-"


def shelf_root() -> Path:
    """COURSE_SHELF as an absolute path (a relative one means the same folder from wherever a kernel starts), or the
    per-user cache."""
    configured = os.environ.get(ENV_VAR, "").strip()
    if configured:
        return Path(configured).expanduser().resolve()
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("transformers-course")) / "shelf"


def pin_shelf_variable() -> None:
    """Write a relative COURSE_SHELF back as absolute, so that every process started from here (JupyterLab and its
    kernels, graders, builders) finds the same shelf."""
    if os.environ.get(ENV_VAR, "").strip():
        os.environ[ENV_VAR] = str(shelf_root())


def unreadable(root: Path, problem: OSError) -> CourseError:
    """The one line a learner sees when the shared shelf's permissions keep this account out."""
    import getpass

    return CourseError(
        f"The shelf at {root} cannot be read by the account {getpass.getuser()!r} ({problem.strerror}). The shelf's "
        f"owner must make it readable to everyone: `chmod -R a+rX {root}` (and a+x on the folders above it); or "
        f"point {ENV_VAR} at a shelf you can read."
    )


def rebuild_command(role: str) -> str:
    return f"course shelf build {role} --force"


@dataclass(frozen=True)
class EntryStatus:
    role: str
    path: Path
    state: str  # "ready", "missing", "corrupt" or "stale"
    manifest: dict | None = None
    problem: str = ""


class Shelf:
    def __init__(self, root: Path | str | None = None):
        self.root = Path(root) if root is not None else shelf_root()
        self._verified: dict[Path, tuple] = {}

    def entry(self, role: str) -> Path:
        return self.root / role

    def _signature(self, folder: Path) -> tuple:
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))

    def status(self, role: str, recipe) -> EntryStatus:
        folder = self.entry(role)
        try:
            if not folder.exists():
                return EntryStatus(role, folder, "missing")
            signature = self._signature(folder)
            cached = self._verified.get(folder)
            if cached and cached[0] == signature:
                manifest = cached[1]
            else:
                manifest = verify(folder)
                self._verified[folder] = (signature, manifest)
        except PermissionError as exc:
            raise unreadable(self.root, exc) from None
        except ManifestProblem as exc:
            if isinstance(exc.__cause__, PermissionError):
                raise unreadable(self.root, exc.__cause__) from None
            return EntryStatus(role, folder, "corrupt", problem=str(exc))
        except OSError as exc:
            return EntryStatus(role, folder, "corrupt", problem=f"cannot read it ({exc})")
        if manifest.get("role") != role:
            return EntryStatus(role, folder, "corrupt", manifest, f"its manifest describes role {manifest.get('role')!r}")
        if manifest.get("recipe") != recipe.name or manifest.get("recipe_version") != recipe.version:
            return EntryStatus(role, folder, "stale", manifest,
                               f"built by recipe {manifest.get('recipe')} v{manifest.get('recipe_version')}, "
                               f"the course now uses {recipe.name} v{recipe.version}")
        return EntryStatus(role, folder, "ready", manifest)

    def writable(self) -> bool:
        probe = self.root
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        return os.access(probe, os.W_OK)

    def ensure(self, role: str, recipe) -> Path:
        """The folder of a verified entry, building it first if it is missing."""
        status = self.status(role, recipe)
        if status.state == "ready":
            return status.path
        if status.state == "corrupt":
            raise CourseError(
                f"The shelf entry for {role!r} at {status.path} is damaged ({status.problem}); "
                f"rebuild it with `{rebuild_command(role)}`."
            )
        if status.state == "stale" and not self.writable():
            print(f"Note: the shared shelf's {role!r} model is out of date ({status.problem}); using it anyway.",
                  file=sys.stderr)
            return status.path
        return self.build(role, recipe, force=status.state == "stale")

    def _refuse_read_only(self, role: str) -> None:
        raise CourseError(
            f"The shelf at {self.root} is read-only and has no ready {role!r} model. Ask your teacher to run "
            f"`course shelf build {role}` on the shared shelf, or build a private copy: "
            f"`export {ENV_VAR}=~/course-shelf` and then `course shelf build {role}`."
        )

    def build(self, role: str, recipe, *, force: bool = False, quiet: bool = False) -> Path:
        if not force:
            status = self.status(role, recipe)
            if status.state == "ready":
                return status.path  # a ready entry on a read-only (shared) shelf is simply used
        if not self.writable():
            self._refuse_read_only(role)
        try:
            (self.root / ".locks").mkdir(parents=True, exist_ok=True)
        except OSError:
            self._refuse_read_only(role)
        lock = FileLock(str(self.root / ".locks" / f"{role}.lock"))
        waited = False
        try:
            lock.acquire(timeout=0)
        except Timeout:
            print(f"Another process is building {role!r} on this shelf; waiting for it to finish...", file=sys.stderr)
            lock.acquire()
            waited = True
        try:
            # After a wait the entry was most likely just rebuilt: even a forced (stale) build reuses a ready one.
            if not force or waited:
                status = self.status(role, recipe)
                if status.state == "ready":
                    return status.path
            return self._build_locked(role, recipe, quiet=quiet)
        finally:
            lock.release()

    def _clear_leftovers(self, role: str) -> None:
        # Only called under the role's lock, so these belong to builds that died.
        for prefix in (BUILDING_PREFIX, RETIRED_PREFIX):
            for stale in self.root.glob(f"{prefix}{role}-*"):
                shutil.rmtree(stale, ignore_errors=True)

    def _check_space(self, role: str, recipe) -> None:
        free_mb = shutil.disk_usage(self.root).free / 2**20
        needed = recipe.disk_mb * 2
        if free_mb < needed:
            raise CourseError(
                f"Not enough disk space to build {role!r}: {free_mb:.0f} MB free at {self.root}, about "
                f"{needed} MB needed. Free some space, or point {ENV_VAR} at a disk with room."
            )

    def _build_locked(self, role: str, recipe, *, quiet: bool) -> Path:
        self._clear_leftovers(role)
        self._check_space(role, recipe)
        workdir = self.root / f"{BUILDING_PREFIX}{role}-{os.getpid()}"
        model_dir, scratch = workdir / "model", workdir / "scratch"
        if not quiet:
            print(f"Building the offline stand-in for {role!r}: {recipe.summary} "
                  f"(about {recipe.estimate_seconds // 60 or 1} min on a 2-core laptop; built once, then reused).",
                  file=sys.stderr)
        started = time.time()
        try:
            model_dir.mkdir(parents=True)
            scratch.mkdir()
            result = recipe.build(model_dir, scratch, seed=recipe.seed, quiet=quiet)
            shutil.rmtree(scratch)
            _make_shareable(model_dir)
            manifest = {
                "role": role,
                "recipe": recipe.name,
                "recipe_version": recipe.version,
                "seed": recipe.seed,
                "base_model": recipe.base_model,
                "training_data": result.data_name,
                "training_data_sha256": result.data_sha256,
                "heldout_metrics": result.metrics,
                "build_seconds": round(time.time() - started, 1),
                "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "versions": _library_versions(),
                "files": describe_files(model_dir),
            }
            write_manifest(model_dir, manifest)
            (model_dir / "MANIFEST.json").chmod(0o644)
            final = self.entry(role)
            retired = self.root / f"{RETIRED_PREFIX}{role}-{os.getpid()}"
            if final.exists():
                os.replace(final, retired)
            os.replace(model_dir, final)
        except OSError as exc:
            shutil.rmtree(workdir, ignore_errors=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise CourseError(
                    f"The disk filled up while building {role!r}; nothing was kept. Free some space "
                    f"(or point {ENV_VAR} at a disk with room) and run `course shelf build {role}` again."
                ) from None
            raise
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        shutil.rmtree(workdir, ignore_errors=True)
        shutil.rmtree(retired, ignore_errors=True)
        self._verified.pop(final, None)
        if not quiet:
            score = ", ".join(f"{k}={v}" for k, v in result.metrics.items())
            print(f"Built {role!r} in {manifest['build_seconds']:.0f} s ({score}) -> {final}", file=sys.stderr)
        return final

    def size_bytes(self, role: str) -> int:
        folder = self.entry(role)
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def _make_shareable(folder: Path) -> None:
    """Readable by everyone: a teacher's shelf is shared by a class (some writers create files 0600)."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def _library_versions() -> dict:
    from importlib.metadata import version

    return {name: version(name) for name in ("transformers", "torch", "tokenizers", "datasets")}


_default: Shelf | None = None


def default_shelf() -> Shelf:
    """The shelf named by COURSE_SHELF (or the per-user cache), one object per root."""
    global _default
    if _default is None or _default.root != shelf_root():
        _default = Shelf()
    return _default
