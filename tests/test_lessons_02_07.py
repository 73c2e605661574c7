"""The exercise checks of lessons 02-05 and 07: a right answer passes, a wrong one fails with a hint, `...` is not attempted.

They run on the packaged MiniLM (with new, seeded heads where a check needs one), so they need no shelf.
"""

import numpy as np
import pytest
import torch

from course_utils.exercises import lesson02, lesson03, lesson04, lesson05, lesson07


def status(check, *args):
    check(*args)
    return check.last


def failed_with_hint(feedback, part_word=""):
    bad = [p for p in feedback.parts if not p.ok]
    return (feedback.status == "fail" and bad and all(p.hint for p in bad)
            and (not part_word or any(part_word in p.name for p in bad)))


@pytest.fixture(scope="module")
def minilm():
    from course_utils.shelf.recipes.common import minilm_path

    return str(minilm_path())


@pytest.fixture(scope="module")
def tokenizer(minilm):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(minilm)


@pytest.fixture(scope="module")
def encoder(minilm):
    from transformers import AutoModel

    return AutoModel.from_pretrained(minilm)


# ---- lesson 02 ---------------------------------------------------------------------------------------

def test_02_count_tokens(tokenizer):
    check = lesson02.check_count_tokens
    assert status(check, lambda t: len(tokenizer(t)["input_ids"]), tokenizer).status == "pass"
    assert failed_with_hint(status(check, lambda t: len(tokenizer.tokenize(t)), tokenizer), "special")
    assert failed_with_hint(status(check, lambda t: len(t.split()), tokenizer))
    assert status(check, ..., tokenizer).status == "not attempted"


def test_02_find_unknown(tokenizer):
    def right(text):
        enc = tokenizer(text, return_offsets_mapping=True)
        return [text[s:e] for i, (s, e) in zip(enc["input_ids"], enc["offset_mapping"]) if i == tokenizer.unk_token_id]

    check = lesson02.check_find_unknown
    assert status(check, right, tokenizer).status == "pass"
    assert failed_with_hint(status(check, lambda t: [x for x in tokenizer.tokenize(t) if x == "[UNK]"], tokenizer),
                            "original")
    assert failed_with_hint(status(check, lambda t: [], tokenizer))
    assert status(check, lambda t: ..., tokenizer).status == "not attempted"


def test_02_texts_from_batch(tokenizer):
    check = lesson02.check_texts_from_batch
    assert status(check, lambda b: tokenizer.batch_decode(b["input_ids"], skip_special_tokens=True),
                  tokenizer).status == "pass"
    assert failed_with_hint(status(check, lambda b: tokenizer.batch_decode(b["input_ids"]), tokenizer), "special")
    assert status(check, ..., tokenizer).status == "not attempted"


# ---- lesson 03 ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def classifier(minilm):
    from transformers import AutoModelForSequenceClassification, set_seed

    set_seed(3)
    model = AutoModelForSequenceClassification.from_pretrained(
        minilm, num_labels=2, id2label={0: "NEGATIVE", 1: "POSITIVE"}, label2id={"NEGATIVE": 0, "POSITIVE": 1})
    return model.eval()


def test_03_predict(tokenizer, classifier):
    def right(texts):
        enc = tokenizer(texts, padding=True, truncation=True, return_tensors="pt")
        with torch.no_grad():
            probs = classifier(**enc).logits.softmax(-1)
        return [(classifier.config.id2label[int(r.argmax())], float(r.max())) for r in probs]

    check = lesson03.check_predict
    assert status(check, right, tokenizer, classifier).status == "pass"
    flipped = lambda texts: [("NEGATIVE" if l == "POSITIVE" else "POSITIVE", 1 - p) for l, p in right(texts)]
    assert failed_with_hint(status(check, flipped, tokenizer, classifier), "labels")
    assert failed_with_hint(status(check, lambda texts: right(texts)[:1], tokenizer, classifier))
    assert status(check, lambda texts: ..., tokenizer, classifier).status == "not attempted"


def test_03_loss_by_hand(tokenizer, classifier):
    def right(logits, labels):
        return float(torch.nn.functional.cross_entropy(logits, labels))

    def summed(logits, labels):
        return float(torch.nn.functional.cross_entropy(logits, labels, reduction="sum"))

    check = lesson03.check_loss_by_hand
    assert status(check, right, tokenizer, classifier).status == "pass"
    assert failed_with_hint(status(check, summed, tokenizer, classifier), "mean")
    assert failed_with_hint(status(check, lambda lo, la: 0.1, tokenizer, classifier), "value")
    assert status(check, ..., tokenizer, classifier).status == "not attempted"


def test_03_attention_map(minilm, tokenizer):
    from transformers import AutoModel

    eager = AutoModel.from_pretrained(minilm, attn_implementation="eager")

    def right(text, layer, head):
        with torch.no_grad():
            maps = eager(**tokenizer(text, return_tensors="pt"), output_attentions=True).attentions
        return maps[layer][0, head].numpy()

    check = lesson03.check_attention_map
    assert status(check, right, tokenizer, eager).status == "pass"
    assert failed_with_hint(status(check, lambda t, l, h: right(t, h, l), tokenizer, eager))
    assert failed_with_hint(status(check, lambda t, l, h: right(t, l, h)[:2], tokenizer, eager), "shape")
    assert status(check, lambda t, l, h: ..., tokenizer, eager).status == "not attempted"


