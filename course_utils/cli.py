"""The `course` command: doctor, shelf build/list, prefetch, bench, check, release, workspace, lab and book."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .errors import CourseError
from .tables import format_table, human_size


def cmd_shelf_list(args) -> int:
    from .checkpoints import ROLES, resolve
    from .modes import activate

    mode = activate().mode
    rows = [("role", "mode", "kind", "state", "path or Hub id", "held-out score", "size")]
    for name in ROLES:
        info = resolve(name)
        rows.append((name, mode, info.kind, info.state, info.location, info.score or "-",
                     human_size(info.size_bytes) if info.size_bytes else "-"))
    print(format_table(rows))
    return 0


def _report_build(outcome) -> None:
    from tqdm.auto import tqdm

    if not outcome.ok:
        where = f"; its output is in {outcome.log}" if outcome.log else ""
        tqdm.write(f"{outcome.role}: FAILED after {outcome.seconds:.0f} s: {outcome.error}{where}")
        return
    done = "ready" if outcome.state == "ready" else f"built in {outcome.seconds:.0f} s"
    tqdm.write(f"{outcome.role}: {done} at {outcome.path} ({human_size(outcome.size_bytes)}"
               + (f"; {outcome.score})" if outcome.score else ")"))


def build_roles(names: list[str], *, jobs: int, force: bool = False) -> int:
    """Build these roles (and what they start from) on the course's shelf, a line per role; the exit code."""
    import time

    from .checkpoints import course_shelf
    from .shelf.builds import build_many

    started = time.time()
    outcomes = build_many(course_shelf(), names, jobs=jobs, force=force, on_done=_report_build)
    ready = sum(outcome.ok for outcome in outcomes)
    print(f"Shelf: {ready} of {len(outcomes)} roles ready in {time.time() - started:.0f} s ({jobs} at a time).")
    return 0 if ready == len(outcomes) else 1


def _roles_of_lessons(names: list[str]) -> list[str]:
    """The roles that these lessons (numbers or names, in lessons/) ask for in their first cell."""
    from .bench import lesson_paths
    from .checkpoints import roles_in_notebook

    folder = _lessons_folder("lessons")
    return [role for path in lesson_paths(folder, names) for role in roles_in_notebook(path)]


def cmd_shelf_build(args) -> int:
    from .checkpoints import get_role, trained_roles

    named = [*args.roles, *(_roles_of_lessons(args.lessons) if args.lessons else [])]
    chosen = [get_role(name) for name in dict.fromkeys(named if args.roles or args.lessons else trained_roles())]
    for role in chosen:
        if not role.recipe:
            what = ("a real model shipped by an installed package" if role.packaged else
                    "a Hub-only model, used in hub mode; offline, its cells take their offline branch")
            print(f"{role.name}: nothing to build ({what}).")
    trained = [role.name for role in chosen if role.recipe]
    return build_roles(trained, jobs=args.jobs, force=args.force) if trained else 0


def cmd_prefetch(args) -> int:
    """0 when every Hub checkpoint was fetched (or, with no Hub, every stand-in built); 1 when some were not."""
    from .checkpoints import trained_roles
    from .prefetch import hub_ids, prefetch

    shelf = []
    fetched = prefetch(Path(args.cache_dir) if args.cache_dir else None,
                       build_shelf=lambda: shelf.append(build_roles(trained_roles(), jobs=2)))
    if shelf:
        return shelf[0]
    return 0 if len(fetched) == len(hub_ids()) else 1


def cmd_bench(args) -> int:
    from .bench import run_bench

    if args.classroom is not None:
        from .classroom.bench import run_classroom_bench

        return run_classroom_bench(args.classroom, Path(args.folder), args.lessons, args.json, args.threads)
    return run_bench(args.lessons, Path(args.folder), args.shelf, args.roles, args.json)


def _grading_account(requested: str | None) -> str | None:
    """Whom learner code runs as: root hands it to an unprivileged account unless told `--run-as root` (as root it
    could write the shared shelf); anyone else runs it as themselves."""
    import getpass

    from .grading import UNPRIVILEGED

    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    me = getpass.getuser()
    if requested in (None, me):
        return UNPRIVILEGED if is_root and requested is None else None
    if not is_root:
        raise CourseError(f"Only root can run learners' code as another account; run `sudo -u {requested} course "
                          "check ...` instead, or leave out --run-as.")
    return requested


def cmd_check(args) -> int:
    from .grading import as_json, as_table, check_workspace

    workspace = Path(args.workspace)
    progress = None if args.json else (lambda line: print(line, file=sys.stderr, flush=True))
    reports = check_workspace(workspace, args.lessons, timeout=args.timeout, progress=progress,
                              solutions=Path(args.solutions) if args.solutions else None,
                              run_as=_grading_account(args.run_as))
    print(as_json(reports, workspace) if args.json else as_table(reports))
    return 0


