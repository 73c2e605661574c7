"""Hub or offline: ask the Hub (or the mirror HF_ENDPOINT names) about the course's checkpoints, and set up the
environment for the answer before transformers loads.

COURSE_MODE=auto|hub|offline (default auto). The Hub counts only when it answers like the Hub: the model-info request
for a course checkpoint returns JSON naming that checkpoint. A 403, a login page or any other server is not the Hub.
All the checkpoints asked about are asked at once, within PROBE_SECONDS.
"""

from __future__ import annotations

import json
import os
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from .errors import CourseError

MODES = ("auto", "hub", "offline")
PROBE_SECONDS = 2.5  # all checkpoints are asked in parallel, so the whole decision stays under 3 s
DEFAULT_ENDPOINT = "https://huggingface.co"
# What tells huggingface_hub and transformers never to touch the network.
OFFLINE_FLAGS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
# Bounded waits for huggingface_hub's own requests (a file's metadata, then each read of its body), so a server that
# stops answering ends a load with an error instead of a hang. A learner's own settings win.
HUB_TIMEOUTS = {"HF_HUB_ETAG_TIMEOUT": "5", "HF_HUB_DOWNLOAD_TIMEOUT": "10"}


@dataclass(frozen=True)
class HubAnswer:
    """What the endpoint said about one checkpoint."""

    state: str  # "hub": it has it; "missing": a Hub without it; "other": not a Hub; "silent": no answer in time
    detail: str  # a phrase for messages, naming the endpoint's host
    files: tuple[str, ...] = ()


@dataclass(frozen=True)
class ModeDecision:
    mode: str  # "hub" or "offline"
    requested: str  # what COURSE_MODE asked for
    reason: str
    endpoint: str = DEFAULT_ENDPOINT
    answers: dict[str, HubAnswer] = field(default_factory=dict, compare=False)


_decision: ModeDecision | None = None


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", DEFAULT_ENDPOINT).strip().rstrip("/") or DEFAULT_ENDPOINT


def endpoint_host(endpoint: str | None = None) -> str:
    """The host (and port) of the endpoint, the name every message uses for the Hub."""
    return urlsplit(endpoint or hub_endpoint()).netloc or (endpoint or hub_endpoint())


def requested_mode() -> str:
    value = os.environ.get("COURSE_MODE", "auto").strip().lower() or "auto"
    if value not in MODES:
        raise CourseError(
            f"COURSE_MODE is {value!r}, which is not a mode; set it to one of "
            f"{', '.join(MODES)} (for example `export COURSE_MODE=offline`)."
        )
    return value


