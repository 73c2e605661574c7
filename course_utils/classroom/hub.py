"""`course classroom start`: run the class's JupyterHub (deploy/jupyterhub_config.py) from a class installation, as
root, with a clean environment, in the installation's private state folder."""

from __future__ import annotations

import os
from pathlib import Path

from ..errors import CourseError
from . import LEARNER_THREADS, Layout

# Settings the hub's configuration reads (see deploy/jupyterhub_config.py); nothing else of root's environment.
SETTINGS = ("COURSE_CLASS_GROUP", "COURSE_TEACHER", "COURSE_MODE", "COURSE_LEARNER_THREADS", "COURSE_HUB_PORT",
            "COURSE_HUB_API_PORT", "COURSE_PROXY_API_PORT", "COURSE_HUB_ADMIN_TOKEN", "LANG", "LC_ALL", "TZ")


def hub_command(layout: Layout, port: int | None = None) -> tuple[list[str], dict[str, str]]:
    """The jupyterhub command line and environment for this installation."""
    missing = [p for p in (layout.bin("jupyterhub"), layout.proxy_command, layout.config, layout.shelf)
               if not p.exists()]
    if missing:
        raise CourseError(f"{layout.prefix} is not a complete class installation ({missing[0]} is missing); run "
                          f"`course classroom install --prefix {layout.prefix}` first.")
    env = {k: os.environ[k] for k in SETTINGS if k in os.environ}
    threads = env.get("COURSE_LEARNER_THREADS", str(LEARNER_THREADS))
    if not (threads.isdigit() and int(threads) >= 1):
        raise CourseError(f"COURSE_LEARNER_THREADS must be a whole number of CPU threads per learner, 1 or more, not "
                          f"{threads!r}; leave it unset for {LEARNER_THREADS}.")
    env.update({"PATH": f"{layout.venv}/bin:/usr/local/bin:/usr/bin:/bin", "COURSE_CLASS_PREFIX": str(layout.prefix)})
    if port is not None:
        env["COURSE_HUB_PORT"] = str(port)
    return [str(layout.bin("jupyterhub")), "-f", str(layout.config)], env


def start(prefix: Path, port: int | None = None) -> None:
    """Replace this process with the hub (so that stopping it, with Ctrl-C or a service manager, stops the class)."""
    if os.geteuid() != 0:
        raise CourseError("The class's hub must run as root: it starts each learner's server as that learner's own "
                          "account. Run it with sudo.")
    layout = Layout(Path(prefix).resolve())
    command, env = hub_command(layout, port)
    layout.state.mkdir(mode=0o700, exist_ok=True)
    os.chdir(layout.state)
    where = env.get("COURSE_HUB_PORT", "8000")
    print(f"Starting the class's JupyterHub on http://127.0.0.1:{where} (only this machine; put the school's HTTPS "
          f"proxy in front of it). Stop it with Ctrl-C: every learner's server stops with it.", flush=True)
    os.execve(command[0], command, env)
