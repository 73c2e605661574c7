"""The Kubernetes files (deploy/z2jh/values.yaml, deploy/Dockerfile) cannot run here: check that their names, paths
and limits agree with the course and with each other."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path, PurePosixPath

import pytest
import yaml
from packaging.specifiers import SpecifierSet

from course_utils.bench import PEAK_MB
from course_utils.classroom import learner_threads_environment
from course_utils.classroom.bench import SERVER_MB
from course_utils.cli import build_parser
from course_utils.modes import MODES
from course_utils.shelf.store import ENV_VAR

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
REPO = DEPLOY.parent
UNITS = {"": 1, "K": 1e3, "M": 1e6, "G": 1e9, "T": 1e12, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}


@pytest.fixture(scope="module")
def values() -> dict:
    return yaml.safe_load((DEPLOY / "z2jh" / "values.yaml").read_text())


@pytest.fixture(scope="module")
def docker() -> dict:
    """The Dockerfile's instructions: {"FROM": [...], "ENV": {...}, "ARG": {...}, "COPY": [...], ...}."""
    text = re.sub(r"\\\n", " ", (DEPLOY / "Dockerfile").read_text())
    found: dict = {"ENV": {}, "ARG": {}, "COPY": [], "RUN": [], "FROM": [], "USER": [], "WORKDIR": [], "CMD": []}
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        instruction, _, rest = line.strip().partition(" ")
        if instruction in ("ENV", "ARG"):
            for item in shlex.split(rest):
                name, _, value = item.partition("=")
                found[instruction][name] = value
        elif instruction == "CMD":
            found["CMD"].append(json.loads(rest))
        else:
            found[instruction].append(rest.strip())
    return found


def _bytes(quantity: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)([KMGT]i?)?", str(quantity)).groups()
    return float(number) * UNITS[unit or ""]


def test_the_learners_environment_names_the_course_variables(values, docker):
    env = values["singleuser"]["extraEnv"]
    assert set(env) == {"COURSE_MODE", ENV_VAR, "HF_HUB_CACHE", *learner_threads_environment()}
    assert env["COURSE_MODE"] in MODES
    threads = learner_threads_environment()
    assert {k: env[k] for k in threads} == threads, "a learner's kernel gets the course's thread count"
    assert int(env["OMP_NUM_THREADS"]) <= values["singleuser"]["cpu"]["limit"], "more threads than the pod's CPUs"
    assert {k: docker["ENV"][k] for k in env} == env, "the image and the chart must set the same environment"


def test_the_shelf_is_mounted_read_only_where_COURSE_SHELF_points(values):
    storage = values["singleuser"]["storage"]
    mounts = [m for m in storage["extraVolumeMounts"] if m["mountPath"] == values["singleuser"]["extraEnv"][ENV_VAR]]
    assert len(mounts) == 1 and mounts[0]["readOnly"] is True
    volume = next(v for v in storage["extraVolumes"] if v["name"] == mounts[0]["name"])
    assert volume["persistentVolumeClaim"]["readOnly"] is True


def test_memory_holds_the_measured_peak_and_the_course_budget(values):
    measured = json.loads((DEPLOY / "classroom-bench.json").read_text())
    per_learner = measured["peak_mb_per_kernel"] + SERVER_MB
    memory = values["singleuser"]["memory"]
    assert _bytes(memory["guarantee"]) >= per_learner * 2**20, (memory, per_learner)
    assert _bytes(memory["limit"]) >= max(per_learner, PEAK_MB + SERVER_MB) * 2**20, (memory, PEAK_MB)


def test_the_workspace_hook_is_the_course_command_on_the_image_paths(values, docker):
    singleuser = values["singleuser"]
    command = singleuser["lifecycleHooks"]["postStart"]["exec"]["command"]
    assert command[0] == "course"
    args = build_parser().parse_args(command[1:])
    assert args.command == "workspace"
    course = PurePosixPath(docker["WORKDIR"][0])
    assert PurePosixPath(args.lessons) == course / "lessons"
    assert any(PurePosixPath(c.split()[-1].rstrip("/")) in (course / "lessons", PurePosixPath("./lessons"))
               for c in docker["COPY"]), docker["COPY"]
    home = PurePosixPath(singleuser["storage"]["homeMountPath"])
    workspace = PurePosixPath(args.workspace)
    assert workspace.parent == home
    assert singleuser["defaultUrl"] == f"/lab/tree/{workspace.relative_to(home)}"


def test_the_image_matches_the_chart_and_the_course(values, docker):
    assert [values["singleuser"]["cmd"]] == docker["CMD"][0]
    assert docker["ARG"]["JUPYTERHUB_VERSION"] == values["custom"]["course"]["hubJupyterhub"]
    python = re.search(r"python:(\d+\.\d+\.\d+)", docker["FROM"][0]).group(1)
    requires = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert python in SpecifierSet(requires)
    useradd = next(r for r in docker["RUN"] if r.startswith("useradd"))
    assert "--uid 1000" in useradd and values["singleuser"].get("uid", 1000) == 1000
    assert docker["WORKDIR"][-1] == values["singleuser"]["storage"]["homeMountPath"]
    assert any("-r requirements.lock" in r for r in docker["RUN"]), "the image installs the course's pins"


def test_the_build_context_lets_in_what_the_image_copies(docker):
    allowed = {line.strip("!/ ") for line in (DEPLOY / "Dockerfile.dockerignore").read_text().splitlines()
               if line.startswith("!")}
    copied = {source.rstrip("/") for c in docker["COPY"] for source in c.split()[:-1]}
    assert copied <= allowed, copied - allowed
    assert all((REPO / name).exists() for name in copied)
