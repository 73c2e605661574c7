"""Checks for lesson 01 (pipeline): labelling a batch, and finding the most similar sentence."""

import re
import weakref

import numpy as np

from ..checks import Wrong, brief, call_learner, exercise, expect, require_type
from . import probes

REVIEWS_PER_CHECK = 10
SEARCHES_PER_CHECK = 3
CANDIDATES_PER_SEARCH = 5
CLEAR_MARGIN = 0.03  # cosine similarity between the closest candidate and the next, so poolings and orders agree
SEARCH_DRAWS = 60


def _label_mistake(labels, truth, known):
    """The kind of mistake a wrong list of labels shows, as (message, hint)."""
    if len(set(labels)) == 1:
        return (f"you gave all {len(labels)} reviews the same label, {labels[0]!r}; the pipeline does not",
                "Call the pipeline on the texts instead of returning a fixed label.")
    if len(known) == 2 and all(a != b for a, b in zip(labels, truth)):
        return ("every one of your labels is the other label", "Keep each result's 'label' as it is; do not swap it.")
    if sorted(labels) == sorted(truth):
        return ("the right labels, but not in the order of the texts",
                "Return the labels in the order of the input texts: one pipeline call on the whole list keeps it.")
    wrong = sum(a != b for a, b in zip(labels, truth))
    return (f"{wrong} of {len(labels)} labels differ from what `classifier` says for those reviews",
            "Pass the list of texts to `classifier` and keep each result's 'label', in order.")


def _learners_labels(label_all, texts, known):
    """The learner's labels for `texts`, once they are a list of this pipeline's label strings, one per text."""
    labels = call_learner(label_all, list(texts), part="label_all(texts)")
    require_type(labels, (list, tuple), "label_all", "a list of label strings",
                 "Collect `result['label']` for each result the pipeline returns, in a list.")
    labels = list(labels)
    if len(labels) != len(texts):
        raise Wrong("one label per text", f"{len(labels)} labels for {len(texts)} texts",
                    "Label every text of the list, in order; the pipeline takes the whole list in one call.")
    if not all(isinstance(x, str) for x in labels):
        odd = next(x for x in labels if not isinstance(x, str))
        hint = ("Each result is a dict such as {'label': ..., 'score': ...}: keep its 'label'."
                if isinstance(odd, dict) else "Return the label strings themselves.")
        raise Wrong("items are strings", f"an item is a {type(odd).__name__}: {brief(odd)}", hint)
    strange = sorted(set(labels) - known)
    if strange:
        recased = {x.upper() for x in strange} <= {k.upper() for k in known}
        raise Wrong("label names", f"{brief(strange)} are not labels of this pipeline, which says {sorted(known)}",
                    "Labels are case-sensitive strings: keep result['label'] exactly as the pipeline returns it."
                    if recased else "Return the pipeline's own labels, result['label'], rather than words of your own.")
    return labels


@exercise("1.1", "label a batch with the pipeline")
def check_label_all(label_all, classifier):
    rng, known = probes.fresh(), set(classifier.model.config.id2label.values())
    for _ in range(probes.MAX_DRAWS):  # until the pipeline gives both labels, so that no fixed label can pass
        texts = probes.reviews(rng, REVIEWS_PER_CHECK)
        labels = _learners_labels(label_all, texts, known)
        truth = [r["label"] for r in classifier(texts)]
        if len(set(truth)) > 1:
            break
    if labels == truth:
        expect(True, f"labels of {len(texts)} new reviews")
    else:
        expect(False, "labels", *_label_mistake(labels, truth, known))


def _words(text):
    return set(re.findall(r"[a-z']+", text.lower()))


_pool_vectors = weakref.WeakKeyDictionary()  # model -> {sentence: mean-pooled vector}, as the pipeline computes it


def _vectors(extractor):
    """Every sentence of the paraphrase pool, mean-pooled over its tokens, in one padded batch per hundred."""
    import torch

    from ..data.paraphrases import GROUPS

    if extractor.model not in _pool_vectors:
        texts = sorted({text for query, same, look_alike in GROUPS for text in (query, *same, look_alike)})
        vectors = {}
        for start in range(0, len(texts), 100):
            chunk = texts[start:start + 100]
            batch = extractor.tokenizer(chunk, padding=True, return_tensors="pt").to(extractor.model.device)
            with torch.no_grad():
                hidden = extractor.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            vectors.update(zip(chunk, ((hidden * mask).sum(1) / mask.sum(1)).cpu().numpy()))
        _pool_vectors[extractor.model] = vectors
    return _pool_vectors[extractor.model]


