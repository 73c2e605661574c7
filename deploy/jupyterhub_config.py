# JupyterHub for one class taking the transformers course, on one server.
#
# Each learner is a unix account on this server, in the group COURSE_CLASS_GROUP, and logs in with their own
# password (PAM). The hub runs as root so that LocalProcessSpawner can start each learner's server as that learner:
# file permissions are real, a learner reads the teacher's shelf but cannot change it, and cannot read another
# learner's workspace. Hub, proxy and every learner's server listen on 127.0.0.1 only: put your school's HTTPS
# reverse proxy (nginx, Apache, Caddy) in front of COURSE_HUB_PORT to open it to the class.
#
# Installed and started by the course itself (see the teacher's guide):
#     sudo make classroom
# or, step by step:
#     sudo .venv/bin/course classroom install --prefix /srv/transformers-course --teacher TEACHER
#     sudo /srv/transformers-course/venv/bin/course classroom start --prefix /srv/transformers-course
# which runs `jupyterhub -f <prefix>/course/deploy/jupyterhub_config.py` in <prefix>/hub. The layout of <prefix>:
#     course/   a copy of the course (lessons, solutions, course_utils, this file), read-only to learners
#     venv/     the class's Python environment (the pinned libraries, jupyterhub), read-only to learners
#     proxy/    configurable-http-proxy from npm, pinned by deploy/package-lock.json
#     shelf/    the offline models, owned by the teacher, read-only to learners
#     hf-cache/ the Hugging Face cache, if the teacher prefetched the Hub models into it
#     hub/      the hub's own state (database, cookie secret), root's only
#
# Settings, from the environment of the hub (the defaults suit most classes):
#     COURSE_CLASS_PREFIX     the prefix above (default: two folders above this file)
#     COURSE_CLASS_GROUP      the unix group whose members may log in (default: course-learners)
#     COURSE_TEACHER          an account that administers the hub (optional)
#     COURSE_MODE             the learners' mode: offline (default), auto or hub
#     COURSE_LEARNER_THREADS  CPU threads for each learner's kernel (default 1: a class shares the cores; give more
#                             only on a server with more cores than learners running lessons at once)
#     COURSE_HUB_PORT         where the class connects, on 127.0.0.1 (default 8000)
#     COURSE_HUB_API_PORT     the hub's internal API, on 127.0.0.1 (default 8081)
#     COURSE_PROXY_API_PORT   the proxy's API, on 127.0.0.1 (default 8001)
#     COURSE_HUB_ADMIN_TOKEN  if set, a service "course-admin" with this API token may create users, start and stop
#                             their servers and issue their tokens (scripts and the course's own class test use it)
import asyncio
import os
import pwd
from pathlib import Path

from course_utils.classroom import LEARNER_THREADS, learner_threads_environment
from course_utils.kernels import server_arguments

c = get_config()  # noqa: F821 (JupyterHub provides it)

PREFIX = Path(os.environ.get("COURSE_CLASS_PREFIX") or Path(__file__).resolve().parents[2])
COURSE, VENV, PROXY = PREFIX / "course", PREFIX / "venv", PREFIX / "proxy"
SHELF, HF_CACHE, STATE = PREFIX / "shelf", PREFIX / "hf-cache", PREFIX / "hub"
LOCAL = "127.0.0.1"
PORT = int(os.environ.get("COURSE_HUB_PORT", "8000"))
HUB_API_PORT = int(os.environ.get("COURSE_HUB_API_PORT", "8081"))
PROXY_API_PORT = int(os.environ.get("COURSE_PROXY_API_PORT", "8001"))
GROUP = os.environ.get("COURSE_CLASS_GROUP", "course-learners")
TEACHER = os.environ.get("COURSE_TEACHER", "")
MODE = os.environ.get("COURSE_MODE", "offline")
THREADS = int(os.environ.get("COURSE_LEARNER_THREADS", LEARNER_THREADS))
# What a learner's server and kernels start with: the class's Python first, and where the shared models are.
LEARNER_PATH = f"{VENV}/bin:/usr/local/bin:/usr/bin:/bin"

