"""The course for a class on one server: a shared installation every learner can read (`install`), a JupyterHub that
starts each learner's server as their own unix account (`hub`, configured by deploy/jupyterhub_config.py), and what a
class costs the server (`bench`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_PREFIX = "/srv/transformers-course"
DEFAULT_GROUP = "course-learners"


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
