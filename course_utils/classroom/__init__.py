"""The course for a class on one server: a shared installation every learner can read (`install`), a JupyterHub that
starts each learner's server as their own unix account (`hub`, configured by deploy/jupyterhub_config.py), and what a
class costs the server (`bench`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PREFIX = "/srv/transformers-course"
DEFAULT_GROUP = "course-learners"
# torch starts one thread per core in every kernel, and a class's kernels then fight over the same cores: on 2 cores,
# four learners running lesson 01 together took 55.8 s each with two threads apiece and 18.1 s with one (about 9 s
# alone; `course bench --classroom 4 --threads 2`, then without --threads). The hub and the bench give each learner's
# kernel this many.
LEARNER_THREADS = 1


def learner_threads_environment(threads: int = LEARNER_THREADS) -> dict[str, str]:
    """The variables that hold a learner's kernel to `threads` CPU threads (torch's intra-op pool reads OpenMP's)."""
    return {"OMP_NUM_THREADS": str(threads)}


@dataclass(frozen=True)
class Layout:
    """Where a class installation keeps each part (deploy/jupyterhub_config.py reads the same layout)."""
    prefix: Path

    @property
    def course(self) -> Path:
        return self.prefix / "course"

    @property
    def venv(self) -> Path:
        return self.prefix / "venv"

    @property
    def proxy(self) -> Path:
        return self.prefix / "proxy"

    @property
    def shelf(self) -> Path:
        return self.prefix / "shelf"

    @property
    def hf_cache(self) -> Path:
        return self.prefix / "hf-cache"

    @property
    def state(self) -> Path:
        return self.prefix / "hub"

    @property
    def config(self) -> Path:
        return self.course / "deploy" / "jupyterhub_config.py"

    def bin(self, name: str) -> Path:
        return self.venv / "bin" / name

    @property
    def proxy_command(self) -> Path:
        return self.proxy / "node_modules" / ".bin" / "configurable-http-proxy"
