"""Where shelf entries live, how they are checked, and how each one is built safely, after the ones it starts from.

An entry is built in a hidden folder beside its final place and renamed into place only when complete, under a
per-role file lock, so a killed build or two learners building at once never leave a half-written model behind.
A shelf is given its recipes ({role: Recipe}); a recipe that starts from another role's model gets that model's
folder from the shelf, which builds it first and records its manifest's hash, so a rebuilt base makes every
entry built from it stale.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping

from filelock import FileLock, Timeout

from ..errors import CourseError
from ..versions import library_versions
from .manifest import MANIFEST, ManifestProblem, describe_files, sha256_file, verify, write_manifest
from .recipes import BuildContext, Recipe

ENV_VAR = "COURSE_SHELF"
BUILDING_PREFIX = ".building-"
RETIRED_PREFIX = ".retired-"
# Every build runs torch on one thread: the same recipe then writes the same bytes whoever starts it (a lesson, or
# `--jobs 2`, which gives each build one core anyway); thread count changes the order of floating-point sums.
BUILD_THREADS = 1


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


def score_text(recipe: Recipe, manifest: dict | None) -> str:
    """The recipe's headline held-out figure, as `course shelf list` and the first cell of a lesson show it."""
    metrics = (manifest or {}).get("heldout_metrics", {})
    value = metrics.get(recipe.score_key)
    if value is None:
        return ""
    size = metrics.get("heldout_size")
    return f"held-out {recipe.score_key} {value:.3f}" + (f" (n={size})" if size else "")


@dataclass(frozen=True)
class EntryStatus:
    role: str
    path: Path
    state: str  # "ready", "missing", "corrupt" or "stale"
    manifest: dict | None = None
    problem: str = ""
    manifest_sha256: str = ""


def _identity(folder: Path) -> tuple | None:
    """Which folder sits at this path now (device and inode), or None if none does."""
    try:
        info = folder.stat()
    except OSError:
        return None
    return info.st_dev, info.st_ino


