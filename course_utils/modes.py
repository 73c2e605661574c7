"""Hub or offline: decide which world the lessons run in, and set up the environment before transformers loads.

COURSE_MODE=auto|hub|offline (default auto). auto asks the Hub once, with a hard 2 s limit.
"""

from __future__ import annotations

import os
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass

from .errors import CourseError

MODES = ("auto", "hub", "offline")
PROBE_SECONDS = 2.0
# What tells huggingface_hub and transformers never to touch the network.
OFFLINE_FLAGS = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}


@dataclass(frozen=True)
class ModeDecision:
    mode: str  # "hub" or "offline"
    requested: str  # what COURSE_MODE asked for
    reason: str


_decision: ModeDecision | None = None


def hub_endpoint() -> str:
    return os.environ.get("HF_ENDPOINT", "https://huggingface.co").rstrip("/")


def requested_mode() -> str:
    value = os.environ.get("COURSE_MODE", "auto").strip().lower() or "auto"
    if value not in MODES:
        raise CourseError(
            f"COURSE_MODE is {value!r}, which is not a mode; set it to one of "
            f"{', '.join(MODES)} (for example `export COURSE_MODE=offline`)."
        )
    return value


def hub_reachable(timeout: float = PROBE_SECONDS) -> bool:
    """True when the Hub answers an HTTP request within `timeout` seconds.

    The request runs in a daemon thread so that a slow DNS lookup (which socket
    timeouts do not cover) cannot hold the caller past the deadline.
    """
    answered = threading.Event()

    def probe() -> None:
        try:
            urllib.request.urlopen(f"{hub_endpoint()}/api/models?limit=1", timeout=timeout)
            answered.set()
        except urllib.error.HTTPError:
            answered.set()  # any HTTP answer means the Hub is there
        except Exception:
            pass

    worker = threading.Thread(target=probe, daemon=True)
    worker.start()
    worker.join(timeout)
    return answered.is_set()


def _env_says_offline() -> bool:
    return any(os.environ.get(v, "").strip().lower() in {"1", "true", "yes", "on"}
               for v in OFFLINE_FLAGS)


def decide() -> ModeDecision:
    """Work out the mode without changing anything."""
    requested = requested_mode()
    if requested == "offline":
        return ModeDecision("offline", requested, "COURSE_MODE=offline")
    if requested == "hub":
        if _env_says_offline():
            raise CourseError(
                "COURSE_MODE=hub but HF_HUB_OFFLINE is set; unset HF_HUB_OFFLINE, "
                "or use COURSE_MODE=offline to run with the shelf's stand-ins."
            )
        if not hub_reachable():
            raise CourseError(
                f"COURSE_MODE=hub but the Hugging Face Hub ({hub_endpoint()}) did not answer within "
                f"{PROBE_SECONDS:.0f} s; check the network, or use COURSE_MODE=offline (or auto) "
                "to run with the offline stand-ins."
            )
        return ModeDecision("hub", requested, "COURSE_MODE=hub and the Hub answered")
    if _env_says_offline():
        return ModeDecision("offline", requested, "auto: HF_HUB_OFFLINE is set")
    if hub_reachable():
        return ModeDecision("hub", requested, "auto: the Hub answered")
    return ModeDecision("offline", requested, f"auto: the Hub did not answer within {PROBE_SECONDS:.0f} s")


def _apply(decision: ModeDecision) -> None:
    if decision.mode != "offline":
        return
    os.environ.update(OFFLINE_FLAGS)
    # huggingface_hub reads the variable once, at import; if it is already
    # loaded, tell it too, or every load would wait on network retries.
    constants = sys.modules.get("huggingface_hub.constants")
    if constants is not None:
        constants.HF_HUB_OFFLINE = True


def activate() -> ModeDecision:
    """Decide the mode once per process and prepare the environment for it."""
    global _decision
    if _decision is None or _decision.requested != requested_mode():
        _decision = decide()
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