def cmd_classroom_install(args) -> int:
    from .classroom.install import install

    install(Path(args.prefix), python=args.python, teacher=args.teacher, group=args.group,
            shelf_from=Path(args.shelf_from) if args.shelf_from else None)
    return 0


def cmd_classroom_start(args) -> int:
    from .classroom.hub import start

    start(Path(args.prefix), args.port)
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

    for line in sync_workspace(_lessons_folder(lessons), Path(workspace)):
        print(line)


def cmd_workspace(args) -> int:
    _sync(args.lessons, args.workspace)
    print(f"Workspace ready: {Path(args.workspace).resolve()}")
    return 0


def _lessons_folder(lessons: str) -> Path:
    source = Path(lessons)
    if not source.is_dir() or not any(source.glob("*.ipynb")):
        raise CourseError(f"No lessons folder with notebooks at {source.resolve()}; run this from the course folder "
                          "(or pass --lessons DIR).")
    return source


def _prepare_shelf(lessons: Path) -> None:
    """Build the first lesson's models now, and the second lesson's in the background while the learner reads the
    first: a learner starts in minutes, and a lesson opened early waits for a model still being built."""
    import subprocess

    from .checkpoints import ROLES, course_shelf, recipe_for, roles_in_notebook, trained_roles

    shelf = course_shelf()
    needs = [[r for r in roles_in_notebook(nb) if ROLES[r].recipe] for nb in sorted(lessons.glob("*.ipynb"))[:2]]
    build_roles(needs[0], jobs=2)
    second = needs[1] if len(needs) > 1 else []
    soon = [r for r in second if shelf.status(r).state != "ready"]
    if soon and shelf.writable():
        log = shelf.root / ".logs" / "background-build.log"
        log.parent.mkdir(parents=True, exist_ok=True)
        command = [sys.executable, "-m", "course_utils.cli", "shelf", "build", *soon, "--jobs", "1"]
        with open(log, "a") as output:
            subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                             preexec_fn=lambda: os.nice(10))
        print(f"Building the next lesson's models in the background ({', '.join(soon)}; progress in {log}).")
    later = [r for r in trained_roles() if r not in soon and shelf.status(r).state != "ready"]
    if later:
        minutes = sum(recipe_for(ROLES[r]).estimate_seconds for r in later) / 60
        print(f"Later lessons build their models the first time they run ({', '.join(later)}: about "
              f"{minutes:.0f} min in all), or build them all now with `make shelf`.")


def lab_command(workspace: str, port: int, no_browser: bool) -> list[str]:
    """JupyterLab on this machine only, protected by the token Jupyter generates."""
    from .kernels import server_arguments

    command = [sys.executable, "-m", "jupyterlab", f"--notebook-dir={workspace}",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", *server_arguments()]
    if no_browser:
        command.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        # Containers and lab machines often run everything as root; Jupyter refuses that unless told.
        command.append("--allow-root")
    return command


def cmd_lab(args) -> int:
    import importlib.util

    from .modes import activate

    if importlib.util.find_spec("jupyterlab") is None:
        raise CourseError("JupyterLab is not installed here: `pip install 'transformers-course[lab]'`, or `make lab` "
                          "in the course folder, which installs the tested versions.")
    lessons = _lessons_folder(args.lessons)
    decision = activate()
    print(f"Mode: {decision.mode} ({decision.reason})")
    _sync(args.lessons, args.workspace)
    if decision.mode == "offline":
        _prepare_shelf(lessons)
    command = lab_command(args.workspace, args.port, args.no_browser)
    print("Starting JupyterLab on localhost (the link with its token follows):", " ".join(command[2:]))
    sys.stdout.flush()
    os.execv(sys.executable, command)
    return 0


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1 (jobs, seconds), or one line saying what is wrong."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"it must be 1 or more, not {value}")
    return value


def cmd_book(args) -> int:
    from .book import build_book

    return build_book(Path(args.book), Path(args.solutions), Path(args.lessons), pages_only=args.pages_only,
                      repository=args.repository or None, branch=args.branch or None)


def _add_classroom_parser(sub) -> None:
    from .classroom import DEFAULT_GROUP, DEFAULT_PREFIX

    classroom = sub.add_parser("classroom", help="a JupyterHub for a class on this server").add_subparsers(
        dest="classroom_command", required=True)
    setup = classroom.add_parser("install", help="install the course for a class where every learner can read it")
    setup.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"where (default: {DEFAULT_PREFIX})")
    setup.add_argument("--python", help="a Python every account can run (default: /usr/bin/python3)")
    setup.add_argument("--teacher", help="the account that owns the shelf (default: the one that ran sudo)")
    setup.add_argument("--group", default=DEFAULT_GROUP, help=f"the learners' unix group (default: {DEFAULT_GROUP})")
    setup.add_argument("--shelf-from", metavar="DIR", help="copy this built shelf instead of building one")
    setup.set_defaults(run=cmd_classroom_install)
    hub = classroom.add_parser("start", help="start the class's JupyterHub (as root) on 127.0.0.1")
    hub.add_argument("--prefix", default=DEFAULT_PREFIX, help=f"the class installation (default: {DEFAULT_PREFIX})")
    hub.add_argument("--port", type=int, help="where the class connects (default: 8000, or COURSE_HUB_PORT)")
    hub.set_defaults(run=cmd_classroom_start)