# ---- lesson 04 ---------------------------------------------------------------------------------------

def test_04_small_config(tokenizer):
    from transformers import DistilBertConfig

    check = lesson04.check_small_config
    assert status(check, DistilBertConfig(n_layers=4, n_heads=8, dim=512, hidden_dim=1024), tokenizer).status == "pass"
    assert failed_with_hint(status(check, DistilBertConfig(n_layers=4), tokenizer), "size")
    assert failed_with_hint(status(check, DistilBertConfig(n_layers=4, n_heads=7, dim=512), tokenizer), "heads")
    assert failed_with_hint(status(check, {"n_layers": 4}, tokenizer), "type")
    assert status(check, ..., tokenizer).status == "not attempted"


def test_04_new_weights(minilm):
    def right(model_class):
        return set(model_class.from_pretrained(minilm, output_loading_info=True)[1]["missing_keys"])

    def unexpected(model_class):
        return set(model_class.from_pretrained(minilm, output_loading_info=True)[1]["unexpected_keys"])

    check = lesson04.check_new_weights
    assert status(check, right, minilm).status == "pass"
    assert failed_with_hint(status(check, unexpected, minilm))
    assert failed_with_hint(status(check, lambda c: {"classifier.weight"}, minilm))
    assert status(check, lambda c: ..., minilm).status == "not attempted"


# ---- lesson 05 ---------------------------------------------------------------------------------------

TOPICS = ["app", "film", "restaurant", "travel"]


@pytest.fixture(scope="module")
def topic_data(tokenizer):
    from datasets import Dataset

    from course_utils.data import load_reviews

    rows = [{"text": r["text"], "label": r["domain"]} for r in load_reviews() if r["domain"] in TOPICS][:120]
    table = Dataset.from_list(rows).class_encode_column("label")
    return table.map(lambda b: tokenizer(b["text"], truncation=True, max_length=64), batched=True)


def make_trainer(minilm, tokenizer, tmp_path_factory, dataset=None):
    from transformers import (AutoModelForSequenceClassification, DataCollatorWithPadding, Trainer,
                              TrainingArguments, set_seed)

    set_seed(0)
    model = AutoModelForSequenceClassification.from_pretrained(
        minilm, num_labels=len(TOPICS), id2label=dict(enumerate(TOPICS)), label2id={t: i for i, t in enumerate(TOPICS)})
    args = TrainingArguments(output_dir=str(tmp_path_factory.mktemp("trainer")), report_to="none", save_strategy="no",
                             per_device_eval_batch_size=64, disable_tqdm=True, use_cpu=True)
    trainer = Trainer(model=model, args=args, data_collator=DataCollatorWithPadding(tokenizer), processing_class=tokenizer)
    if dataset is not None:
        # A head fitted by logistic regression on the pooled features: a real, better model, made without training runs.
        from sklearn.linear_model import LogisticRegression

        batch = DataCollatorWithPadding(tokenizer)([{k: r[k] for k in ("input_ids", "attention_mask")} for r in dataset])
        with torch.no_grad():
            pooled = model.bert(**batch).pooler_output.numpy()
        fit = LogisticRegression(max_iter=2000, C=10.0).fit(pooled, dataset["label"])
        with torch.no_grad():
            model.classifier.weight.copy_(torch.tensor(fit.coef_, dtype=torch.float32))
            model.classifier.bias.copy_(torch.tensor(fit.intercept_, dtype=torch.float32))
    return trainer


def test_05_find_mistakes(minilm, tokenizer, tmp_path_factory):
    trainer = make_trainer(minilm, tokenizer, tmp_path_factory)
    names = TOPICS

    def right(trainer, dataset):
        out = trainer.predict(dataset)
        guess = out.predictions.argmax(-1)
        return [(t, names[a], names[b]) for t, a, b in zip(dataset["text"], out.label_ids, guess) if a != b]

    check = lesson05.check_find_mistakes
    assert status(check, right, trainer, tokenizer).status == "pass"
    swapped = lambda tr, ds: [(t, b, a) for t, a, b in right(tr, ds)]
    assert right(trainer, lesson05._probe_dataset(tokenizer, names)), "an untrained head makes some mistakes"
    assert failed_with_hint(status(check, swapped, trainer, tokenizer), "labels")
    assert failed_with_hint(status(check, lambda tr, ds: [], trainer, tokenizer), "which")
    assert status(check, lambda tr, ds: ..., trainer, tokenizer).status == "not attempted"


