import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_utils import CourseError
from course_utils.shelf import Shelf
from course_utils.shelf.manifest import MANIFEST, ManifestProblem, verify

TESTS = Path(__file__).parent


def test_build_writes_entry_with_a_complete_manifest(tmp_shelf):
    path = tmp_shelf.build("toy", quiet=True)
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["role"] == "toy" and manifest["recipe"] == "toy" and manifest["seed"] == 7
    assert set(manifest["files"]) == {"config.json", "weights.bin"}
    for key in ("recipe_version", "training_data_sha256", "heldout_metrics", "build_seconds", "built_at"):
        assert key in manifest
    assert verify(path)["files"] == manifest["files"]
    assert [p.name for p in tmp_shelf.root.iterdir() if p.name.startswith(".building")] == []


def test_entries_are_readable_by_everyone_for_shared_shelves(tmp_shelf):
    path = tmp_shelf.build("toy", quiet=True)
    for file in path.iterdir():
        assert file.stat().st_mode & 0o044 == 0o044


@pytest.mark.parametrize("damage", ["truncate", "edit_config", "extra_file", "drop_manifest", "bad_json"])
def test_damage_is_detected_before_loading_with_the_rebuild_command(tmp_shelf, damage):
    path = tmp_shelf.build("toy", quiet=True)
    if damage == "truncate":
        with open(path / "weights.bin", "r+b") as fh:
            fh.truncate(100)
    elif damage == "edit_config":
        (path / "config.json").write_text('{"model_type": "toy", "seed": 8}')
    elif damage == "extra_file":
        (path / "stray.txt").write_text("left behind")
    elif damage == "drop_manifest":
        (path / MANIFEST).unlink()
    else:
        (path / MANIFEST).write_text("{not json")
    with pytest.raises(ManifestProblem):
        verify(path)
    with pytest.raises(CourseError) as err:
        tmp_shelf.ensure("toy")
    assert "course shelf build toy --force" in str(err.value)


def test_same_size_edit_is_caught_by_the_hash(tmp_shelf):
    path = tmp_shelf.build("toy", quiet=True)
    tmp_shelf.ensure("toy")  # verified once and remembered
    data = bytearray((path / "weights.bin").read_bytes())
    data[10] ^= 0xFF
    (path / "weights.bin").write_bytes(bytes(data))
    assert tmp_shelf.status("toy").state == "corrupt"


def test_failed_build_leaves_nothing_behind(tmp_shelf, monkeypatch):
    monkeypatch.setenv("TOY_BUILD_FAIL", str(errno.EIO))
    with pytest.raises(OSError):
        tmp_shelf.build("toy", quiet=True)
    assert not (tmp_shelf.root / "toy").exists()
    assert not list(tmp_shelf.root.glob(".building-*"))


def test_disk_full_gives_a_clear_message_and_keeps_nothing(tmp_shelf, monkeypatch):
    monkeypatch.setenv("TOY_BUILD_FAIL", str(errno.ENOSPC))
    with pytest.raises(CourseError) as err:
        tmp_shelf.build("toy", quiet=True)
    assert "disk filled up" in str(err.value) and "course shelf build toy" in str(err.value)
    assert not (tmp_shelf.root / "toy").exists() and not list(tmp_shelf.root.glob(".building-*"))


def test_too_little_free_space_is_refused_before_building(tmp_shelf, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 10))
    with pytest.raises(CourseError) as err:
        tmp_shelf.build("toy", quiet=True)
    assert "Not enough disk space" in str(err.value)


def test_leftovers_of_a_killed_build_are_cleared(tmp_shelf):
    dead = tmp_shelf.root / ".building-toy-99999"
    (dead / "model").mkdir(parents=True)
    (dead / "model" / "weights.bin").write_bytes(b"half")
    status = tmp_shelf.status("toy")
    assert status.state == "missing"
    tmp_shelf.ensure("toy")
    assert not dead.exists()
    verify(tmp_shelf.root / "toy")


