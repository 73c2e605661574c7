"""The `course` command: doctor, shelf build/list, release, workspace and lab."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import CourseError


def _human_size(n: int) -> str:
    for unit in ("B", "KB", "MB", "GB"):
        if n < 1024 or unit == "GB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return ""


def cmd_shelf_list(args) -> int:
    from .checkpoints import ROLES, resolve
    from .modes import activate

    mode = activate().mode
    rows = [("role", "mode", "kind", "state", "path or Hub id", "held-out score", "size")]
    for name in ROLES:
        info = resolve(name)
        rows.append((name, mode, info.kind, info.state, info.location, info.score or "-",
                     _human_size(info.size_bytes) if info.size_bytes else "-"))
    widths = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for i, row in enumerate(rows):
        print("  ".join(str(v).ljust(w) for v, w in zip(row, widths)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    return 0


def cmd_shelf_build(args) -> int:
    import time

    from .checkpoints import ROLES, get_role, recipe_for
    from .shelf import default_shelf

    names = args.roles or [name for name, role in ROLES.items() if role.recipe]
    chosen = [get_role(name) for name in names]
    packaged = [role for role in chosen if not role.recipe]
    for role in packaged:
        print(f"{role.name}: nothing to build (a real model shipped by an installed package).")
    trained = [role for role in chosen if role.recipe]
    if getattr(args, "jobs", 1) > 1 and len(trained) > 1:
        return _build_in_parallel([r.name for r in trained], args.jobs, args.force)
    shelf = default_shelf()
    for role in trained:
        started = time.time()
        path = shelf.build(role.name, recipe_for(role), force=args.force)
        manifest = shelf.status(role.name, recipe_for(role)).manifest
        print(f"{role.name}: ready at {path} ({_human_size(shelf.size_bytes(role.name))}, "
              f"{time.time() - started:.0f} s this run; held-out {manifest['heldout_metrics']})")
    return 0


def _build_in_parallel(names: list[str], jobs: int, force: bool) -> int:
    """Build roles in `jobs` child processes, longest first, each on its share of the cores.

    A role trained from another role's stand-in goes last, so that its base is ready when it starts instead of
    holding a worker while it waits for the base's lock."""
    import subprocess
    import tempfile
    import time
    from concurrent.futures import ThreadPoolExecutor, as_completed

    from tqdm.auto import tqdm

    from .checkpoints import ROLES, recipe_for

    recipes = {n: recipe_for(ROLES[n]) for n in names}
    names = sorted(names, key=lambda n: (recipes[n].starts_from is not None, -recipes[n].estimate_seconds))
    threads = str(max(1, (os.cpu_count() or 1) // jobs))
    env = {**os.environ, "OMP_NUM_THREADS": threads, "MKL_NUM_THREADS": threads}
    logs = Path(tempfile.mkdtemp(prefix="shelf-build-logs-"))
    started = time.time()

    def build(name: str) -> tuple[str, int, float]:
        began = time.time()
        command = [sys.executable, "-m", "course_utils.cli", "shelf", "build", name] + (["--force"] if force else [])
        with open(logs / f"{name}.log", "w") as log:
            code = subprocess.run(command, stdout=log, stderr=subprocess.STDOUT, env=env).returncode
        return name, code, time.time() - began

    failed = []
    with ThreadPoolExecutor(max_workers=jobs) as pool, tqdm(total=len(names), desc="shelf", unit="role") as bar:
        for future in as_completed([pool.submit(build, name) for name in names]):
            name, code, seconds = future.result()
            lines = (logs / f"{name}.log").read_text(errors="replace").strip().splitlines()
            if code == 0:
                bar.write(lines[-1] if lines else f"{name}: ready ({seconds:.0f} s)")
            else:
                failed.append(name)
                bar.write(f"{name}: FAILED after {seconds:.0f} s; the end of its log:\n  " + "\n  ".join(lines[-15:]))
            bar.update()
    print(f"Shelf: {len(names) - len(failed)} of {len(names)} roles ready in {time.time() - started:.0f} s "
          f"({jobs} at a time; logs in {logs}).")
    return 1 if failed else 0


def cmd_prefetch(args) -> int:
    from .prefetch import prefetch

    prefetch(Path(args.cache_dir) if args.cache_dir else None,
             build_shelf=lambda: cmd_shelf_build(argparse.Namespace(roles=[], force=False, jobs=2)))
    return 0


def cmd_bench(args) -> int:
    from .bench import run_bench

    return run_bench(args.lessons, Path(args.folder), args.shelf, args.roles, args.json)


def cmd_check(args) -> int:
    from .grading import as_json, as_table, check_workspace

    workspace = Path(args.workspace)
    progress = None if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    reports = check_workspace(workspace, args.lessons, timeout=args.timeout, progress=progress)
    print(as_json(reports, workspace) if args.json else as_table(reports))
    return 0


def cmd_doctor(args) -> int:
    from .doctor import run_doctor

    return run_doctor()


def cmd_release(args) -> int:
    from .release import release

    differing = release(Path(args.solutions), Path(args.lessons), check=args.check)
    if args.check:
        if differing:
            print(f"{args.lessons}/ is out of date with {args.solutions}/: {', '.join(differing)}. "
                  "Run `course release` and commit the result.")
            return 1
        print(f"{args.lessons}/ matches {args.solutions}/.")
        return 0
    print(f"Wrote {len(differing)} student notebook(s)" + (f": {', '.join(differing)}" if differing else "."))
    return 0


def _sync(lessons: str, workspace: str) -> None:
    from .workspace import sync_workspace

    source = Path(lessons)
    if not source.is_dir():
        raise CourseError(f"No lessons folder at {source.resolve()}; run this from the course folder.")
    for line in sync_workspace(source, Path(workspace)):
        print(line)


def cmd_workspace(args) -> int:
    _sync(args.lessons, args.workspace)
    print(f"Workspace ready: {Path(args.workspace).resolve()}")
    return 0


def _build_for_first_lessons(lessons: Path, how_many: int = 2) -> None:
    """Build what the first lessons need now; the rest builds on first use, so a learner starts in minutes."""
    from .checkpoints import ROLES, recipe_for, roles_in_notebook
    from .shelf import default_shelf

    first = sorted(lessons.glob("*.ipynb"))[:how_many]
    needed = list(dict.fromkeys(r for nb in first for r in roles_in_notebook(nb) if ROLES[r].recipe))
    cmd_shelf_build(argparse.Namespace(roles=needed, force=False, jobs=2))
    shelf = default_shelf()
    later = [r for r, role in ROLES.items()
             if role.recipe and shelf.status(r, recipe_for(role)).state != "ready"]
    if later:
        minutes = sum(recipe_for(ROLES[r]).estimate_seconds for r in later) / 60
        print(f"Later lessons build their models the first time they run ({', '.join(later)}: about "
              f"{minutes:.0f} min in all), or build them all now with `make shelf`.")


def lab_command(workspace: str, port: int, no_browser: bool) -> list[str]:
    """JupyterLab on this machine only, protected by the token Jupyter generates."""
    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={workspace}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}"]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and lab machines often run everything as root; Jupyter refuses that unless told.
        command.append("--allow-root")
    return command


def cmd_lab(args) -> int:
    from .modes import activate

    decision = activate()
    print(f"Mode: {decision.mode} ({decision.reason})")
    if decision.mode == "offline":
        _build_for_first_lessons(Path(args.lessons))
    _sync(args.lessons, args.workspace)
    command = lab_command(args.workspace, args.port, args.no_browser)
    print("Starting JupyterLab on localhost (the link with its token follows):", " ".join(command[2:]))
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Tools for the transformers course.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("doctor", help="check versions, mode, Hub access and the shelf").set_defaults(run=cmd_doctor)

    shelf = sub.add_parser("shelf", help="the offline stand-in models").add_subparsers(dest="shelf_command",
                                                                                        required=True)
    build = shelf.add_parser("build", help="build stand-ins (all of them when no role is named)")
    build.add_argument("roles", nargs="*", metavar="ROLE")
    build.add_argument("--force", action="store_true", help="rebuild even when a good entry exists")
    build.add_argument("--jobs", type=int, default=1, help="build this many roles at once (each on its share of cores)")
    build.set_defaults(run=cmd_shelf_build)
    shelf.add_parser("list", help="a table of roles and where each resolves").set_defaults(run=cmd_shelf_list)

    pre = sub.add_parser("prefetch", help="download every Hub checkpoint the course uses (or build the shelf)")
    pre.add_argument("--cache-dir", help="a folder to download into instead of the HF cache (share it as HF_HUB_CACHE)")
    pre.set_defaults(run=cmd_prefetch)

    bench = sub.add_parser("bench", help="time each lesson (and with --shelf, each stand-in build)")
    bench.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson names or number prefixes (default: all)")
    bench.add_argument("--folder", default="solutions", help="where the notebooks are (default: solutions)")
    bench.add_argument("--shelf", action="store_true", help="also build every stand-in from nothing, timed")
    bench.add_argument("--roles", nargs="*", default=[], metavar="ROLE", help="with --shelf: only these roles")
    bench.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    bench.set_defaults(run=cmd_bench)

    check = sub.add_parser("check", help="run a learner's notebooks offline and report each exercise")
    check.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson numbers or names (default: every notebook)")
    check.add_argument("--workspace", default="workspace", help="the learner's folder (default: workspace)")
    check.add_argument("--json", action="store_true", help="print JSON for a script instead of a table")
    check.add_argument("--timeout", type=int, default=120, help="seconds a cell may run (default: 120)")
    check.set_defaults(run=cmd_check)

    rel = sub.add_parser("release", help="write lessons/ from solutions/")
    rel.add_argument("--check", action="store_true", help="fail if lessons/ differ from what release would write")
    rel.add_argument("--solutions", default="solutions")
    rel.add_argument("--lessons", default="lessons")
    rel.set_defaults(run=cmd_release)

    for name, run, text in (("workspace", cmd_workspace, "copy new lessons into your workspace"),
                            ("lab", cmd_lab, "set up, then start JupyterLab on your workspace")):
        p = sub.add_parser(name, help=text)
        p.add_argument("--lessons", default="lessons")
        p.add_argument("--workspace", default="workspace")
        if name == "lab":
            p.add_argument("--port", type=int, default=8888)
            p.add_argument("--no-browser", action="store_true")
        p.set_defaults(run=run)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .shelf.store import pin_shelf_variable

    args = build_parser().parse_args(argv)
    pin_shelf_variable()
    try:
        return args.run(args)
    except CourseError as exc:
        print(f"course: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("course: interrupted; nothing half-built was kept.", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
