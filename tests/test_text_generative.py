"""The generative stand-ins (summarization, translation, text generation): their data generators, their recipes
on tiny settings, and the built shelf entries against the issue's quality bars."""

import json
import re
from pathlib import Path

import pytest

from course_utils import checkpoint
from course_utils.data import made_up_names, minifrench, news_reports, stories

GENERATIVE = {"summarization": "summarization-bart-reports", "translation": "translation-marian-minifrench",
              "text-generation": "text-generation-gpt2-stories"}


# --- data generators -------------------------------------------------------------------------------------------

def test_minifrench_heldout_uses_unseen_names_and_verb_object_pairs():
    train = minifrench.pairs("train", 3000, 1)
    heldout = minifrench.pairs("heldout", 300, 1)
    assert not set(train) & set(heldout)
    train_words = {w for fr, _ in train for w in fr.split()}
    assert not any(name in train_words for name in minifrench.HELDOUT_NAMES)
    assert sum(any(name in fr for name in minifrench.HELDOUT_NAMES) for fr, _ in heldout) > 20
    assert len({w for fr, _ in train for w in fr.lower().split()}) > 300, "a few hundred French words"


def test_minifrench_grammar_on_known_shapes():
    rng_pairs = minifrench.pairs("train", 4000, 3)
    english = " ".join(en for _, en in rng_pairs)
    french = " ".join(fr for fr, _ in rng_pairs)
    assert "does not" in english and "Does " in english and " ne " in french and "Est-ce que" in french
    assert "j'" in french.lower() and "l'" in french
    assert not re.search(r"\ba [aeiou]", english), "English uses 'an' before a vowel"


def test_news_reports_hide_the_facts_and_heldout_differs():
    train = news_reports.reports("train", 2000, 1)
    heldout = news_reports.reports("heldout", 200, 1)
    for report in train[:200]:
        gist, document = report["summary"], report["document"]
        parts = news_reports.gist_parts(gist)
        assert parts["day"] in document and parts["town"] in document and parts["what"].split()[-1] in document
        assert len(document) > len(gist) + 20
    train_text = " ".join(r["document"] for r in train)
    assert not any(town in train_text for town in news_reports.HELDOUT_TOWNS)
    lead_starts = [lead.split("{")[0] for lead in news_reports.HELDOUT_LEADS]
    assert any(r["document"].count(start) for r in heldout for start in lead_starts if start)


def test_made_up_names_split_stably():
    import random

    train = {made_up_names.first_name(random.Random(i)) for i in range(500)}
    held = {made_up_names.first_name(random.Random(i), heldout=True) for i in range(200)}
    assert len(train) > 300 and not train & held


def test_stories_heldout_uses_other_names():
    train = " ".join(stories.stories("train", 500, 1))
    held = stories.stories("heldout", 50, 1)
    assert not any(f" {name} " in train for name, _ in stories.HELDOUT_NAMES)
    assert all(any(name in story for name, _ in stories.HELDOUT_NAMES) for story in held)


# --- the built shelf entries -----------------------------------------------------------------------------------

def _entry(role: str) -> tuple[Path, dict]:
    folder = Path(checkpoint(role))
    return folder, json.loads((folder / "MANIFEST.json").read_text())


def test_translation_meets_the_chrf_bar():
    folder, manifest = _entry("translation")
    metrics = manifest["heldout_metrics"]
    assert metrics["chrf"] >= 60 and metrics["heldout_size"] >= 200
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    assert type(model).__name__ == "MarianMTModel"
    batch = tokenizer(["Le chat mange une pomme rouge.", "Nous ne buvons pas le café ce matin."],
                      padding=True, return_tensors="pt")
    english = tokenizer.batch_decode(model.generate(**batch), skip_special_tokens=True)
    assert "cat" in english[0] and "apple" in english[0] and "red" in english[0]
    assert "not" in english[1] and "coffee" in english[1]


def test_summarization_meets_the_rouge_bar():
    folder, manifest = _entry("summarization")
    metrics = manifest["heldout_metrics"]
    assert metrics["rougeL"] >= 0.5 and metrics["heldout_size"] >= 200
    assert metrics["day_accuracy"] >= 0.9 and metrics["what_accuracy"] >= 0.9, "it reads the report, not a prior"
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForSeq2SeqLM.from_pretrained(folder)
    assert type(model).__name__ == "BartForConditionalGeneration"
    reports = news_reports.reports("heldout", 6, 777, made_up=0.0)
    batch = tokenizer([r["document"] for r in reports], padding=True, return_tensors="pt")
    gists = tokenizer.batch_decode(model.generate(**batch), skip_special_tokens=True)
    days = [r["summary"].rsplit(" on ", 1)[1].rstrip(".") for r in reports]
    assert sum(f"on {day}" in gist for day, gist in zip(days, gists)) >= 5, list(zip(days, gists))
    assert all(gist.endswith(".") for gist in gists), gists


def test_text_generation_beats_the_unigram_baseline_and_writes_english_words():
    folder, manifest = _entry("text-generation")
    metrics = manifest["heldout_metrics"]
    assert metrics["perplexity"] * 4 < metrics["unigram_perplexity"], "far below the unigram baseline"
    assert metrics["english_word_rate"] >= 0.95
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from course_utils.shelf.recipes.text_generation import english_words, word_validity

    tokenizer = AutoTokenizer.from_pretrained(folder)
    model = AutoModelForCausalLM.from_pretrained(folder)
    assert type(model).__name__ == "GPT2LMHeadModel"
    torch.manual_seed(0)
    out = model.generate(**tokenizer("Once upon a time", return_tensors="pt"), do_sample=True, top_k=40,
                         max_new_tokens=40)
    text = tokenizer.decode(out[0], skip_special_tokens=True)
    assert len(text.split()) > 10
    assert word_validity([text], english_words(stories.stories("train", 2000, 5))) >= 0.9, text


@pytest.mark.parametrize("role", sorted(GENERATIVE))
def test_entries_are_small_and_recorded(role):
    folder, manifest = _entry(role)
    assert manifest["recipe"] == GENERATIVE[role]
    assert sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) < 30 * 2**20
    assert (folder / "model.safetensors").is_file() and (folder / "tokenizer.json").is_file()
