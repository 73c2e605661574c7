from course_utils.workspace import sync_workspace


def test_first_sync_copies_every_lesson(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    (lessons / "00_a.ipynb").write_text("A1")
    (lessons / "01_b.ipynb").write_text("B1")
    sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "A1" and (workspace / "01_b.ipynb").read_text() == "B1"


def test_updates_never_overwrite_learner_work(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    (lessons / "00_a.ipynb").write_text("A1")
    sync_workspace(lessons, workspace)
    (workspace / "00_a.ipynb").write_text("my edits")
    (lessons / "00_a.ipynb").write_text("A2")
    (lessons / "02_c.ipynb").write_text("C1")
    actions = sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "my edits"
    assert (workspace / "02_c.ipynb").read_text() == "C1"
    offered = list(workspace.glob("00_a.updated-*.ipynb"))
    assert len(offered) == 1 and offered[0].read_text() == "A2"
    assert any("untouched" in line for line in actions)
    assert sync_workspace(lessons, workspace) == []  # nothing new the second time


def test_a_file_already_there_is_kept_even_without_a_ledger(tmp_path):
    lessons, workspace = tmp_path / "lessons", tmp_path / "workspace"
    lessons.mkdir()
    workspace.mkdir()
    (lessons / "00_a.ipynb").write_text("course")
    (workspace / "00_a.ipynb").write_text("learner")
    sync_workspace(lessons, workspace)
    assert (workspace / "00_a.ipynb").read_text() == "learner"
