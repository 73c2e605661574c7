"""The class installation and the hub's configuration, without a hub: the layout that `course classroom install`
writes is the one deploy/jupyterhub_config.py reads, and bad input is one line that creates nothing."""

from __future__ import annotations

import os
import re
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from traitlets.config import Config

from course_utils.classroom import LEARNER_THREADS, Layout
from course_utils.classroom.hub import SETTINGS, hub_command
from course_utils.classroom.install import closed_to_others, share
from course_utils.errors import CourseError
from course_utils.shelf.store import ENV_VAR

REPO = Path(__file__).resolve().parents[1]
CONFIG = REPO / "deploy" / "jupyterhub_config.py"


def course(*args, **env):
    return subprocess.run([sys.executable, "-m", "course_utils.cli", *map(str, args)], capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=120)


def _one_line(done: subprocess.CompletedProcess, words: str) -> None:
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("\n") == 1 and words in done.stderr and "Traceback" not in done.stderr, done.stderr


def load_config(prefix: Path, **env: str) -> tuple[Config, dict]:
    """deploy/jupyterhub_config.py as JupyterHub loads it, with `env` as the hub's environment."""
    config = Config()
    saved = dict(os.environ)
    os.environ.update({"COURSE_CLASS_PREFIX": str(prefix), **env})
    namespace = {"get_config": lambda: config, "__file__": str(CONFIG)}
    try:
        exec(compile(CONFIG.read_text(), str(CONFIG), "exec"), namespace)
        left = dict(os.environ)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return config, left


def test_the_hub_configuration_reads_the_installation_layout(tmp_path):
    layout = Layout(tmp_path / "class")
    config, left = load_config(layout.prefix, COURSE_HUB_PORT="8123", COURSE_HUB_ADMIN_TOKEN="abc")
    assert config.JupyterHub.bind_url == "http://127.0.0.1:8123"
    assert config.JupyterHub.hub_bind_url.startswith("http://127.0.0.1:")
    assert config.ConfigurableHTTPProxy.api_url.startswith("http://127.0.0.1:")
    assert config.Spawner.ip == "127.0.0.1"
    assert config.ConfigurableHTTPProxy.command == [str(layout.proxy_command)]
    assert config.Spawner.cmd == [str(layout.bin("jupyterhub-singleuser"))]
    assert config.JupyterHub.db_url.endswith(str(layout.state / "jupyterhub.sqlite"))
    environment = config.Spawner.environment
    assert environment["COURSE_MODE"] == "offline"
    assert environment[ENV_VAR] == str(layout.shelf) and environment["HF_HUB_CACHE"] == str(layout.hf_cache)
    assert environment["PATH"].startswith(f"{layout.venv}/bin:")
    assert environment["OMP_NUM_THREADS"] == str(LEARNER_THREADS) == "1", "a class's kernels share the cores"
    assert config.Spawner.env_keep == ["LANG", "LC_ALL"]
    assert "--MappingKernelManager.cull_idle_timeout=3600" in config.Spawner.args
    assert config.Spawner.pre_spawn_hook.__name__ == "fill_workspace"  # it also puts kernels on IPC sockets
    assert config.JupyterHub.authenticator_class == "pam"
    assert config.PAMAuthenticator.allowed_groups == {"course-learners"}
    assert config.JupyterHub.services == [{"name": "course-admin", "api_token": "abc"}]
    assert "COURSE_HUB_ADMIN_TOKEN" not in left, "the admin token must not reach the proxy's environment"


def test_without_an_admin_token_there_is_no_admin_service(tmp_path):
    config, _ = load_config(tmp_path, COURSE_HUB_ADMIN_TOKEN="")
    assert "services" not in config.JupyterHub and "load_roles" not in config.JupyterHub


def test_a_teacher_gives_each_kernel_more_threads_on_a_bigger_server(tmp_path):
    config, _ = load_config(tmp_path, COURSE_LEARNER_THREADS="4")
    assert config.Spawner.environment["OMP_NUM_THREADS"] == "4"


def test_every_setting_the_configuration_reads_reaches_the_hub():
    read = set(re.findall(r'os\.environ(?:\.get|\.pop)?[\[(]"(COURSE_[A-Z_]+)"', CONFIG.read_text()))
    assert read and read - {"COURSE_CLASS_PREFIX"} <= set(SETTINGS), read - set(SETTINGS)


