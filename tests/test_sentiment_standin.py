"""The sentiment stand-in on the shelf (`make test` builds it first): real, verified, and faithful to the seed."""

import json
from pathlib import Path

import pytest

from course_utils import checkpoint

SEED_IDS = {
    "We are very happy to show you the 🤗 Transformers library.":
        [101, 2057, 2024, 2200, 3407, 2000, 2265, 2017, 1996, 100, 19081, 3075, 1012, 102],
    "We hope you don't hate it.": [101, 2057, 3246, 2017, 2123, 1005, 1056, 5223, 2009, 1012, 102, 0, 0, 0],
}


@pytest.fixture(scope="module")
def folder():
    return Path(checkpoint("sentiment"))


def test_manifest_records_build_and_heldout_accuracy(folder):
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    metrics = manifest["heldout_metrics"]
    assert metrics["heldout_size"] >= 150
    assert metrics["accuracy"] >= 0.8
    assert manifest["build_seconds"] < 180
    assert (folder / "model.safetensors").is_file()
    assert not list(folder.glob("*.bin")) and not list(folder.glob("*.pt")), "safetensors only, never pickle"


def test_labels_match_the_hub_model(folder):
    config = json.loads((folder / "config.json").read_text())
    assert config["id2label"] == {"0": "NEGATIVE", "1": "POSITIVE"}


def test_tokenizer_reproduces_the_seed_ids_exactly(folder):
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    batch = tokenizer(list(SEED_IDS), padding=True, truncation=True, max_length=512, return_tensors="pt")
    assert batch["input_ids"].tolist() == list(SEED_IDS.values())
    assert batch["attention_mask"][1].tolist() == [1] * 11 + [0] * 3


def test_it_classifies_plain_reviews(folder):
    from transformers import pipeline

    classifier = pipeline("sentiment-analysis", model=str(folder))
    results = classifier(["An absolute delight from start to finish.", "Broken on arrival and support never replied."])
    assert [r["label"] for r in results] == ["POSITIVE", "NEGATIVE"]