@contextlib.contextmanager
def _torch_threads(count: int):
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class Shelf:
    def __init__(self, root: Path | str | None = None, recipes: Mapping[str, Recipe] | None = None, *,
                 tiny: bool = False):
        self.root = Path(root) if root is not None else shelf_root()
        self.recipes = dict(recipes or {})
        self.tiny = tiny  # tiny builds of every recipe, for the unit tests
        self._verified: dict[Path, tuple] = {}

    def entry(self, role: str) -> Path:
        return self.root / role

    def recipe(self, role: str) -> Recipe:
        try:
            return self.recipes[role]
        except KeyError:
            raise CourseError(f"No recipe builds {role!r} on this shelf; the roles it knows: "
                              f"{', '.join(self.recipes) or 'none'}.") from None

    def bases(self, role: str) -> list[str]:
        """The roles whose models this role's recipe starts from."""
        base = self.recipe(role).starts_from
        return [base] if base else []

    def _signature(self, folder: Path) -> tuple:
        return tuple(sorted((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()))

    def _verified_manifest(self, folder: Path) -> tuple[dict, str]:
        signature = self._signature(folder)
        cached = self._verified.get(folder)
        if not cached or cached[0] != signature:
            cached = (signature, verify(folder), sha256_file(folder / MANIFEST))
            self._verified[folder] = cached
        return cached[1], cached[2]

    def status(self, role: str) -> EntryStatus:
        """The entry's state; read again when a rebuild replaced it while it was being read."""
        folder = self.entry(role)
        for _ in range(5):
            before = _identity(folder)
            status = self._status_once(role)
            if status.state == "ready" or _identity(folder) == before:
                return status
        return status

    def _status_once(self, role: str) -> EntryStatus:
        recipe, folder = self.recipe(role), self.entry(role)
        try:
            if not folder.exists():
                return EntryStatus(role, folder, "missing")
            manifest, digest = self._verified_manifest(folder)
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
                               f"the course now uses {recipe.name} v{recipe.version}", digest)
        if bool(manifest.get("tiny")) != self.tiny:
            return EntryStatus(role, folder, "stale", manifest, "built at another size", digest)
        for base in self.bases(role):
            if manifest.get("bases", {}).get(base) != self.status(base).manifest_sha256:
                return EntryStatus(role, folder, "stale", manifest,
                                   f"the {base!r} model it was built from has been rebuilt or removed since", digest)
        return EntryStatus(role, folder, "ready", manifest, manifest_sha256=digest)

    def writable(self) -> bool:
        probe = self.root
        while not probe.exists() and probe != probe.parent:
            probe = probe.parent
        return os.access(probe, os.W_OK)

    def ensure(self, role: str) -> Path:
        """The folder of a verified entry, building it (and what it starts from) first if it is missing."""
        status = self.status(role)
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
        return self.build(role)

    def _refuse_read_only(self, role: str) -> None:
        raise CourseError(
            f"The shelf at {self.root} is read-only and has no ready {role!r} model. Ask your teacher to run "
            f"`course shelf build {role}` on the shared shelf, or build a private copy: "
            f"`export {ENV_VAR}=~/course-shelf` and then `course shelf build {role}`."
        )

    def build(self, role: str, *, force: bool = False, quiet: bool = False) -> Path:
        """Build `role` unless it is ready (or always, with force), after making sure its bases are ready."""
        if not force and self.status(role).state == "ready":
            return self.entry(role)  # a ready entry on a read-only (shared) shelf is simply used
        if not self.writable():
            self._refuse_read_only(role)
        bases = {base: self.ensure(base) for base in self.bases(role)}
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
            # After a wait the entry was most likely just rebuilt: even a forced build reuses a ready one.
            if (not force or waited) and self.status(role).state == "ready":
                return self.entry(role)
            return self._build_locked(role, bases, quiet=quiet)
        finally:
            lock.release()

    def _clear_leftovers(self, role: str) -> None:
        # Only called under the role's lock, so these belong to builds that died.
        for prefix in (BUILDING_PREFIX, RETIRED_PREFIX):
            for stale in self.root.glob(f"{prefix}{role}-*"):
                shutil.rmtree(stale, ignore_errors=True)

    def _check_space(self, role: str, recipe: Recipe) -> None:
        free_mb = shutil.disk_usage(self.root).free / 2**20
        needed = recipe.disk_mb * 2
        if free_mb < needed:
            raise CourseError(
                f"Not enough disk space to build {role!r}: {free_mb:.0f} MB free at {self.root}, about "
                f"{needed} MB needed. Free some space, or point {ENV_VAR} at a disk with room."
            )

    def _manifest(self, role: str, recipe: Recipe, result, bases: dict[str, Path], seconds: float) -> dict:
        return {
            "role": role,
            "recipe": recipe.name,
            "recipe_version": recipe.version,
            "seed": recipe.seed,
            "tiny": self.tiny,
            "base_model": recipe.base_model,
            "bases": {base: sha256_file(folder / MANIFEST) for base, folder in bases.items()},
            "training_data": result.data_name,
            "training_data_sha256": result.data_sha256,
            "heldout_metrics": result.metrics,
            "build_seconds": round(seconds, 1),
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "versions": library_versions(),
        }

    def _write_entry(self, role: str, recipe: Recipe, context: BuildContext, bases: dict[str, Path],
                     started: float) -> dict:
        """Train into the work folder and write the manifest there; return the manifest."""
        context.out_dir.mkdir(parents=True)
        context.scratch.mkdir()
        result = recipe.train(context)
        shutil.rmtree(context.scratch)
        _make_shareable(context.out_dir)
        manifest = self._manifest(role, recipe, result, bases, time.time() - started)
        manifest["files"] = describe_files(context.out_dir)
        write_manifest(context.out_dir, manifest)
        (context.out_dir / MANIFEST).chmod(0o644)
        return manifest

    def _build_locked(self, role: str, bases: dict[str, Path], *, quiet: bool) -> Path:
        recipe = self.recipe(role)
        self._clear_leftovers(role)
        self._check_space(role, recipe)
        workdir = self.root / f"{BUILDING_PREFIX}{role}-{os.getpid()}"
        context = BuildContext(workdir / "model", workdir / "scratch", recipe.seed, quiet, self.tiny, bases)
        if not quiet:
            print(f"Building the offline stand-in for {role!r}: {recipe.summary} "
                  f"(about {recipe.estimate_seconds // 60 or 1} min on a 2-core laptop; built once, then reused).",
                  file=sys.stderr)
        started = time.time()
        final = self.entry(role)
        retired = self.root / f"{RETIRED_PREFIX}{role}-{os.getpid()}"
        try:
            with _torch_threads(BUILD_THREADS):
                manifest = self._write_entry(role, recipe, context, bases, started)
            _move_into_place(context.out_dir, final, retired)
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
            print(f"Built {role!r} in {manifest['build_seconds']:.0f} s ({score_text(recipe, manifest)}) -> {final}",
                  file=sys.stderr)
        return final

    def size_bytes(self, role: str) -> int:
        folder = self.entry(role)
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.exists() else 0


def _exchange(first: Path, second: Path) -> bool:
    """Swap two folders in one atomic step (Linux's renameat2 RENAME_EXCHANGE); False where that is unavailable."""
    import ctypes

    rename = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)
    if rename is None:
        return False
    at_cwd, exchange = -100, 2
    if rename(at_cwd, os.fsencode(first), at_cwd, os.fsencode(second), exchange) == 0:
        return True
    if ctypes.get_errno() in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        return False  # a filesystem without it
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(second))


def _move_into_place(built: Path, final: Path, retired: Path) -> None:
    """Put a finished build at `final`. A reader sees the old entry or the new one: with an old entry, the two are
    swapped atomically where the system allows (the old one then sits at `built`, to be removed), else moved."""
    if final.exists() and _exchange(built, final):
        os.replace(built, retired)
        return
    if final.exists():
        os.replace(final, retired)
    os.replace(built, final)


def _make_shareable(folder: Path) -> None:
    """Readable by everyone: a teacher's shelf is shared by a class (some writers create files 0600)."""
    for path in [folder, *folder.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
