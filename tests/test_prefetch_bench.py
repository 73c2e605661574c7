import json
import os

import nbformat

from course_utils import prefetch as prefetch_module
from course_utils.checkpoints import ROLES


def test_prefetch_without_hub_lists_every_checkpoint_and_builds_the_shelf(monkeypatch, capsys):
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")  # the discard port: nothing listens there
    built = []
    assert prefetch_module.prefetch(build_shelf=lambda: built.append(True)) == []
    out = capsys.readouterr().out
    assert "not reachable" in out and built == [True]
    for role in ROLES.values():
        assert role.hub_id in out


def test_weights_prefer_safetensors():
    from course_utils.hubcache import weights_patterns

    assert weights_patterns(["config.json", "model.safetensors", "pytorch_model.bin"]) == ["*.safetensors"]
    assert weights_patterns(["config.json", "pytorch_model.bin"]) == ["pytorch_model*.bin"]


def test_bench_times_a_notebook_and_samples_its_memory(tmp_path):
    from course_utils.bench import run_notebook

    # Bytes written in full (a bare bytearray would be untouched zero pages, not resident), held long enough for
    # the 0.1 s sampler to see them.
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import time\nblock = b'x' * (200 * 2**20)\ntime.sleep(1)")])
    run = run_notebook(nb, "alloc", tmp_path)
    assert run.ok and run.seconds > 0
    assert run.peak_mb >= 200


def test_bench_reports_a_failing_notebook(tmp_path):
    from course_utils.bench import run_notebook

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('boom')")])
    run = run_notebook(nb, "broken", tmp_path)
    assert not run.ok and "boom" in run.error


def test_bench_json_has_lessons_and_floor(tmp_path, monkeypatch):
    from course_utils import bench

    folder = tmp_path / "nbs"
    folder.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]), folder / "00_tiny.ipynb")
    monkeypatch.setattr(bench, "FLOOR_SOURCE", "import json")
    out = tmp_path / "bench.json"
    assert bench.run_bench([], folder, False, [], str(out)) == 0
    report = json.loads(out.read_text())
    assert report["floor"]["ok"] and [r["name"] for r in report["lessons"]] == ["00_tiny"]


def test_kernels_get_an_absolute_shelf_path(tmp_path, monkeypatch):
    from course_utils.modes import offline_environment
    from course_utils.shelf.store import pin_shelf_variable

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COURSE_SHELF", "build/test-shelf")
    assert offline_environment()["COURSE_SHELF"] == str(tmp_path / "build" / "test-shelf")
    pin_shelf_variable()
    assert os.environ["COURSE_SHELF"] == str(tmp_path / "build" / "test-shelf")
