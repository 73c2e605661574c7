"""Real unix accounts for tests about permissions, newcomers and classes: CI runs as root, and root ignores file
permissions, so what an ordinary account may read or write is only proven by running as one."""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
needs_root = pytest.mark.skipif(not IS_ROOT, reason="creates unix accounts, which needs root (CI runs as root)")
# The machine's own Python, not the one the test runs on (which may live where other accounts cannot reach).
SYSTEM_PYTHON = "/usr/bin/python3"
# Variables of this machine that an ordinary login would see too (where pip finds packages, locale).
PASSED_THROUGH = ("PIP_FIND_LINKS", "PIP_DEFAULT_TIMEOUT", "PIP_CERT", "PIP_DISABLE_PIP_VERSION_CHECK", "LANG",
                  "LC_ALL", "TZ")


@dataclass(frozen=True)
class Account:
    name: str
    uid: int
    gid: int
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """A login-like environment for this account: nothing of the test's own environment leaks in."""
        env = {"HOME": str(self.home), "USER": self.name, "LOGNAME": self.name, "SHELL": "/bin/bash",
               "PATH": "/usr/local/bin:/usr/bin:/bin"}
        env.update({k: os.environ[k] for k in PASSED_THROUGH if k in os.environ})
        env.update(extra)
        return env

    def run(self, args, *, env: dict | None = None, cwd: Path | str | None = None, timeout: float = 600,
            check: bool = True) -> subprocess.CompletedProcess:
        """Run a command as this account, with its login-like environment plus `env`."""
        done = subprocess.run(args, user=self.uid, group=self.gid, extra_groups=[], env=self.env(**(env or {})),
                              cwd=cwd or self.home, capture_output=True, text=True, timeout=timeout)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(map(str, args))} as {self.name} exited {done.returncode}:\n"
                                 f"{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
        return done

    def popen(self, args, *, env: dict | None = None, cwd: Path | str | None = None, **kwargs) -> subprocess.Popen:
        return subprocess.Popen(args, user=self.uid, group=self.gid, extra_groups=[], env=self.env(**(env or {})),
                                cwd=cwd or self.home, start_new_session=True, **kwargs)


def create_account(prefix: str) -> Account:
    """A new ordinary account with its own group and a private home folder."""
    name = f"{prefix}-{secrets.token_hex(3)}"
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", "--user-group", name], check=True)
    entry = pwd.getpwnam(name)
    home = Path(entry.pw_dir)
    home.chmod(0o700)
    return Account(name, entry.pw_uid, entry.pw_gid, home)


def remove_account(account: Account) -> None:
    """End every process of the account, then remove it with its home folder."""
    subprocess.run(["pkill", "-KILL", "-u", account.name], check=False)
    subprocess.run(["userdel", "--remove", account.name], check=False, capture_output=True)


def processes_of(account: Account) -> list[str]:
    done = subprocess.run(["pgrep", "-a", "-u", account.name], capture_output=True, text=True)
    return done.stdout.splitlines()


def clone_as(account: Account, repo: Path, target: str = "transformers-course") -> Path:
    """A clone of the checkout's committed HEAD, made by the account itself (through a bundle it can read)."""
    with tempfile.TemporaryDirectory(prefix="course-bundle-") as folder:
        Path(folder).chmod(0o755)
        bundle = Path(folder) / "course.bundle"
        subprocess.run(["git", "-C", str(repo), "bundle", "create", str(bundle), "HEAD"], check=True,
                       capture_output=True)
        bundle.chmod(0o644)
        account.run(["git", "clone", "--quiet", str(bundle), target])
    return account.home / target


def copy_tree_for(account: Account, source: Path, target: Path) -> Path:
    """A copy of `source` owned by the account (a shelf the account's builds may reuse or a teacher may share)."""
    shutil.copytree(source, target, symlinks=True)
    for path in [target, *target.rglob("*")]:
        os.chown(path, account.uid, account.gid, follow_symlinks=False)
    return target