def test_05_beat_baseline(minilm, tokenizer, topic_data, tmp_path_factory):
    baseline = make_trainer(minilm, tokenizer, tmp_path_factory)
    better = make_trainer(minilm, tokenizer, tmp_path_factory, dataset=topic_data)
    check = lesson05.check_beat_baseline
    assert status(check, {"learning_rate": 2e-4}, better, baseline, topic_data).status == "pass"
    assert failed_with_hint(status(check, {"learning_rate": 2e-4}, baseline, better, topic_data), "beats")
    assert failed_with_hint(status(check, {"learnin_rate": 2e-4}, better, baseline, topic_data), "names")
    assert failed_with_hint(status(check, {"logging_steps": 1}, better, baseline, topic_data), "hyper")
    assert failed_with_hint(status(check, {"learning_rate": 2e-4}, "not a trainer", baseline, topic_data), "trained")
    assert status(check, ..., ..., baseline, topic_data).status == "not attempted"


# ---- lesson 07 ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def unmasker(minilm):
    from transformers import AutoModelForMaskedLM, AutoTokenizer, pipeline, set_seed

    set_seed(1)
    return pipeline("fill-mask", model=AutoModelForMaskedLM.from_pretrained(minilm),
                    tokenizer=AutoTokenizer.from_pretrained(minilm))


def test_07_top_guess(unmasker):
    tok, model = unmasker.tokenizer, unmasker.model

    def right(sentence):
        enc = tok(sentence, return_tensors="pt")
        with torch.no_grad():
            scores = model(**enc).logits[0]
        where = int((enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0])
        return tok.decode(scores[where].argmax()).strip()

    def second_best(sentence):
        enc = tok(sentence, return_tensors="pt")
        with torch.no_grad():
            scores = model(**enc).logits[0]
        where = int((enc["input_ids"][0] == tok.mask_token_id).nonzero()[0, 0])
        return tok.decode(scores[where].topk(2).indices[1]).strip()

    check = lesson07.check_top_guess
    assert status(check, right, unmasker).status == "pass"
    assert failed_with_hint(status(check, second_best, unmasker))
    assert failed_with_hint(status(check, lambda s: 7, unmasker), "type")
    assert status(check, lambda s: ..., unmasker).status == "not attempted"


def word_positions(tokenizer, sentence, word):
    start = sentence.index(word)
    enc = tokenizer(sentence, return_tensors="pt", return_offsets_mapping=True)
    offsets = enc.pop("offset_mapping")[0].tolist()
    return enc, [i for i, (s, e) in enumerate(offsets) if s >= start and e <= start + len(word) and e > s]


def test_07_word_vector(tokenizer, encoder):
    def right(sentence, word):
        enc, positions = word_positions(tokenizer, sentence, word)
        with torch.no_grad():
            return encoder(**enc).last_hidden_state[0, positions].mean(dim=0)

    def first_piece(sentence, word):
        enc, positions = word_positions(tokenizer, sentence, word)
        with torch.no_grad():
            return encoder(**enc).last_hidden_state[0, positions[0]]

    check = lesson07.check_word_vector
    assert status(check, right, tokenizer, encoder).status == "pass"
    assert failed_with_hint(status(check, first_piece, tokenizer, encoder), "pieces")
    assert failed_with_hint(status(check, lambda s, w: right(s, w).tolist(), tokenizer, encoder))
    assert status(check, lambda s, w: ..., tokenizer, encoder).status == "not attempted"


def test_07_mean_pool(tokenizer, encoder):
    def right(hidden, mask):
        m = mask.unsqueeze(-1).float()
        return (hidden * m).sum(1) / m.sum(1)

    check = lesson07.check_mean_pool
    assert status(check, right, tokenizer, encoder).status == "pass"
    assert failed_with_hint(status(check, lambda h, m: h.mean(dim=1), tokenizer, encoder), "padding")
    assert failed_with_hint(status(check, lambda h, m: h[:, 0], tokenizer, encoder))
    assert status(check, ..., tokenizer, encoder).status == "not attempted"


def test_widget_static_view_colours_tokens_and_shows_ids(tokenizer):
    from course_utils.widgets import tokens_html

    html = tokens_html(tokenizer, "Hello 🤗 world")
    ids = tokenizer("Hello 🤗 world")["input_ids"]
    assert all(f">{i}</small>" in html for i in ids)
    assert html.count("<span") == len(ids) and "[UNK]" in html
    with pytest.raises(TypeError):
        tokens_html(tokenizer, 42)


def test_viz_helpers_draw_and_reject_bad_shapes():
    import matplotlib

    matplotlib.use("Agg")
    from course_utils import viz

    tokens = ["[CLS]", "a", "b", "[SEP]"]
    weights = np.full((4, 4), 0.25)
    assert viz.attention_heatmap(weights, tokens) is not None
    assert viz.attention_grid([torch.full((1, 3, 4, 4), 0.25)] * 2, tokens).shape == (2, 3)
    with pytest.raises(ValueError):
        viz.attention_heatmap(np.ones((3, 4)), tokens)
    history = [{"loss": 1.0, "step": 2}, {"loss": 0.5, "step": 4}, {"eval_loss": 0.7, "step": 4}]
    assert viz.training_curves(history) is not None
    with pytest.raises(ValueError):
        viz.training_curves([{"train_runtime": 1.0}])
