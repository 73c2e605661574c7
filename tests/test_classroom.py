"""A class on one server, for real: the course installed for a class (on the machine's own Python, in a prefix every
account can read), the class's JupyterHub started by the course's own command, a teacher and four learner accounts
made for the test, every learner logged in through the REST API at once and running lessons 00, 01 and 09 in their
own server's kernel over its websocket, as JupyterLab does; then `course check` run by root on a learner's work.

The installation lives in a fresh folder under /tmp: CI's checkout may sit where other accounts cannot go (under
/root, mode 700), and nothing of it needs opening up, since learners only use the class's own copy."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psutil
import pytest

from accounts import SYSTEM_PYTHON, Account, create_account, needs_root, processes_of, remove_account
from hub_client import call, run_notebook, wait_until

from course_utils.classroom import learner_threads_environment

REPO = Path(__file__).resolve().parents[1]
LESSONS = ("00_setup.ipynb", "01_pipeline.ipynb", "10_clip.ipynb")
LEARNERS = 4
LOCAL = "127.0.0.1"

pytestmark = [needs_root, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOCAL, 0))
        return probe.getsockname()[1]


def tree_digest(folder: Path) -> dict[str, str]:
    """Every path under `folder` with its contents' hash (folders and links too): byte-identical means equal."""
    found = {}
    for path in sorted(folder.rglob("*")):
        name = path.relative_to(folder).as_posix()
        if path.is_symlink():
            found[name] = "link:" + os.readlink(path)
        elif path.is_dir():
            found[name] = "folder"
        else:
            found[name] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@dataclass
class Class:
    prefix: Path
    teacher: Account
    learners: list[Account]
    group: str
    install_seconds: float