def _read_answer(endpoint: str, repo_id: str, timeout: float) -> HubAnswer:
    host = endpoint_host(endpoint)
    # The main branch's model info: what snapshot_download asks first, so a caching mirror (olah) that has served
    # a checkpoint can answer it offline too.
    request = urllib.request.Request(f"{endpoint}/api/models/{quote(repo_id)}/revision/main",
                                     headers={"Accept": "application/json", "User-Agent": "transformers-course"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body, kind, final = response.read(), response.headers.get("Content-Type", ""), response.geturl()
    except urllib.error.HTTPError as error:
        if error.headers.get("X-Error-Code") == "RepoNotFound":
            return HubAnswer("missing", f"{host} has no {repo_id}")
        return HubAnswer("other", f"{host} answered {error.code} {error.reason}, which is not the Hub (a proxy?)")
    except Exception as error:  # refused, reset, timed out, unknown host: all mean no answer
        reason = getattr(error, "reason", error)
        return HubAnswer("silent", f"{host} did not answer ({reason})")
    try:
        info = json.loads(body)
    except ValueError:
        what = "a web page (a login page?)" if "html" in kind.lower() else "something that is not JSON"
        return HubAnswer("other", f"{host} answered with {what}, not the Hub's model information")
    named = str(info.get("id", "")) if isinstance(info, dict) else ""
    # A renamed repository answers through a redirect to its new id, as the Hub does for old ids.
    if named and (named.lower() == repo_id.lower() or f"/api/models/{quote(named)}/" in final):
        files = tuple(s["rfilename"] for s in info.get("siblings") or [] if isinstance(s, dict) and "rfilename" in s)
        return HubAnswer("hub", f"{host} has {repo_id}", files)
    return HubAnswer("other", f"{host} answered JSON that does not describe {repo_id}, so it is not the Hub")


def probe_hub(repo_ids, timeout: float = PROBE_SECONDS, endpoint: str | None = None) -> dict[str, HubAnswer]:
    """Ask the endpoint about every checkpoint at once; whatever has not answered after `timeout` s is silent.

    Each request runs in a daemon thread, so that a slow DNS lookup (which socket timeouts do not cover) cannot
    hold the caller past the deadline."""
    endpoint = endpoint or hub_endpoint()
    answers: dict[str, HubAnswer] = {}
    ids = list(dict.fromkeys(repo_ids))

    def ask(repo_id: str) -> None:
        answers[repo_id] = _read_answer(endpoint, repo_id, timeout)

    workers = [threading.Thread(target=ask, args=(repo_id,), daemon=True) for repo_id in ids]
    deadline = time.monotonic() + timeout
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(max(0.0, deadline - time.monotonic()))
    host = endpoint_host(endpoint)
    silent = HubAnswer("silent", f"{host} did not answer within {timeout:g} s")
    return {repo_id: answers.get(repo_id, silent) for repo_id in ids}


def _env_says_offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in {"1", "true", "yes", "on"}
               for v in OFFLINE_FLAGS)


def _course_hub_ids() -> list[str]:
    from .checkpoints import ROLES

    return [role.hub_id for role in ROLES.values()]


def _why_not(answers: dict[str, HubAnswer]) -> str:
    """One phrase for why no checkpoint is to be had from the endpoint."""
    states = {a.state for a in answers.values()}
    for state in ("other", "silent"):
        if state in states:
            return next(a.detail for a in answers.values() if a.state == state)
    return f"{endpoint_host()} has none of the course's checkpoints"


def decide(repo_ids=None) -> ModeDecision:
    """Work out the mode without changing anything, asking the endpoint about `repo_ids` (a lesson's checkpoints;
    by default every role's): one answer like the Hub's is enough for hub mode, and the checkpoints it lacks fall
    back one by one. Asking only what a lesson uses keeps a class behind one address well inside the Hub's limits."""
    requested, endpoint = requested_mode(), hub_endpoint()
    if requested == "offline":
        return ModeDecision("offline", requested, "COURSE_MODE=offline", endpoint)
    if _env_says_offline():
        if requested == "hub":
            raise CourseError(
                "COURSE_MODE=hub but HF_HUB_OFFLINE is set; unset HF_HUB_OFFLINE, "
                "or use COURSE_MODE=offline to run with the shelf's stand-ins."
            )
        return ModeDecision("offline", requested, "auto: HF_HUB_OFFLINE is set", endpoint)
    answers = probe_hub(list(repo_ids or ()) or _course_hub_ids(), endpoint=endpoint)
    if any(a.state == "hub" for a in answers.values()):
        asked = "COURSE_MODE=hub and" if requested == "hub" else "auto:"
        reason = f"{asked} {endpoint_host(endpoint)} answered like the Hub"
        return ModeDecision("hub", requested, reason, endpoint, answers)
    why = _why_not(answers)
    if requested == "hub":
        raise CourseError(
            f"COURSE_MODE=hub but {why}; check the network (and HF_ENDPOINT, if you use a mirror), or use "
            "COURSE_MODE=offline (or auto) to run with the offline stand-ins."
        )
    return ModeDecision("offline", requested, f"auto: {why}", endpoint, answers)


def _patch_loaded_hub(**values) -> None:
    # huggingface_hub reads its settings once, at import; if it is already loaded, tell it too.
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        for name, value in values.items():
            setattr(constants, name, value)


def _apply(decision: ModeDecision) -> None:
    if decision.mode == "offline":
        os.environ.update(OFFLINE_FLAGS)
        _patch_loaded_hub(HF_HUB_OFFLINE=True)  # or every load would wait on network retries
        return
    _patch_loaded_hub(HF_HUB_OFFLINE=False)  # a process that was offline earlier may reach the Hub now
    for name, seconds in HUB_TIMEOUTS.items():
        os.environ.setdefault(name, seconds)
        _patch_loaded_hub(**{name: int(os.environ[name])})


def activate(repo_ids=None) -> ModeDecision:
    """Decide the mode once per process (asking about `repo_ids`) and prepare the environment for it."""
    global _decision
    if (_decision is None or _decision.requested != requested_mode()
            or _decision.endpoint != hub_endpoint()):
        _decision = decide(repo_ids)
    _apply(_decision)
    return _decision


def hub_answer(repo_id: str) -> HubAnswer:
    """What the endpoint said about `repo_id` in this process, asking it now if nobody has yet (in hub mode)."""
    decision = activate()
    if repo_id not in decision.answers and decision.mode == "offline":
        return HubAnswer("silent", decision.reason)
    if repo_id not in decision.answers:
        decision.answers.update(probe_hub([repo_id], endpoint=decision.endpoint))
    return decision.answers[repo_id]


def give_up_on_hub(problem: str) -> ModeDecision:
    """The endpoint answered but stopped sending files: in auto mode, go offline for the rest of this process."""
    global _decision
    decision = activate()
    if decision.requested == "hub":
        raise CourseError(f"COURSE_MODE=hub but {problem}; try again later, or use COURSE_MODE=offline (or auto) "
                          "to run with the offline stand-ins.")
    _decision = ModeDecision("offline", decision.requested, f"auto: {problem}", decision.endpoint, decision.answers)
    _apply(_decision)
    return _decision


def offline_environment() -> dict[str, str]:
    """The variables a process the course starts offline needs (a kernel, a build): the mode, the Hub flags, and
    the shelf as an absolute path, since kernels start in other folders."""
    from .shelf.store import ENV_VAR, shelf_root

    return {"COURSE_MODE": "offline", **OFFLINE_FLAGS, ENV_VAR: str(shelf_root())}


def current_mode() -> str:
    """'hub' or 'offline'."""
    return activate().mode
