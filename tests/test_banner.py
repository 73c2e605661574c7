"""The first cell fits 100 columns, shortens paths, and shows none in the website build."""

from pathlib import Path

from course_utils import lesson_setup
from course_utils.banner import role_table, short_path
from course_utils.checkpoints import Resolution


def test_the_first_cell_fits_100_columns_with_short_paths(capsys):
    lesson_setup("ner", "feature-extraction", "chat")
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert "Mode: offline (COURSE_MODE=offline)" in out and "$COURSE_SHELF" in out and "course shelf list" in out
    rows = {line.split()[0]: line for line in out.splitlines() if line.split() and line.split()[0] in
            ("ner", "feature-extraction", "chat")}
    assert "stand-in" in rows["ner"] and "stand-in for dslim/bert-base-NER" in rows["ner"] and "F1 " in rows["ner"]
    assert "packaged" in rows["feature-extraction"] and "pretrained" in rows["feature-extraction"]
    assert "(Hub only)" in rows["chat"]


def test_the_website_build_shows_no_machine_paths(capsys, monkeypatch):
    monkeypatch.setenv("COURSE_BOOK_BUILD", "1")
    lesson_setup("ner", "feature-extraction")
    out = capsys.readouterr().out
    assert "/" not in out.replace("dslim/bert-base-NER", "").replace("sentence-transformers/all-MiniLM-L6-v2", "")
    assert "$COURSE_SHELF" not in out and "~" not in out and "course shelf list" in out


def test_paths_are_shortened_and_a_long_hub_id_wraps_instead_of_overflowing(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_SHELF", str(tmp_path / "shelf"))
    assert short_path(tmp_path / "shelf" / "ner") == "$COURSE_SHELF/ner"
    assert short_path(Path.home() / ".cache" / "x") == "~/.cache/x"
    long = Resolution("question-answering", "offline", "stand-in", "", "ready", value=0.8767, metric="exact_match")
    lines = role_table([long, Resolution("sentiment", "offline", "stand-in", "", "ready", value=0.875,
                                         metric="accuracy")])
    assert max(len(line) for line in lines) <= 100
    assert "    stand-in for distilbert/distilbert-base-uncased-finetuned-sst-2-english" in lines