@pytest.fixture(scope="module")
def classroom():
    from course_utils.classroom.install import install
    from course_utils.shelf.store import shelf_root

    built = shelf_root()
    assert (built / "sentiment" / "MANIFEST.json").exists(), f"no built shelf at {built} (make test builds it)"
    prefix = Path(tempfile.mkdtemp(prefix="course-class-", dir="/tmp"))
    group = f"class-{secrets.token_hex(3)}"
    accounts: list[Account] = []
    try:
        teacher = create_account("teacher")
        accounts.append(teacher)
        learners = [create_account("learner") for _ in range(LEARNERS)]
        accounts.extend(learners)
        started = time.monotonic()
        install(prefix, python=SYSTEM_PYTHON, teacher=teacher.name, group=group, shelf_from=built)
        seconds = time.monotonic() - started
        for learner in learners:
            subprocess.run(["usermod", "-aG", group, learner.name], check=True)
        print(f"\nclass installed in {seconds:.0f} s")
        yield Class(prefix, teacher, learners, group, seconds)
    finally:
        for account in accounts:
            remove_account(account)
        subprocess.run(["groupdel", group], check=False, capture_output=True)
        # Deleting the installation's ~2 GB of small files takes minutes on a busy disk and nothing waits for it:
        # move it out of the way at once and let `rm` finish on its own.
        trash = prefix.with_name(f".{prefix.name}-deleted")
        os.replace(prefix, trash)
        subprocess.Popen(["rm", "-rf", "--one-file-system", str(trash)], start_new_session=True,
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


class Listening(threading.Thread):
    """Samples, every second, the listening sockets and memory of the hub's process tree and the learners' processes."""

    def __init__(self, hub: int, uids: set[int]):
        super().__init__(daemon=True)
        self.hub, self.uids = hub, uids
        self.sockets: set[tuple[str, int, str, int]] = set()  # (process name, its uid, address, port)
        self.server_mb = 0.0
        self.halt = threading.Event()

    def _ours(self) -> dict[int, psutil.Process]:
        found = {}
        try:
            hub = psutil.Process(self.hub)
            found = {p.pid: p for p in [hub, *hub.children(recursive=True)]}
        except psutil.Error:
            pass
        for process in psutil.process_iter(["uids"]):
            if process.info["uids"] and process.info["uids"].real in self.uids:
                found[process.pid] = process
        return found

    def run(self) -> None:
        while not self.halt.is_set():
            ours = self._ours()
            for conn in psutil.net_connections(kind="inet"):
                if conn.status == psutil.CONN_LISTEN and conn.pid in ours:
                    try:
                        process = ours[conn.pid]
                        self.sockets.add((process.name(), process.uids().real, conn.laddr.ip, conn.laddr.port))
                    except psutil.Error:
                        pass
            for process in ours.values():
                try:
                    if "jupyterhub-singleuser" in " ".join(process.cmdline()):
                        self.server_mb = max(self.server_mb, process.memory_info().rss / 2**20)
                except psutil.Error:
                    pass
            self.halt.wait(1.0)


def _answers(url: str, token: str) -> bool:
    try:
        return call("GET", url, token, timeout=5)[0] == 200
    except OSError:
        return False


def _start_hub(classroom: Class, token: str) -> tuple[subprocess.Popen, int, Path]:
    port = free_port()
    env = {"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "COURSE_HUB_PORT": str(port),
           "COURSE_HUB_API_PORT": str(free_port()), "COURSE_PROXY_API_PORT": str(free_port()),
           "COURSE_HUB_ADMIN_TOKEN": token, "COURSE_CLASS_GROUP": classroom.group,
           "COURSE_TEACHER": classroom.teacher.name}
    log = classroom.prefix / "hub.log"
    with open(log, "w") as out:
        hub = subprocess.Popen([str(classroom.prefix / "venv" / "bin" / "course"), "classroom", "start", "--prefix",
                                str(classroom.prefix)], env=env, stdout=out, stderr=subprocess.STDOUT,
                               start_new_session=True)
    wait_until(lambda: hub.poll() is not None or _answers(f"http://{LOCAL}:{port}/hub/api/", token), 90,
               "the hub answering its API")
    assert hub.poll() is None, "the hub stopped:\n" + log.read_text()[-3000:]
    return hub, port, log


def _log_in(base: str, token: str, name: str, log: Path) -> tuple[str, str]:
    """Start a learner's server and issue their own token, through the hub's REST API; their server's URL."""
    status, answer = call("POST", f"{base}/hub/api/users/{name}/server", token, {})
    assert status in (201, 202), f"{name}: {status} {answer}\nthe hub's log ends:\n{log.read_text()[-4000:]}"

    def ready():
        status, user = call("GET", f"{base}/hub/api/users/{name}", token)
        server = (user or {}).get("servers", {}).get("", {}) if status == 200 else {}
        return server.get("ready") and server.get("url")

    url = wait_until(ready, 240, f"{name}'s server starting", every=2)
    status, issued = call("POST", f"{base}/hub/api/users/{name}/tokens", token, {"note": "class test",
                                                                                   "expires_in": 3600})
    assert status in (200, 201), f"{name}: {status} {issued}"
    return f"{base}{url}", issued["token"]


PROBE = '''
import json, os, pathlib
shelf = pathlib.Path(os.environ["COURSE_SHELF"])
def works(action):
    try:
        action()
        return True
    except OSError:
        return False
others = {others!r}
print(json.dumps({{
    "uid": os.getuid(),
    "env": {{k: os.environ.get(k) for k in ("COURSE_MODE", "COURSE_SHELF", "HF_HUB_CACHE", "OMP_NUM_THREADS")}},
    "writes_shelf": works(lambda: (shelf / "planted.txt").write_text("x")),
    "changes_a_model": works(lambda: open(shelf / "sentiment" / "MANIFEST.json", "a").close()),
    "reads_others": [o for o in others if works(lambda o=o: os.listdir(o))],
    "reads_others_lesson": [o for o in others if works(lambda o=o: open(o + "/00_setup.ipynb").read())],
}}))
'''


def _learner_day(server: str, token: str, others: list[str]) -> dict:
    status, listing = call("GET", f"{server}api/contents/", token)
    assert status == 200
    names = sorted(item["name"] for item in listing["content"])
    runs = []
    for lesson in LESSONS:
        extra = (PROBE.format(others=others),) if lesson == LESSONS[0] else ()
        runs.append(run_notebook(server, token, lesson, extra_cells=extra))
    probe = json.loads(runs[0].cells[-1].text)
    return {"names": names, "runs": runs, "probe": probe}


def _stop(hub: subprocess.Popen, learners: list[Account]) -> dict[str, list[str]]:
    """Stop the hub as Ctrl-C or a service manager does; what each learner still has running afterwards."""
    hub.send_signal(signal.SIGTERM)
    try:
        hub.wait(timeout=120)
    except subprocess.TimeoutExpired:
        os.killpg(hub.pid, signal.SIGKILL)
        raise
    leftovers = {}
    for learner in learners:
        try:
            wait_until(lambda learner=learner: not processes_of(learner), 30, f"{learner.name}'s processes ending")
        except AssertionError:
            leftovers[learner.name] = processes_of(learner)
    return leftovers


def _assert_each_learner(classroom: Class, days: list[dict]) -> None:
    for learner, day in zip(classroom.learners, days):
        assert set(LESSONS) <= set(day["names"]), f"{learner.name}'s workspace was not filled: {day['names']}"
        for run in day["runs"]:
            assert not run.failures, f"{learner.name} {run.path}: " + "; ".join(
                f"cell {c.index + 1}: {c.error}" for c in run.failures)
        probe = day["probe"]
        assert probe["uid"] == learner.uid, "each learner's kernel runs as their own account"
        assert probe["env"] == {"COURSE_MODE": "offline", "COURSE_SHELF": str(classroom.prefix / "shelf"),
                                "HF_HUB_CACHE": str(classroom.prefix / "hf-cache"),
                                **learner_threads_environment()}
        assert not probe["writes_shelf"] and not probe["changes_a_model"], f"{learner.name} could write the shelf"
        assert probe["reads_others"] == [] and probe["reads_others_lesson"] == [], probe


def test_a_class_of_four_learners_on_one_hub(classroom: Class):
    shelf = classroom.prefix / "shelf"
    shelf_before = tree_digest(shelf)
    token = secrets.token_hex(32)
    hub, port, log = _start_hub(classroom, token)
    base = f"http://{LOCAL}:{port}"
    uids = {learner.uid for learner in classroom.learners}
    watcher = Listening(hub.pid, uids)
    watcher.start()
    try:
        status, _ = call("POST", f"{base}/hub/api/users", token, {"usernames": [a.name for a in classroom.learners]})
        assert status == 201
        started = time.monotonic()
        with ThreadPoolExecutor(LEARNERS) as pool:
            servers = list(pool.map(lambda a: _log_in(base, token, a.name, log), classroom.learners))
            logged_in = time.monotonic() - started
            workspaces = [str(a.home / "workspace") for a in classroom.learners]
            days = list(pool.map(lambda i: _learner_day(*servers[i], [w for w in workspaces if w != workspaces[i]]),
                                 range(LEARNERS)))
        class_seconds = time.monotonic() - started
        _update_reaches_a_learner(base, token, classroom, servers[0])
    finally:
        watcher.halt.set()
        watcher.join()
        leftovers = _stop(hub, classroom.learners)
    hub_log = log.read_text()

    _assert_each_learner(classroom, days)
    assert tree_digest(shelf) == shelf_before, "the shelf changed during the class"
    owners = {p.stat().st_uid for p in [shelf, *shelf.rglob("*")]}
    assert owners == {classroom.teacher.uid}, "the teacher owns the shelf"
    exposed = sorted(s for s in watcher.sockets if s[2] != LOCAL)
    assert not exposed, f"listening beyond 127.0.0.1: {exposed}"
    assert port in {s[3] for s in watcher.sockets}, f"the proxy's public port was not seen: {watcher.sockets}"
    assert {s[1] for s in watcher.sockets} >= uids, f"not every learner's server was seen listening: {watcher.sockets}"
    assert hub.returncode is not None and not leftovers, f"left running after the hub stopped: {leftovers}"

    per_lesson = {lesson: [next(r.seconds for r in d["runs"] if r.path == lesson) for d in days] for lesson in LESSONS}
    print(f"\nclass of {LEARNERS}: logged in together in {logged_in:.0f} s; lessons "
          + ", ".join(f"{k} {min(v):.0f}-{max(v):.0f} s" for k, v in per_lesson.items())
          + f"; whole class {class_seconds:.0f} s; a learner's server (without kernels) peaked at "
          f"{watcher.server_mb:.0f} MB; kernels restarted by their server: "
          f"{hub_log.count('restarting kernel')}; {len(watcher.sockets)} listening sockets, all on {LOCAL}")


def _update_reaches_a_learner(base: str, token: str, classroom: Class, server: tuple[str, str]):
    """A learner saves their own edit; the teacher updates the lesson; the learner's next start brings the new
    version beside theirs and leaves their copy alone."""
    url, own = server
    name = classroom.learners[0].name
    status, model = call("GET", f"{url}api/contents/00_setup.ipynb?content=1", own)
    model["content"]["cells"][0]["source"] = "# my own notes\n"
    status, _ = call("PUT", f"{url}api/contents/00_setup.ipynb", own,
                     {"type": "notebook", "format": "json", "content": model["content"]})
    assert status == 200
    lesson = classroom.prefix / "course" / "lessons" / "00_setup.ipynb"
    updated = json.loads(lesson.read_text())
    updated["cells"][0]["source"] = ["# Lesson 00, revised by the teacher\n"]
    lesson.write_text(json.dumps(updated, indent=1) + "\n")
    assert call("DELETE", f"{base}/hub/api/users/{name}/server", token)[0] in (202, 204)
    wait_until(lambda: not call("GET", f"{base}/hub/api/users/{name}", token)[1]["servers"], 60, "the server stopping")
    url, own = _log_in(base, token, name, classroom.prefix / "hub.log")
    status, listing = call("GET", f"{url}api/contents/", own)
    names = {item["name"] for item in listing["content"]}
    offered = [n for n in names if n.startswith("00_setup.updated-")]
    assert len(offered) == 1, names
    mine = call("GET", f"{url}api/contents/00_setup.ipynb?content=1", own)[1]
    assert mine["content"]["cells"][0]["source"] == "# my own notes\n", "the learner's copy was replaced"
    workspace = classroom.learners[0].home / "workspace"
    assert workspace.stat().st_uid == classroom.learners[0].uid and workspace.stat().st_mode & 0o077 == 0


FAKED_AND_PATCHED = '''
import sys, types
from IPython.display import display
import course_utils.checks as checks
from course_utils.exercises import lesson00
def always_pass(*args, **kwargs):
    for number in ("0.1", "0.2"):
        display({"text/plain": "pass", checks.MIME: {"exercise": number, "title": "", "status": "pass", "parts": []}},
                raw=True)
lesson00.check_mode = lesson00.check_where = always_pass
checks.expect = lambda *args, **kwargs: True
sys.modules["course_utils.exercises.lesson00"] = types.SimpleNamespace(check_mode=always_pass, check_where=always_pass)
always_pass()
'''
PRIVILEGES = '''
import os, pathlib
assert os.getuid() != 0, "learner code must not run as root"
assert "HF_TOKEN" not in os.environ, "learner code must not see the grader's secrets"
(pathlib.Path(os.environ["COURSE_SHELF"]) / "planted.txt").write_text("x")
'''


def test_root_grades_a_learner_as_an_unprivileged_account(classroom: Class, tmp_path):
    """`course check` as root runs learner code as nobody: a faked pass and patched checkers fail, the shelf stays
    unwritten, and learner code never runs as root."""
    import nbformat

    lessons = classroom.prefix / "course" / "lessons"
    nb = nbformat.read(lessons / "00_setup.ipynb", as_version=4)
    for cell in nb.cells:
        if cell.get("id") == "cell-009":
            cell.source = 'my_mode = "hub"'
    nb.cells.insert(4, nbformat.v4.new_code_cell(FAKED_AND_PATCHED))
    nb.cells.insert(5, nbformat.v4.new_code_cell(PRIVILEGES))
    submitted = tmp_path / "alice"
    submitted.mkdir()
    nbformat.write(nb, submitted / "00_setup.ipynb")
    shelf_before = tree_digest(classroom.prefix / "shelf")
    done = subprocess.run([str(classroom.prefix / "venv" / "bin" / "course"), "check", "--workspace", str(submitted),
                           "--json"], capture_output=True, text=True, timeout=600,
                          env={"PATH": "/usr/bin:/bin", "COURSE_SHELF": str(classroom.prefix / "shelf"),
                               "HF_TOKEN": "hf_secret"})
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout)["lessons"][0]
    assert {e["exercise"]: e["status"] for e in report["exercises"]} == {"0.1": "fail", "0.2": "not attempted"}
    assert len(report["errors"]) == 1 and "PermissionError" in report["errors"][0], report["errors"]
    assert tree_digest(classroom.prefix / "shelf") == shelf_before
