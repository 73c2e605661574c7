"""Very short everyday-English stories written by a grammar, the corpus of the text-generation stand-in.

The course generates this text itself (it is part of the course, under the course's Apache-2.0 licence), so
nothing is downloaded. Held-out stories use names, and pairs of place and found object, that training never has.
"""

from __future__ import annotations

import random
import zlib

from . import split_rng

TRAIN_NAMES = [("Mia", "she"), ("Tom", "he"), ("Lily", "she"), ("Ben", "he"), ("Sara", "she"), ("Max", "he"),
               ("Emma", "she"), ("Sam", "he"), ("Anna", "she"), ("Leo", "he"), ("Zoe", "she"), ("Jack", "he"),
               ("Lucy", "she"), ("Finn", "he"), ("Ella", "she"), ("Noah", "he"), ("Ruby", "she"), ("Jake", "he"),
               ("Amy", "she"), ("Dan", "he"), ("Kate", "she"), ("Tim", "he"), ("Rosa", "she"), ("Omar", "he")]
HELDOUT_NAMES = [("Ivy", "she"), ("Owen", "he"), ("Nora", "she"), ("Eli", "he"), ("Maya", "she"), ("Hugo", "he")]
KINDS = ["little girl", "little boy", "young rabbit", "small bear", "curious cat", "friendly dog", "tiny mouse",
         "brave duck", "clever fox", "happy frog"]
HOMES = ["a small house near the forest", "a big house by the sea", "a flat above a bakery",
         "a cottage on a hill", "a farm with many animals", "a quiet street in the town", "a boat on the river"]
FRIENDS = ["dog", "cat", "best friend", "grandmother", "little brother", "big sister", "teddy bear", "father",
           "mother", "uncle"]
PLACES = ["the park", "the river", "the garden", "the beach", "the market", "the woods", "the school", "the farm",
          "the library", "the hill", "the lake", "the playground"]
FOUND = ["a shiny red stone", "a lost kitten", "an old blue box", "a golden key", "a big green leaf", "a tiny bird",
         "a funny hat", "a small wooden boat", "a map with a star on it", "a ball that could bounce very high",
         "a broken kite", "a yellow flower"]
ACTIVITIES = ["played with a ball", "looked at the clouds", "sang a happy song", "ate an apple",
              "counted the birds", "drew a picture", "read a book", "built a sand castle", "picked some flowers",
              "ran as fast as {pronoun} could"]
FEELINGS = ["happy", "surprised", "excited", "curious", "a little scared", "very proud", "sad"]
WEATHER = ["The sun was warm and bright.", "It was a cold and windy day.", "The sky was grey, but it did not rain.",
           "Snow covered the ground.", "A soft rain was falling.", "It was the first warm day of spring."]
ENDINGS = [
    "From that day on, {name} and {poss} {friend} went to {place} every week.",
    "That night, {name} went to bed with a big smile.",
    "{Pronoun} learned that it is good to share.",
    "{Name} said, \"This is the best day ever!\"",
    "They all laughed and went home for dinner.",
    "{Pronoun} kept it safe in a box under {poss} bed.",
    "Everyone agreed it was a wonderful day.",
    "{Name} learned to be brave, even when things are hard.",
]
DISCOVERIES = [
    "{Name} showed it to {poss} {friend}.",
    "\"Look what I found!\" said {name}.",
    "{Pronoun} picked it up and looked at it closely.",
    "{Pronoun} did not know what to do with it.",
    "{Poss_cap} {friend} said, \"Let us take it home.\"",
    "{Pronoun} wanted to tell everyone about it.",
]
PROBLEMS = [
    "Then the wind blew it away, and {name} had to run after it.",
    "But it was stuck under a heavy rock.",
    "Suddenly, it started to rain very hard.",
    "But {poss} {friend} was too tired to walk any further.",
    "Then {name} saw that it was getting dark.",
]
SOLUTIONS = [
    "{Name} asked {poss} {friend} for help, and together they did it.",
    "{Pronoun} thought for a moment and had a good idea.",
    "A kind old man stopped to help them.",
    "They waited under a tree until the sky was clear again.",
    "{Pronoun} tried again and again, and at last it worked.",
]


def _is_heldout_pair(place: str, found: str) -> bool:
    return zlib.crc32(f"{place}|{found}".encode()) % 5 == 0


def story(rng: random.Random, *, heldout: bool = False) -> str:
    name, pronoun = rng.choice(HELDOUT_NAMES if heldout else TRAIN_NAMES)
    while True:
        place, found = rng.choice(PLACES), rng.choice(FOUND)
        if _is_heldout_pair(place, found) == heldout:
            break
    poss = "her" if pronoun == "she" else "his"
    slots = dict(name=name, Name=name, pronoun=pronoun, Pronoun=pronoun.capitalize(), poss=poss,
                 Poss_cap=poss.capitalize(), friend=rng.choice(FRIENDS), place=place)
    opening = rng.choice([
        f"Once upon a time, there was a {rng.choice(KINDS)} named {name}.",
        f"{name} was a {rng.choice(KINDS)} who lived in {rng.choice(HOMES)}.",
        f"One day, {name} went to {place} with {poss} {slots['friend']}.",
        f"There was once a {rng.choice(KINDS)} called {name}.",
    ])
    lines = [opening]
    if rng.random() < 0.5 and "lived" not in opening:
        lines.append(f"{pronoun.capitalize()} lived in {rng.choice(HOMES)}.")
    if rng.random() < 0.5:
        lines.append(rng.choice(WEATHER))
    if not opening.startswith("One day"):
        lines.append(f"One day, {name} went to {place} with {poss} {slots['friend']}.")
    lines.append(f"They {rng.choice(ACTIVITIES).format(pronoun='they')} at {place}.")
    lines.append(f"Then {name} found {found}.")
    lines.append(f"{pronoun.capitalize()} felt {rng.choice(FEELINGS)}.")
    lines.append(rng.choice(DISCOVERIES))
    if rng.random() < 0.6:
        lines.append(rng.choice(PROBLEMS))
        lines.append(rng.choice(SOLUTIONS))
    lines.append(rng.choice(ENDINGS))
    return " ".join(line.format(**slots) for line in lines)


def stories(split: str, count: int, seed: int) -> list[str]:
    """`count` short stories; held-out ones use other names and other place-and-find pairs."""
    rng = split_rng("stories", split, seed)
    return [story(rng, heldout=split == "heldout") for _ in range(count)]