def _complete_installation(folder: Path) -> Layout:
    """The files `course classroom start` looks for, empty."""
    layout = Layout(folder)
    for path in (layout.bin("jupyterhub"), layout.proxy_command, layout.config):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    layout.shelf.mkdir()
    return layout


def test_the_hub_gets_its_settings_and_nothing_else_of_the_environment(tmp_path, monkeypatch):
    layout = _complete_installation(tmp_path)
    monkeypatch.setenv("HF_TOKEN", "secret")
    monkeypatch.setenv("COURSE_TEACHER", "alice")
    command, env = hub_command(layout, port=8765)
    assert command == [str(layout.bin("jupyterhub")), "-f", str(layout.config)]
    assert env["COURSE_HUB_PORT"] == "8765" and env["COURSE_TEACHER"] == "alice"
    assert env["COURSE_CLASS_PREFIX"] == str(layout.prefix) and env["PATH"].startswith(f"{layout.venv}/bin:")
    assert "HF_TOKEN" not in env


@pytest.mark.parametrize("threads", ["0", "two", "-1", ""])
def test_a_bad_thread_count_for_learners_stops_the_start_with_what_to_do(tmp_path, monkeypatch, threads):
    monkeypatch.setenv("COURSE_LEARNER_THREADS", threads)
    with pytest.raises(CourseError, match="COURSE_LEARNER_THREADS must be a whole number .* leave it unset for 1"):
        hub_command(_complete_installation(tmp_path))


def test_a_folder_other_accounts_cannot_enter_is_found():
    with tempfile.TemporaryDirectory(dir="/tmp") as folder:  # created mode 700
        inside = Path(folder) / "python"
        inside.write_text("")
        assert closed_to_others(inside, executable=True) == Path(folder).resolve()
        Path(folder).chmod(0o755)
        assert closed_to_others(inside, executable=True) == inside.resolve()  # not readable, not executable
        inside.chmod(0o755)
        assert closed_to_others(inside, executable=True) is None


def test_share_opens_for_reading_and_closes_for_writing(tmp_path):
    folder = tmp_path / "shelf"
    (folder / "model").mkdir(parents=True)
    private, open_to_all = folder / "model" / "weights.bin", folder / "model" / "run.sh"
    private.write_text("w")
    private.chmod(0o600)
    open_to_all.write_text("x")
    open_to_all.chmod(0o777)
    (folder / "model").chmod(0o700)
    share(folder)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (folder, folder / "model", private, open_to_all)}
    assert modes == {"shelf": 0o755, "model": 0o755, "weights.bin": 0o644, "run.sh": 0o755}


def test_an_existing_private_prefix_is_fine_since_the_installation_opens_it():
    from course_utils.classroom.install import _check_reachable, default_python

    with tempfile.TemporaryDirectory(dir="/tmp") as prefix:  # mode 700, in a folder everyone may pass
        _check_reachable(Layout(Path(prefix)), default_python(), None)


@pytest.mark.parametrize("args,words", [
    (["--prefix", "{closed}/class"], "is closed to other accounts"),
    (["--prefix", "{open}/class", "--python", "{closed}/python3"], "Learners could not run the class's Python"),
    (["--prefix", "{open}/class", "--shelf-from", "{open}/no-shelf"], "No shelf at"),
    (["--prefix", "{open}/class", "--teacher", "no-such-account-here"], "no account 'no-such-account-here'"),
])
def test_bad_install_options_are_one_line_and_create_nothing(args, words):
    with tempfile.TemporaryDirectory(dir="/tmp") as closed, tempfile.TemporaryDirectory(dir="/tmp") as opened:
        Path(opened).chmod(0o755)
        Path(closed, "python3").write_text("")
        filled = [a.format(closed=closed, open=opened) for a in args]
        if "--teacher" in args and os.geteuid() != 0:
            words = "needs root"
        _one_line(course("classroom", "install", *filled), words)
        assert not Path(opened, "class").exists()


def test_starting_an_incomplete_installation_is_one_line(tmp_path):
    done = course("classroom", "start", "--prefix", tmp_path / "nothing-here")
    _one_line(done, "must run as root" if os.geteuid() != 0 else "is not a complete class installation")