# The hub, its proxy and its state.
c.JupyterHub.bind_url = f"http://{LOCAL}:{PORT}"
c.JupyterHub.hub_bind_url = f"http://{LOCAL}:{HUB_API_PORT}"
c.ConfigurableHTTPProxy.api_url = f"http://{LOCAL}:{PROXY_API_PORT}"
c.ConfigurableHTTPProxy.command = [str(PROXY / "node_modules" / ".bin" / "configurable-http-proxy")]
c.ConfigurableHTTPProxy.pid_file = str(STATE / "jupyterhub-proxy.pid")
c.JupyterHub.pid_file = str(STATE / "jupyterhub.pid")
c.JupyterHub.db_url = f"sqlite:///{STATE / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(STATE / "jupyterhub_cookie_secret")
# Stopping the hub stops every learner's server (and with it their kernels): nothing of the class keeps running.
c.JupyterHub.cleanup_servers = True
c.JupyterHub.cleanup_proxy = True

# Who may log in: the class's unix group, with their own passwords.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {GROUP}
if TEACHER:
    c.Authenticator.admin_users = {TEACHER}

# Each learner's own server, as their own unix account, on this machine only, opening JupyterLab on ~/workspace.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV / "bin" / "jupyterhub-singleuser")]
c.Spawner.ip = LOCAL
c.Spawner.notebook_dir = "~/workspace"
c.Spawner.default_url = "/lab"
c.Spawner.env_keep = ["LANG", "LC_ALL"]  # nothing else of root's environment reaches a learner
# A lesson's kernel holds about 1.2 GB, so one left idle for an hour after its learner moved on is shut down.
CULL_IDLE = ["--MappingKernelManager.cull_idle_timeout=3600", "--MappingKernelManager.cull_interval=300"]
c.Spawner.args = CULL_IDLE
c.Spawner.environment = {
    "PATH": LEARNER_PATH,
    "COURSE_MODE": MODE,
    "COURSE_SHELF": str(SHELF),
    "HF_HUB_CACHE": str(HF_CACHE),
    **learner_threads_environment(THREADS),
}
# A class logging in at once on a small server: give servers time to start, and stop them promptly.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 120
c.LocalProcessSpawner.interrupt_timeout = 10
c.LocalProcessSpawner.term_timeout = 5


async def fill_workspace(spawner):
    """Before each start, copy new lessons into the learner's ~/workspace, as the learner, with the course's own
    never-overwrite rule (`course workspace`): their files are never replaced, and changed lessons arrive beside
    them. Private to the learner (umask 077). A failure is logged and the server starts all the same."""
    account = pwd.getpwnam(spawner.user.name)
    home = Path(account.pw_dir)
    # Kernels talk to their server over socket files in the learner's private runtime folder rather than TCP ports,
    # where the learner's home is short enough for a socket's path.
    spawner.args = [*server_arguments(str(home / ".local" / "share" / "jupyter" / "runtime")), *CULL_IDLE]
    process = await asyncio.create_subprocess_exec(
        str(VENV / "bin" / "course"), "workspace", "--lessons", str(COURSE / "lessons"),
        "--workspace", str(home / "workspace"),
        user=account.pw_uid, group=account.pw_gid, extra_groups=os.getgrouplist(account.pw_name, account.pw_gid),
        umask=0o077, cwd=str(home), env={"HOME": str(home), "USER": account.pw_name, "PATH": LEARNER_PATH,
                                          "COURSE_MODE": MODE, "COURSE_SHELF": str(SHELF)},
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    text = output.decode(errors="replace").strip()
    if process.returncode:
        spawner.log.warning("Workspace of %s not updated: %s", account.pw_name, text)
    else:
        spawner.log.info("Workspace of %s: %s", account.pw_name, text.replace("\n", "; "))


c.Spawner.pre_spawn_hook = fill_workspace

# Scripts (and the course's class test) administer the class through the REST API with this service's token.
ADMIN_TOKEN = os.environ.pop("COURSE_HUB_ADMIN_TOKEN", "")  # read once, then kept from the proxy's environment
if ADMIN_TOKEN:
    c.JupyterHub.services = [{"name": "course-admin", "api_token": ADMIN_TOKEN}]
    c.JupyterHub.load_roles = [{"name": "course-admin", "services": ["course-admin"],
                                "scopes": ["admin:users", "admin:servers", "tokens", "list:users"]}]