def _add_shelf_parser(sub) -> None:
    shelf = sub.add_parser("shelf", help="the offline stand-in models").add_subparsers(dest="shelf_command",
                                                                                        required=True)
    build = shelf.add_parser("build", help="build stand-ins (all of them when no role is named)")
    build.add_argument("roles", nargs="*", metavar="ROLE")
    build.add_argument("--lessons", nargs="+", metavar="LESSON", default=[],
                       help="also build the roles these lessons use (numbers or names, from lessons/)")
    build.add_argument("--force", action="store_true", help="rebuild even when a good entry exists")
    build.add_argument("--jobs", type=positive_int, default=1,
                       help="build this many roles at once, each in its own process on one core")
    build.set_defaults(run=cmd_shelf_build)
    shelf.add_parser("list", help="a table of roles and where each resolves").set_defaults(run=cmd_shelf_list)


def _add_bench_parser(sub) -> None:
    from .classroom import LEARNER_THREADS

    bench = sub.add_parser("bench", help="time each lesson (and with --shelf, each stand-in build)")
    bench.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson names or number prefixes (default: all)")
    bench.add_argument("--folder", default="solutions", help="where the notebooks are (default: solutions)")
    bench.add_argument("--shelf", action="store_true", help="also build every stand-in from nothing, timed")
    bench.add_argument("--roles", nargs="*", default=[], metavar="ROLE", help="with --shelf: only these roles")
    bench.add_argument("--json", metavar="FILE", help="write the figures as JSON")
    bench.add_argument("--classroom", type=int, metavar="N", help="N learners run a lesson together (default: lesson "
                                                                   "01), against one alone; with the server capacity")
    bench.add_argument("--threads", type=int, default=LEARNER_THREADS, metavar="N",
                       help=f"with --classroom: CPU threads per learner's kernel (default: {LEARNER_THREADS}, as the "
                            "class's hub gives)")
    bench.set_defaults(run=cmd_bench)


def _add_check_parser(sub) -> None:
    check = sub.add_parser("check", help="run a learner's notebooks offline and report each exercise")
    check.add_argument("lessons", nargs="*", metavar="LESSON", help="lesson numbers or names (default: every notebook)")
    check.add_argument("--workspace", default="workspace", help="the learner's folder (default: workspace)")
    check.add_argument("--json", action="store_true", help="print JSON for a script instead of a table")
    check.add_argument("--timeout", type=float, default=120, help="seconds a cell may run (default: 120)")
    check.add_argument("--solutions", help="the master notebooks whose check cells are restored (default: the "
                                           "course's solutions/)")
    check.add_argument("--run-as", metavar="ACCOUNT", help="run learners' code as this account (default for root: "
                                                          "nobody; otherwise yourself)")
    check.set_defaults(run=cmd_check)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course", description="Tools for the transformers course.")
    sub = parser.add_subparsers(dest="command", required=True)

    sub.add_parser("doctor", help="check versions, mode, Hub access and the shelf").set_defaults(run=cmd_doctor)

    _add_shelf_parser(sub)

    pre = sub.add_parser("prefetch", help="download every Hub checkpoint the course uses (or build the shelf)")
    pre.add_argument("--cache-dir", help="a folder to download into instead of the HF cache (share it as HF_HUB_CACHE)")
    pre.set_defaults(run=cmd_prefetch)

    _add_bench_parser(sub)
    _add_check_parser(sub)
    _add_classroom_parser(sub)

    rel = sub.add_parser("release", help="write lessons/ from solutions/")
    rel.add_argument("--check", action="store_true", help="fail if lessons/ differ from what release would write")
    rel.add_argument("--solutions", default="solutions")
    rel.add_argument("--lessons", default="lessons")
    rel.set_defaults(run=cmd_release)

    book = sub.add_parser("book", help="build the website (every lesson executed) into book/_build/html")
    book.add_argument("--pages-only", action="store_true", help="write the lesson pages and stop")
    book.add_argument("--repository", metavar="URL",
                      help="link each lesson page to its notebook in this repository on Colab and Binder "
                           "(default: [tool.course] repository in pyproject.toml)")
    book.add_argument("--branch", help="the branch those links open (default: [tool.course] branch, else main)")
    book.add_argument("--book", default="book")
    book.add_argument("--solutions", default="solutions")
    book.add_argument("--lessons", default="lessons")
    book.set_defaults(run=cmd_book)

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
