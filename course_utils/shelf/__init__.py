"""The shelf: a folder of small stand-in models, built locally by recipes, each with a MANIFEST.json."""

from .store import Shelf, default_shelf, shelf_root
from .manifest import ManifestProblem

__all__ = ["ManifestProblem", "Shelf", "default_shelf", "shelf_root"]