def _search(rng, vectors):
    """One search from the paraphrase pool: (query, candidates, closest, furthest), or None if poolings disagree."""
    from ..data.paraphrases import GROUPS

    index = rng.randrange(len(GROUPS))
    query, same, look_alike = GROUPS[index]
    others = [s for i, (q, sm, t) in enumerate(GROUPS) if i != index for s in (q, *sm, t)]
    candidates = [rng.choice(same), look_alike, *rng.sample(others, CANDIDATES_PER_SEARCH - 2)]
    means = np.stack([vectors[c] for c in candidates])
    dots = means @ vectors[query]
    cosines = dots / np.linalg.norm(means, axis=1) / np.linalg.norm(vectors[query])
    order = np.argsort(-cosines)
    if int(np.argmax(dots)) != order[0] or cosines[order[0]] - cosines[order[1]] < CLEAR_MARGIN:
        return None
    return query, candidates, candidates[order[0]], candidates[order[-1]]


def _places(rng):
    """Where the closest and the furthest candidate go in each search: each at a new place every time."""
    best = rng.sample(range(CANDIDATES_PER_SEARCH), SEARCHES_PER_CHECK)
    worst = []
    for place in best:
        worst.append(rng.choice([p for p in range(CANDIDATES_PER_SEARCH) if p != place and p not in worst]))
    return list(zip(best, worst))


def _arranged(rng, candidates, best, worst, places):
    order = [c for c in candidates if c not in (best, worst)]
    rng.shuffle(order)
    for place, text in sorted([(places[0], best), (places[1], worst)]):
        order.insert(place, text)
    return order


def _searches(extractor, rng):
    """Searches whose closest and furthest candidates sit at new places each time, and in one of which another
    candidate shares more words with the query than the closest one does."""
    vectors, chosen, places = _vectors(extractor), [], _places(rng)
    for _ in range(SEARCH_DRAWS):
        found = _search(rng, vectors)
        if found is None:
            continue
        query, candidates, best, worst = found
        candidates = _arranged(rng, candidates, best, worst, places[len(chosen)])
        shared = {c: len(_words(c) & _words(query)) for c in candidates}
        lexical_trap = shared[best] < max(shared.values())
        if len(chosen) == SEARCHES_PER_CHECK - 1 and not lexical_trap and not any(s["trap"] for s in chosen):
            continue
        chosen.append({"query": query, "candidates": candidates, "best": best, "worst": worst, "trap": lexical_trap,
                       "overlap": max(candidates, key=shared.get)})
        if len(chosen) == SEARCHES_PER_CHECK:
            return chosen
    raise RuntimeError("the paraphrase pool gave too few clear searches for this model")


@exercise("1.2", "find the most similar sentence")
def check_most_similar(most_similar, extractor):
    searches = _searches(extractor, probes.fresh())
    answers = []
    for search in searches:
        answer = call_learner(most_similar, search["query"], list(search["candidates"]),
                              part="most_similar(query, candidates)")
        require_type(answer, str, "most_similar", "one of the candidate strings",
                     "Return candidates[best_index], not the index or the score.")
        if answer not in search["candidates"]:
            raise Wrong("a candidate", f"{brief(answer)} is not one of the candidates",
                        "Return the candidate sentence itself, unchanged.")
        answers.append(answer)
    missed = [(s, a) for s, a in zip(searches, answers) if a != s["best"]]
    if not missed:
        expect(True, f"closest in meaning, in {len(searches)} new searches")
        return
    places = {s["candidates"].index(a) for s, a in zip(searches, answers)}
    search, answer = missed[0]
    if len(places) == 1:
        message, hint = (f"you returned the candidate at position {places.pop()} every time",
                         "The closest sentence can be anywhere in the list: score every candidate against the query.")
    elif all(a == s["worst"] for s, a in zip(searches, answers)):
        message, hint = "you returned the least similar candidate each time", "Take the largest similarity (argmax)."
    elif all(a == s["overlap"] for s, a in zip(searches, answers)):
        message, hint = ("your picks are the candidates that share the most words with the query",
                         "Shared words are not shared meaning: compare the sentences' vectors (embed, then cosine).")
    else:
        message, hint = (f"for {brief(search['query'])} you returned {brief(answer)}, which is not the closest",
                         "Embed the query and every candidate, normalise, and take the largest dot product.")
    expect(False, "closest in meaning", f"{len(missed)} of {len(searches)} searches missed: {message}", hint)
