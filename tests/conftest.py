import os
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).resolve().parents[1]


def pytest_configure(config):
    """Every test, and every kernel nbval starts, runs in the course's offline environment unless it says otherwise,
    and every claim a lesson makes about its outputs must hold (course_utils.claims)."""
    from course_utils.claims import STRICT_VARIABLE
    from course_utils.modes import offline_environment

    os.environ[STRICT_VARIABLE] = "strict"
    if os.environ.get("COURSE_MODE", "offline") == "offline":
        os.environ.update(offline_environment())


@pytest.fixture(autouse=True)
def fresh_mode(monkeypatch):
    """Each test decides the mode anew; tests never reach the network."""
    from course_utils import modes

    monkeypatch.setattr(modes, "_decision", None)
    monkeypatch.setenv("COURSE_MODE", "offline")
    yield


@pytest.fixture
def toy():
    from toy_recipe import TOY

    return TOY


@pytest.fixture
def toy_recipes():
    from toy_recipe import TOY, TOY_CHILD

    return {"toy": TOY, "child": TOY_CHILD}


@pytest.fixture
def tmp_shelf(tmp_path, monkeypatch, toy_recipes):
    """An empty shelf that knows the toy recipes, named by COURSE_SHELF."""
    root = tmp_path / "shelf"
    monkeypatch.setenv("COURSE_SHELF", str(root))
    from course_utils.shelf import Shelf

    return Shelf(root, toy_recipes)


@pytest.fixture(scope="session")
def tiny_shelf():
    """Every recipe built tiny in a fresh process (see tests/tiny_shelf.py): {"a": folder, "b": folder}."""
    from tiny_shelf import tiny_shelves

    return tiny_shelves()
