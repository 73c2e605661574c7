"""`course classroom install`: one copy of the course for a whole class, in a prefix every learner account can read
but not change: the course, its Python environment (from requirements.lock, on a Python every account can run), the
hub's proxy (pinned, from npm) and the teacher's shelf."""

from __future__ import annotations

import grp
import hashlib
import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

from ..errors import CourseError
from . import DEFAULT_GROUP, Layout

SOURCE = Path(__file__).resolve().parents[2]  # the checkout (or class copy) this package was installed from
# Never copied into a class installation: environments, build output, learners' work, caches.
TOP_LEVEL_SKIPPED = {".git", ".venv", "build", "workspace", "artifacts", "dist", ".pytest_cache"}
SKIPPED_ANYWHERE = {"__pycache__", ".ipynb_checkpoints", "node_modules", "_build", "_generated"}
MIN_NODE = 18  # configurable-http-proxy 5.1 (deploy/package.json)


def default_python() -> str:
    """The machine's own Python: the one that ran this may live where other accounts cannot go (e.g. under /root)."""
    return "/usr/bin/python3" if Path("/usr/bin/python3").exists() else (shutil.which("python3") or sys.executable)


def closed_to_others(path: Path, executable: bool = False) -> Path | None:
    """The first folder on the way to `path` (or `path` itself) that other accounts cannot pass or read."""
    path = path.resolve()
    for folder in reversed(path.parents):
        if not folder.stat().st_mode & stat.S_IXOTH:
            return folder
    wanted = stat.S_IROTH | (stat.S_IXOTH if executable or path.is_dir() else 0)
    return None if path.stat().st_mode & wanted == wanted else path


def _run(command: list, what: str, **kwargs) -> subprocess.CompletedProcess:
    done = subprocess.run([str(c) for c in command], capture_output=True, text=True, **kwargs)
    if done.returncode != 0:
        tail = "\n  ".join((done.stdout + done.stderr).strip().splitlines()[-12:])
        raise CourseError(f"{what} failed (exit {done.returncode}); the end of its output:\n  {tail}")
    return done


def _stamp(*parts: bytes) -> str:
    return hashlib.sha256(b"\0".join(parts)).hexdigest()


def _ignore(root: Path):
    def skipped(folder: str, names: list[str]) -> set[str]:
        top = Path(folder).resolve() == root
        return {n for n in names
                if n in SKIPPED_ANYWHERE or n.endswith(".egg-info") or (top and n in TOP_LEVEL_SKIPPED)}

    return skipped


