"""Checks for lesson 01 (pipeline): labelling a batch, and finding the most similar sentence."""

import numpy as np

from ..checks import call_learner, exercise, expect, require_type

PROBE_REVIEWS = [
    "The soup was cold and the waiter ignored us all evening.",
    "A gentle, funny film that I would happily watch again.",
    "The update deleted my notes. Uninstalling.",
    "Setup took two minutes and everything just worked.",
]

PROBE_QUERY = "How do I reset my password?"
PROBE_CANDIDATES = [
    "The train to the coast leaves at noon.",
    "Steps to change the password on your account",
    "This pasta recipe needs fresh basil.",
    "Our office is closed on public holidays.",
]


@exercise("1.1", "label a batch with the pipeline")
def check_label_all(label_all, classifier):
    labels = call_learner(label_all, PROBE_REVIEWS, part="label_all(texts)")
    require_type(labels, (list, tuple), "label_all", "a list of label strings",
                 "Collect `result['label']` for each result the pipeline returns.")
    expect(len(labels) == len(PROBE_REVIEWS), "length",
           f"{len(labels)} labels for {len(PROBE_REVIEWS)} texts", "Return one label per input text, in order.")
    expect(all(isinstance(x, str) for x in labels), "items are strings",
           "some items are not strings (a whole result dict, perhaps?)", "Take the 'label' key of each result.")
    truth = [r["label"] for r in classifier(PROBE_REVIEWS)]
    expect(list(labels) == truth, "labels",
           f"for {len(PROBE_REVIEWS)} new reviews the pipeline says {truth}, your function said {list(labels)}",
           "Pass the whole list to the pipeline in one call; it returns one dict per text.")


def _embed(extractor, texts):
    vectors = [np.asarray(extractor(t)[0]).mean(axis=0) for t in texts]
    return np.stack([v / np.linalg.norm(v) for v in vectors])


@exercise("1.2", "find the most similar sentence")
def check_most_similar(most_similar, extractor):
    answer = call_learner(most_similar, PROBE_QUERY, PROBE_CANDIDATES, part="most_similar(query, candidates)")
    require_type(answer, str, "most_similar", "one of the candidate strings",
                 "Return candidates[best_index], not the index or the score.")
    expect(answer in PROBE_CANDIDATES, "a candidate", f"{answer!r} is not one of the candidates",
           "Return the sentence itself, unchanged.")
    vectors = _embed(extractor, [PROBE_QUERY, *PROBE_CANDIDATES])
    best = PROBE_CANDIDATES[int(np.argmax(vectors[1:] @ vectors[0]))]
    expect(answer == best, "most similar", f"the closest candidate by cosine similarity is {best!r}",
           "Mean-pool each sentence's token vectors, normalise them, and take the largest dot product.")
