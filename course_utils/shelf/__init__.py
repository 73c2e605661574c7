"""The shelf: a folder of small stand-in models, built locally by recipes, each with a MANIFEST.json."""

from .manifest import ManifestProblem
from .store import Shelf, shelf_root

__all__ = ["ManifestProblem", "Shelf", "shelf_root"]
