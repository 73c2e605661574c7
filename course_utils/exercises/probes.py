"""Probe inputs for the checkers, drawn afresh on every run from the course's own data, so that no answer seen in
one check's feedback can be reused in the next.

A probe is clear when the model's first answer beats its second by a margin, so a correct answer never hinges on
rounding; when a model has few clear answers (the Hub test server's random models), `clearest` takes the clearest
found: a correct answer computes what the check computes, so it still passes. Traps are probes where a usual wrong
method gives another answer than the right one.
"""

from __future__ import annotations

import random

import numpy as np

from ..data import shapes

# Symbols and emoji outside most vocabularies, and accented or typographic characters that BERT's uncased
# vocabulary does know: a check can tell "unknown to the tokenizer" from "not plain ASCII".
SYMBOLS = list("⚽⛔✈☀☂⌛♻⚡❄☎✉✂⚓♞♪𝄞") + list("🐙🦊🍕🚲🎈🎼💻☕🌵🧀🪁🛶🦉🍩🧲🎻🪴")
KNOWN_ODD = ["café", "naïve", "½", "★", "©", "€5", "résumé", "déjà vu"]
MAX_DRAWS = 10  # a checker redraws its probes until they can tell answers apart, but never waits forever on a model


def fresh() -> random.Random:
    """A generator seeded by the operating system: each run of a check draws new probes."""
    return random.Random()


def _seed(rng: random.Random) -> int:
    return rng.randrange(2**31)


def reviews(rng: random.Random, count: int) -> list[str]:
    """Short reviews: shipped ones, alone or two joined into a new, sometimes mixed, opinion."""
    from ..data import load_reviews

    pool = [r["text"] for r in load_reviews()]
    chosen = []
    while len(chosen) < count:
        text = rng.choice(pool)
        if rng.random() < 0.5:
            text = f"{text.rstrip()} {rng.choice(pool)}"
        if text not in chosen:
            chosen.append(text)
    return chosen


def sentences(rng: random.Random, count: int) -> list[str]:
    """Plain sentences of varied length: everyday English, topic news, and reports with made-up names."""
    from ..data.everyday import everyday_sentences
    from ..data.news_reports import report
    from ..data.topics import topic_sentences

    seed = _seed(rng)
    pool = everyday_sentences("heldout", count, seed) + [r["text"] for r in topic_sentences("heldout", count, seed)]
    pool += [report(rng, heldout=True, made_up=0.8)["document"].split(". ")[0] + "." for _ in range(count)]
    return rng.sample(pool, count)


def with_symbols(rng: random.Random, sentence: str, symbols: int, *, glued=False, known=False) -> str:
    """`sentence` with `symbols` odd characters added, alone or glued to a word (the first one glued if `glued`),
    and, if `known` (or by chance), a word with characters the vocabulary knows."""
    words = sentence.split()
    for count in range(symbols):
        at = rng.randrange(len(words))
        symbol = rng.choice(SYMBOLS) * rng.choice([1, 1, 2])
        places = [f"{words[at]}{symbol}", f"{symbol}{words[at]}"]
        words[at] = rng.choice(places if glued and count == 0 else [f"{symbol} {words[at]}", *places])
    if known or rng.random() < 0.5:
        words.insert(rng.randrange(len(words) + 1), rng.choice(KNOWN_ODD))
    return " ".join(words)


def clearest(candidates, count: int, margin: float, differ=None):
    """`count` items from (margin, item) candidates: the clear ones (margin at least `margin`) in the order found,
    then the clearest of the rest; when `differ(item)` gives every chosen item the same value, the last one is
    swapped for the clearest candidate that differs, if there is one."""
    clear = [c for c in candidates if c[0] >= margin]
    rest = sorted((c for c in candidates if c[0] < margin), key=lambda c: -c[0])
    chosen = (clear + rest)[:count]
    if differ and chosen and len({differ(item) for _, item in chosen}) == 1:
        other = next((c for c in clear + rest
                      if all(c is not x for x in chosen) and differ(c[1]) != differ(chosen[0][1])), None)
        if other:
            chosen[-1] = other
    return [item for _, item in chosen]


def new_scenes(rng: random.Random, count: int):
    """`count` (picture, Scene) pairs of random colour and shape, from seeds no lesson uses."""
    from PIL import Image

    scenes = []
    for _ in range(count):
        colour, shape = rng.choice(list(shapes.COLOURS)), rng.choice(shapes.SHAPES)
        pixels, scene = shapes.render(colour, shape, np.random.default_rng(rng.randrange(10**9)))
        scenes.append((Image.fromarray(pixels), scene))
    return scenes


def caption_material(rng: random.Random, count: int, true_count: int = 4, false_count: int = 3):
    """New pictures, each with distinct true captions (phrasings of what it shows) and false ones, which change
    its colour, its shape or both."""
    material = []
    for image, scene in new_scenes(rng, count):
        words = np.random.default_rng(rng.randrange(10**9))
        true, false, used = [], [], {(scene.colour, scene.shape)}
        for _ in range(10 * true_count):
            text = shapes.caption(scene, words)
            true += [text] if text not in true and len(true) < true_count else []
        while len(false) < false_count:
            other = shapes.Scene(rng.choice([scene.colour, *shapes.COLOURS]), rng.choice([scene.shape, *shapes.SHAPES]),
                                 scene.size, scene.place, 0)
            if (other.colour, other.shape) not in used:
                used.add((other.colour, other.shape))
                false.append(shapes.caption(other, words))
        material.append((image, true, false))
    return material


def _trap(texts, right, wrong, margin, tolerance, rng):
    """Captions where the right method clearly prefers one and a usual wrong method clearly prefers another."""
    n = len(texts)
    for a in range(n):
        for b in range(n):
            gap = tolerance * max(1.0, abs(float(wrong[b])))
            if float(right[a] - right[b]) < margin or float(wrong[b] - wrong[a]) < gap:
                continue
            rest = [d for d in range(n) if d not in (a, b) and float(right[a] - right[d]) >= margin
                    and float(wrong[b] - wrong[d]) >= gap]
            return [texts[a], texts[b]] + [texts[d] for d in rng.sample(rest, min(2, len(rest)))]
    return None


def pick_probes(material, right, wrong, rng: random.Random, count: int, margin: float, tolerance: float):
    """Probes as (image, captions): one trap (when found) that a usual wrong method fails, the others one true
    caption with two or three false ones, the clearest first; the right method's choice is not always at the same
    position. `right` and `wrong` hold each picture's scores for its true + false captions. Also returns whether a
    trap was found."""
    trap, plain = None, []
    for (image, true, false), scores, others in zip(material, right, wrong):
        found = None if trap else _trap(true + false, scores, others, margin, tolerance, rng)
        if found:
            trap = (image, found, found[0])
            continue
        chosen = [0] + list(range(len(true), len(true) + rng.randint(2, len(false))))
        top = scores[chosen].topk(2)
        captions = [(true + false)[i] for i in chosen]
        plain.append((float(top.values[0] - top.values[1]), (image, captions, captions[int(top.indices[0])])))
    probes = ([trap] if trap else []) + clearest(plain, count - bool(trap), margin)
    for _, captions, _ in probes:
        rng.shuffle(captions)
    if len(probes) > 1 and len({captions.index(best) for _, captions, best in probes}) == 1:
        probes[0][1].append(probes[0][1].pop(0))
    rng.shuffle(probes)
    return [(image, captions) for image, captions, _ in probes], trap is not None
