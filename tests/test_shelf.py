import errno
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from course_utils import CourseError
from course_utils.shelf.manifest import MANIFEST, ManifestProblem, verify

TESTS = Path(__file__).parent


def test_build_writes_entry_with_a_complete_manifest(tmp_shelf, toy):
    path = tmp_shelf.build("toy", toy, quiet=True)
    manifest = json.loads((path / MANIFEST).read_text())
    assert manifest["role"] == "toy" and manifest["recipe"] == "toy" and manifest["seed"] == 7
    assert set(manifest["files"]) == {"config.json", "weights.bin"}
    for key in ("recipe_version", "training_data_sha256", "heldout_metrics", "build_seconds", "built_at"):
        assert key in manifest
    assert verify(path)["files"] == manifest["files"]
    assert [p.name for p in tmp_shelf.root.iterdir() if p.name.startswith(".building")] == []


def test_entries_are_readable_by_everyone_for_shared_shelves(tmp_shelf, toy):
    path = tmp_shelf.build("toy", toy, quiet=True)
    for file in path.iterdir():
        assert file.stat().st_mode & 0o044 == 0o044


@pytest.mark.parametrize("damage", ["truncate", "edit_config", "extra_file", "drop_manifest", "bad_json"])
def test_damage_is_detected_before_loading_with_the_rebuild_command(tmp_shelf, toy, damage):
    path = tmp_shelf.build("toy", toy, quiet=True)
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
        tmp_shelf.ensure("toy", toy)
    assert "course shelf build toy --force" in str(err.value)


def test_same_size_edit_is_caught_by_the_hash(tmp_shelf, toy):
    path = tmp_shelf.build("toy", toy, quiet=True)
    tmp_shelf.ensure("toy", toy)  # verified once and remembered
    data = bytearray((path / "weights.bin").read_bytes())
    data[10] ^= 0xFF
    (path / "weights.bin").write_bytes(bytes(data))
    assert tmp_shelf.status("toy", toy).state == "corrupt"


def test_failed_build_leaves_nothing_behind(tmp_shelf, toy, monkeypatch):
    monkeypatch.setenv("TOY_BUILD_FAIL", str(errno.EIO))
    with pytest.raises(OSError):
        tmp_shelf.build("toy", toy, quiet=True)
    assert not (tmp_shelf.root / "toy").exists()
    assert not list(tmp_shelf.root.glob(".building-*"))


def test_disk_full_gives_a_clear_message_and_keeps_nothing(tmp_shelf, toy, monkeypatch):
    monkeypatch.setenv("TOY_BUILD_FAIL", str(errno.ENOSPC))
    with pytest.raises(CourseError) as err:
        tmp_shelf.build("toy", toy, quiet=True)
    assert "disk filled up" in str(err.value) and "course shelf build toy" in str(err.value)
    assert not (tmp_shelf.root / "toy").exists() and not list(tmp_shelf.root.glob(".building-*"))


def test_too_little_free_space_is_refused_before_building(tmp_shelf, toy, monkeypatch):
    import shutil
    from collections import namedtuple

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10**9, 10**9, 10))
    with pytest.raises(CourseError) as err:
        tmp_shelf.build("toy", toy, quiet=True)
    assert "Not enough disk space" in str(err.value)


def test_leftovers_of_a_killed_build_are_cleared(tmp_shelf, toy):
    dead = tmp_shelf.root / ".building-toy-99999"
    (dead / "model").mkdir(parents=True)
    (dead / "model" / "weights.bin").write_bytes(b"half")
    status = tmp_shelf.status("toy", toy)
    assert status.state == "missing"
    tmp_shelf.ensure("toy", toy)
    assert not dead.exists()
    verify(tmp_shelf.root / "toy")


def test_force_rebuild_replaces_the_entry_atomically(tmp_shelf, toy):
    first = tmp_shelf.build("toy", toy, quiet=True)
    built_at = json.loads((first / MANIFEST).read_text())["build_seconds"]
    second = tmp_shelf.build("toy", toy, force=True, quiet=True)
    assert first == second and verify(second)
    assert built_at is not None
    assert not list(tmp_shelf.root.glob(".retired-*"))


def test_stale_recipe_version_is_rebuilt(tmp_shelf, toy):
    from dataclasses import replace

    tmp_shelf.build("toy", toy, quiet=True)
    newer = replace(toy, version=2)
    assert tmp_shelf.status("toy", newer).state == "stale"
    tmp_shelf.ensure("toy", newer)
    assert tmp_shelf.status("toy", newer).state == "ready"


def test_read_only_shelf_message(tmp_path, toy, monkeypatch):
    from course_utils.shelf import Shelf

    shelf = Shelf(tmp_path / "shared")
    (tmp_path / "shared").mkdir()
    monkeypatch.setattr(Shelf, "writable", lambda self: False)
    with pytest.raises(CourseError) as err:
        shelf.ensure("toy", toy)
    message = str(err.value)
    assert "read-only" in message and "teacher" in message and "COURSE_SHELF" in message


@pytest.mark.parametrize("entry", ["missing", "stale"])
def test_two_processes_building_at_once_build_once(tmp_path, toy, entry):
    from dataclasses import replace

    from course_utils.shelf import Shelf

    root, counter = tmp_path / "shelf", tmp_path / "count"
    if entry == "stale":
        # Built by an older course: both processes see it stale, and only the first may rebuild it.
        Shelf(root).build("toy", replace(toy, version=0), quiet=True)
    script = textwrap.dedent(f"""
        import sys; sys.path.insert(0, {str(TESTS)!r})
        from toy_recipe import TOY
        from course_utils.shelf import Shelf
        print(Shelf({str(root)!r}).ensure("toy", TOY))
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
