"""Helpers for the transformers course: modes, the model shelf, lesson banners and exercise checks.

Importing this package never imports transformers, so the mode (and HF_HUB_OFFLINE)
can be settled before the library loads.
"""

__version__ = "0.1.0"

from .errors import CourseError
from .modes import current_mode
from .checkpoints import checkpoint, on_hub, roles
from .banner import lesson_setup

__all__ = ["CourseError", "checkpoint", "current_mode", "lesson_setup", "on_hub", "roles", "__version__"]