def _replace_tree(new: Path, final: Path) -> None:
    """Swap a fully written folder into place; the old one is removed only after."""
    old = final.with_name(f".{final.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if final.exists():
        os.replace(final, old)
    os.replace(new, final)
    shutil.rmtree(old, ignore_errors=True)


def copy_course(source: Path, layout: Layout) -> str:
    if source.resolve() == layout.course.resolve():
        return f"already at {layout.course}"
    staging = layout.prefix / ".course-new"
    shutil.rmtree(staging, ignore_errors=True)
    shutil.copytree(source, staging, ignore=_ignore(source.resolve()), symlinks=True)
    _replace_tree(staging, layout.course)
    return f"copied from {source} to {layout.course}"


def _unpinned(layout: Layout, lock: Path) -> list[str]:
    """Packages in the environment at a version the lock does not name (there should be none)."""
    pinned = {line.split(";")[0].strip().lower().replace("_", "-") for line in lock.read_text().splitlines()
              if "==" in line and not line.startswith("#")}
    frozen = _run([layout.bin("python"), "-m", "pip", "freeze", "--all", "--exclude-editable"], "pip freeze").stdout
    own = ("pip==", "transformers-course==")  # pip itself, and the course (installed editable, from its own folder)
    return [line for line in frozen.split() if not line.lower().startswith(own)
            # a local label ("+cpu") is the build a wheel index served; the lock pins the release
            and line.split("+")[0].lower().replace("_", "-") not in pinned]


def python_environment(layout: Layout, python: str) -> str:
    """A virtual environment with the course and its `classroom` extra (the hub), every version pinned by
    requirements.lock; the test and book tools a class does not need are left out. The course is installed editable,
    so its solutions/ stay beside it for `course check`."""
    lock, project = layout.course / "requirements.lock", layout.course / "pyproject.toml"
    version = _run([python, "-c", "import sys; print(sys.version)"], f"{python} --version").stdout
    stamp = _stamp(lock.read_bytes(), project.read_bytes(), python.encode(), version.encode())
    marker = layout.venv / ".course-stamp"
    if marker.exists() and marker.read_text() == stamp:
        return f"{layout.venv} is up to date"
    shutil.rmtree(layout.venv, ignore_errors=True)
    _run([python, "-m", "venv", layout.venv], f"{python} -m venv")
    pip = [layout.bin("python"), "-m", "pip", "--disable-pip-version-check", "--no-input", "install", "--quiet",
           "--progress-bar", "off", *(["--root-user-action=ignore"] if os.geteuid() == 0 else []), "-c", lock]
    _run([*pip, "setuptools"], "pip install setuptools")  # the course's build backend, at the lock's version
    _run([*pip, "--no-build-isolation", "-e", f"{layout.course}[classroom]"], "pip install (the course for a class)")
    unpinned = _unpinned(layout, lock)
    if unpinned:
        raise CourseError(f"requirements.lock does not pin {', '.join(unpinned)}; run `make lock` in the course and "
                          "install again.")
    marker.write_text(stamp)
    return f"{layout.venv} pinned by requirements.lock, on {python} ({version.split()[0]})"


def _node_major() -> int:
    node = shutil.which("node") or shutil.which("nodejs")
    if not node or not shutil.which("npm"):
        raise CourseError(f"The hub's proxy (configurable-http-proxy) needs Node.js {MIN_NODE} or newer with npm, and "
                          "this machine has none: install them (`apt-get install nodejs npm`), then run this again.")
    version = _run([node, "--version"], "node --version").stdout.strip().lstrip("v")
    return int(version.split(".")[0])


def proxy(layout: Layout) -> str:
    """configurable-http-proxy at the version deploy/package-lock.json pins, installed with `npm ci`."""
    major = _node_major()
    if major < MIN_NODE:
        raise CourseError(f"The hub's proxy needs Node.js {MIN_NODE} or newer; this machine has Node.js {major}. "
                          "Install a newer one, then run this again.")
    deploy = layout.course / "deploy"
    wanted = _stamp((deploy / "package.json").read_bytes(), (deploy / "package-lock.json").read_bytes())
    marker = layout.proxy / ".course-stamp"
    if marker.exists() and marker.read_text() == wanted and layout.proxy_command.exists():
        return f"{layout.proxy_command} is up to date"
    shutil.rmtree(layout.proxy, ignore_errors=True)
    layout.proxy.mkdir(parents=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(deploy / name, layout.proxy / name)
    _run(["npm", "ci", "--omit=dev", "--no-audit", "--no-fund"], "npm ci (configurable-http-proxy)", cwd=layout.proxy)
    marker.write_text(wanted)
    version = _run([layout.proxy_command, "--version"], "configurable-http-proxy --version").stdout.strip()
    return f"configurable-http-proxy {version} on Node.js {major}"


def share(folder: Path, owner: tuple[int, int] | None = None) -> None:
    """Readable by every account, writable by its owner alone (a+rX,go-w); given to `owner` when named."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        if owner is not None:
            os.chown(path, *owner)
        mode = path.stat().st_mode
        readable = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH
        passable = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH if path.is_dir() or mode & stat.S_IXUSR else 0
        path.chmod((stat.S_IMODE(mode) | readable | passable) & ~(stat.S_IWGRP | stat.S_IWOTH))


def shelf(layout: Layout, owner: pwd.struct_passwd | None, shelf_from: Path | None) -> str:
    """The teacher's shelf: a copy of a built one, or built here as the teacher; read-only to everyone else."""
    ids = (owner.pw_uid, owner.pw_gid) if owner else (os.geteuid(), os.getegid())
    who = owner.pw_name if owner else pwd.getpwuid(os.geteuid()).pw_name
    if shelf_from is not None:
        staging = layout.prefix / ".shelf-new"
        shutil.rmtree(staging, ignore_errors=True)
        shutil.copytree(shelf_from, staging, symlinks=True,
                        ignore=shutil.ignore_patterns(".locks", ".building-*", ".retired-*"))
        share(staging, ids)
        _replace_tree(staging, layout.shelf)
        return f"copied from {shelf_from} to {layout.shelf}, owned by {who}, read-only to learners"
    layout.shelf.mkdir(exist_ok=True)
    os.chown(layout.shelf, *ids)
    home = owner.pw_dir if owner else os.environ.get("HOME", "/root")
    env = {"HOME": home, "PATH": f"{layout.venv}/bin:/usr/local/bin:/usr/bin:/bin", "COURSE_MODE": "offline",
           "COURSE_SHELF": str(layout.shelf), "LANG": os.environ.get("LANG", "C.UTF-8")}
    print(f"Building every stand-in model into {layout.shelf} as {who} (about 10 minutes on 2 cores)...", flush=True)
    done = subprocess.run([str(layout.bin("course")), "shelf", "build", "--jobs", "2"], env=env, cwd=home,
                          user=ids[0], group=ids[1], extra_groups=[])
    if done.returncode != 0:
        raise CourseError(f"Building the shelf as {who} failed (exit {done.returncode}; its output is above).")
    share(layout.shelf, ids)
    return f"built in {layout.shelf}, owned by {who}, read-only to learners"


def learners_group(name: str) -> str:
    try:
        grp.getgrnam(name)
    except KeyError:
        if os.geteuid() != 0:
            return f"group: {name} does not exist; root must create it (`groupadd {name}`) before learners log in"
        _run(["groupadd", name], f"groupadd {name}")
        return f"group: created {name}; add each learner with `usermod -aG {name} ACCOUNT`"
    return f"group: members of {name} may log in (add a learner with `usermod -aG {name} ACCOUNT`)"


def _teacher(name: str | None) -> pwd.struct_passwd | None:
    name = name or (os.environ.get("SUDO_USER") if os.geteuid() == 0 else None)
    if not name or name == "root":
        return None
    if os.geteuid() != 0:
        raise CourseError(f"Giving the shelf to the teacher {name!r} needs root: run this with sudo.")
    try:
        return pwd.getpwnam(name)
    except KeyError:
        raise CourseError(f"There is no account {name!r} for the teacher; create it, or pass --teacher ACCOUNT.") \
            from None


def _check_reachable(layout: Layout, python: str, shelf_from: Path | None) -> None:
    blocked = closed_to_others(Path(python), executable=True)
    if blocked:
        raise CourseError(f"Learners could not run the class's Python {python}: {blocked} is closed to other accounts. "
                          "Pass --python with one every account can run, such as the machine's /usr/bin/python3.")
    # The prefix itself is opened by the installation (mode 755); the folders above it must already be passable.
    blocked = closed_to_others(next(p for p in layout.prefix.parents if p.exists()))
    if blocked:
        raise CourseError(f"Learners could not reach {layout.prefix}: {blocked} is closed to other accounts. Choose "
                          f"another --prefix (such as /srv/transformers-course) or open it: chmod o+x {blocked}")
    if shelf_from is not None and not (shelf_from / ".").is_dir():
        raise CourseError(f"No shelf at {shelf_from} to copy; pass --shelf-from DIR with a built shelf, or leave it "
                          "out to build one here.")


def install(prefix: Path, *, python: str | None = None, teacher: str | None = None, group: str = DEFAULT_GROUP,
            shelf_from: Path | None = None, source: Path = SOURCE, say=print) -> Layout:
    """Install (or update) the class in `prefix`; each step says what it did and how long it took."""
    layout = Layout(Path(prefix).resolve())
    python = python or default_python()
    owner = _teacher(teacher)
    _check_reachable(layout, python, shelf_from)
    layout.prefix.mkdir(parents=True, exist_ok=True)
    layout.prefix.chmod(0o755)
    steps = (("course", "copying the course", lambda: copy_course(source, layout)),
             ("environment", "installing requirements.lock (about 3 minutes the first time)",
              lambda: python_environment(layout, python)),
             ("proxy", "npm ci", lambda: proxy(layout)),
             ("shelf", "the offline models", lambda: shelf(layout, owner, shelf_from)))
    for name, doing, step in steps:
        say(f"{name}: {doing} ...")
        started = time.monotonic()
        detail = step()
        say(f"{name}: {detail} ({time.monotonic() - started:.0f} s)")
    for folder in (layout.course, layout.venv, layout.proxy):
        share(folder)
    layout.state.mkdir(mode=0o700, exist_ok=True)
    layout.state.chmod(0o700)
    say(learners_group(group))
    say(f"Class installed in {layout.prefix}. Start its hub with: sudo {layout.bin('course')} classroom start "
        f"--prefix {layout.prefix}")
    return layout