def _start_toy_build(root: Path, *, seconds: float, mark: str, force: bool) -> subprocess.Popen:
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from toy_recipe import TOY
        from course_utils.shelf import Shelf
        Shelf({str(root)!r}, {{"toy": TOY}}).build("toy", force={force}, quiet=True)
    """)
    env = dict(os.environ, TOY_BUILD_SECONDS=str(seconds), TOY_BUILD_MARK=mark)
    return subprocess.Popen([sys.executable, "-c", script], env=env, stderr=subprocess.PIPE, text=True)


def test_force_rebuild_happens_and_readers_never_see_a_half_entry(tmp_shelf, monkeypatch):
    monkeypatch.setenv("TOY_BUILD_MARK", "first")
    path = tmp_shelf.build("toy", quiet=True)
    first = verify(path)
    rebuild = _start_toy_build(tmp_shelf.root, seconds=2.0, mark="second", force=True)
    seen = set()
    while rebuild.poll() is None:  # a reader during the rebuild finds the old entry or the new one, whole
        seen.add(Shelf(tmp_shelf.root, tmp_shelf.recipes).status("toy").manifest["files"]["weights.bin"]["sha256"])
    assert rebuild.returncode == 0, rebuild.stderr.read()
    second = verify(path)
    assert second["files"]["weights.bin"] != first["files"]["weights.bin"], "the rebuild wrote a new model"
    assert (path / "weights.bin").read_bytes().endswith(b"second")
    assert second["built_at"] >= first["built_at"]
    assert seen <= {first["files"]["weights.bin"]["sha256"], second["files"]["weights.bin"]["sha256"]}
    assert not list(tmp_shelf.root.glob(".retired-*")) and not list(tmp_shelf.root.glob(".building-*"))


def test_stale_recipe_version_is_rebuilt(tmp_shelf, toy):
    from dataclasses import replace

    tmp_shelf.build("toy", quiet=True)
    newer = Shelf(tmp_shelf.root, {"toy": replace(toy, version=2)})
    assert newer.status("toy").state == "stale"
    newer.ensure("toy")
    assert newer.status("toy").state == "ready"


def test_a_dependent_is_built_from_its_base_and_goes_stale_when_the_base_is_rebuilt(tmp_shelf, monkeypatch):
    child = tmp_shelf.build("child", quiet=True)  # builds the toy first
    base = tmp_shelf.entry("toy")
    assert json.loads((child / "config.json").read_text())["base"] == str(base)
    recorded = json.loads((child / MANIFEST).read_text())["bases"]
    assert recorded == {"toy": tmp_shelf.status("toy").manifest_sha256}
    assert tmp_shelf.status("child").state == "ready"
    monkeypatch.setenv("TOY_BUILD_MARK", "new base")
    tmp_shelf.build("toy", force=True, quiet=True)
    stale = tmp_shelf.status("child")
    assert stale.state == "stale" and "'toy'" in stale.problem
    tmp_shelf.ensure("child")
    assert tmp_shelf.status("child").state == "ready"
    assert (tmp_shelf.entry("child") / "weights.bin").read_bytes().startswith(b"esab wen")


def test_build_many_reports_each_failure_and_builds_the_rest(tmp_shelf, monkeypatch):
    from course_utils.shelf.builds import build_many

    monkeypatch.setenv("TOY_CHILD_FAIL", "1")
    outcomes = {o.role: o for o in build_many(tmp_shelf, ["child"], jobs=1, progress=False)}
    assert outcomes["toy"].state == "built" and outcomes["toy"].ok and outcomes["toy"].score.startswith("held-out")
    assert outcomes["child"].state == "failed" and "failed on purpose" in outcomes["child"].error
    assert not tmp_shelf.entry("child").exists() and not list(tmp_shelf.root.glob(".building-*"))
    again = build_many(tmp_shelf, ["toy"], jobs=1, progress=False)
    assert [(o.role, o.state) for o in again] == [("toy", "ready")]


def test_build_many_in_worker_processes_keeps_a_failed_builds_log(tmp_shelf, monkeypatch):
    from course_utils.shelf.builds import build_many

    monkeypatch.setenv("TOY_CHILD_FAIL", "1")
    outcomes = {o.role: o for o in build_many(tmp_shelf, ["toy", "child"], jobs=2, force=True, progress=False)}
    assert outcomes["toy"].state == "built"
    failed = outcomes["child"]
    assert failed.state == "failed" and "failed on purpose" in failed.error
    assert "failed on purpose" in Path(failed.log).read_text(), "the worker's traceback is in its log"


def test_a_failed_base_fails_its_dependents_without_building_them(tmp_shelf, monkeypatch):
    from course_utils.shelf.builds import build_many

    monkeypatch.setenv("TOY_BUILD_FAIL", str(errno.EIO))
    outcomes = {o.role: o for o in build_many(tmp_shelf, ["child"], jobs=2, progress=False)}
    assert outcomes["toy"].state == "failed" and outcomes["child"].state == "failed"
    assert "'toy'" in outcomes["child"].error


def test_jobs_below_one_is_a_clear_error(tmp_shelf):
    from course_utils.shelf.builds import build_many

    with pytest.raises(CourseError, match="--jobs must be 1 or more"):
        build_many(tmp_shelf, ["toy"], jobs=0)


def test_read_only_shelf_message(tmp_path, toy_recipes, monkeypatch):
    shelf = Shelf(tmp_path / "shared", toy_recipes)
    (tmp_path / "shared").mkdir()
    monkeypatch.setattr(Shelf, "writable", lambda self: False)
    with pytest.raises(CourseError) as err:
        shelf.ensure("toy")
    message = str(err.value)
    assert "read-only" in message and "teacher" in message and "COURSE_SHELF" in message


@pytest.mark.parametrize("entry", ["missing", "stale"])
def test_two_processes_building_at_once_build_once(tmp_path, toy, entry):
    from dataclasses import replace

    root, counter = tmp_path / "shelf", tmp_path / "count"
    if entry == "stale":
        # Built by an older course: both processes see it stale, and only the first may rebuild it.
        Shelf(root, {"toy": replace(toy, version=0)}).build("toy", quiet=True)
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from toy_recipe import TOY
        from course_utils.shelf import Shelf
        print(Shelf({str(root)!r}, {{"toy": TOY}}).ensure("toy"))
    """)
    env = dict(os.environ, TOY_BUILD_SECONDS="3", TOY_BUILD_COUNTER=str(counter))
    procs = [subprocess.Popen([sys.executable, "-c", script], env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=60) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert len(counter.read_text().split()) == 1
    assert {out.strip() for out, _ in outputs} == {str(root / "toy")}
    assert any("waiting" in err for _, err in outputs)
    verify(root / "toy")


def test_the_shelf_imports_nothing_above_it_but_errors_versions_and_data():
    """The registry hands the shelf its recipes; nothing in the shelf reaches back up for them."""
    import ast

    shelf_package = TESTS.parent / "course_utils" / "shelf"
    climbing = []
    for path in shelf_package.rglob("*.py"):
        depth = len(path.relative_to(shelf_package).parts)  # 1 for shelf/x.py, 2 for shelf/recipes/x.py
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level > depth:
                if (node.module or "").split(".")[0] not in {"errors", "versions", "data"}:
                    climbing.append(f"{path.relative_to(shelf_package)}: from {'.' * node.level}{node.module}")
    assert not climbing
