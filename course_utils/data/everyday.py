"""Plain everyday English (home, food, weather, work, school, shopping, free time) and the course's mixed corpus.

`corpus(split, ...)` mixes these sentences with the course's other generated text and its reviews, so a
masked-language model learns ordinary English; the held-out split comes from other templates and other names.
"""

from __future__ import annotations

import random
import re

from . import split_rng

SLOTS = {
    "person": ["my mother", "my father", "my sister", "my brother", "our neighbour", "my best friend", "the teacher",
               "my grandmother", "my uncle", "the children", "my wife", "my husband", "our son", "our daughter"],
    "food": ["bread", "rice", "pasta", "soup", "eggs", "cheese", "apples", "bananas", "chicken", "fish", "salad",
             "potatoes", "tomatoes", "cake", "chocolate", "pizza", "sandwiches", "milk", "coffee", "tea"],
    "meal": ["breakfast", "lunch", "dinner"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "time": ["in the morning", "in the afternoon", "in the evening", "at night", "at noon", "after work",
             "before school", "at the weekend"],
    "room": ["kitchen", "bedroom", "living room", "bathroom", "garden", "garage", "office", "hall"],
    "thing": ["keys", "phone", "book", "umbrella", "bag", "glasses", "wallet", "coat", "shoes", "ticket", "laptop"],
    "place": ["the park", "the shop", "the station", "the library", "the beach", "the market", "school", "work",
              "the cinema", "the doctor", "the bank", "the gym", "church", "the post office"],
    "weather": ["sunny", "cold", "warm", "windy", "rainy", "cloudy", "hot", "foggy", "snowy"],
    "feeling": ["happy", "tired", "hungry", "sad", "angry", "excited", "bored", "nervous", "proud", "sleepy"],
    "activity": ["read a book", "watch a film", "go for a walk", "play football", "listen to music", "cook dinner",
                 "clean the house", "visit my friends", "ride my bike", "write a letter", "take a nap",
                 "learn a new language", "go swimming"],
    "vehicle": ["bus", "train", "car", "bike", "taxi", "plane"],
    "number": ["two", "three", "four", "five", "six", "ten", "twenty"],
    "colour": ["red", "blue", "green", "yellow", "black", "white", "brown", "grey"],
    "subject": ["maths", "history", "science", "music", "English", "art", "geography", "computer science"],
    "animal": ["dog", "cat", "bird", "horse", "rabbit", "cow", "sheep", "fish"],
}
TRAIN_TEMPLATES = [
    "I usually have {food} for {meal}.",
    "{person} went to {place} {time}.",
    "It was {weather} on {day}, so we stayed inside.",
    "Have you seen my {thing}? I left it in the {room}.",
    "After {meal}, I like to {activity}.",
    "We took the {vehicle} to {place}.",
    "{person} felt {feeling} after the long day.",
    "The weather is {weather} today.",
    "I bought {number} bags of {food} at the market.",
    "My favourite subject at school was {subject}.",
    "On {day} {time} I {activity}.",
    "{person} has a {colour} {animal}.",
    "Please put the {food} in the fridge.",
    "I was so {feeling} that I could not sleep.",
    "We need to buy more {food} for {meal}.",
    "Can you help me find my {thing}?",
    "It takes {number} minutes to walk to {place}.",
    "{person} is cooking {food} in the {room}.",
    "The {vehicle} was late again this morning.",
    "I want to {activity} this weekend.",
    "Don't forget your {thing} when you leave the house.",
    "The children are playing in the {room}.",
    "It is too {weather} to go to {place}.",
    "{person} teaches {subject} at a school in the city.",
    "I drink a cup of {food} every morning.",
    "We painted the {room} {colour} last summer.",
    "There is a {colour} {vehicle} parked outside the house.",
    "My {animal} sleeps in the {room} at night.",
    "Thank you very much for your help.",
    "What time does {place} open on {day}?",
    "This course will teach you how to {activity}.",
    "She is learning {subject} because she wants to become a teacher.",
    "The film was long, but I enjoyed it.",
    "Let's meet at {place} {time}.",
    "I am reading a book about {subject}.",
    "He lost his {thing} on the {vehicle}.",
    "We always eat {food} on {day}.",
    "I could not find my {thing} this morning.",
    "{person} says that {subject} is easy.",
    "They come home from {place} {time}.",
    "Where did you put the {food}?",
    "I think it will be {weather} tomorrow.",
    "Would you like some {food} with your {meal}?",
    "The {animal} is sitting in the {room}.",
    "We will {activity} together next week.",
    "How long does it take to get to {place} by {vehicle}?",
    "My {thing} is in the {room}, next to the window.",
    "{person} was very {feeling} about the news.",
    "There is a small {room} at the back of the house.",
    "I really love this place and the people here.",
    "The food was good and the staff were very friendly.",
    "What do you want to do after {meal}?",
]
HELDOUT_TEMPLATES = [
    "Every {day} we eat {food} for {meal}.",
    "I can't find my {thing} anywhere.",
    "{person} was {feeling} because it was {weather} all week.",
    "We walked to {place} {time} and bought some {food}.",
    "The {animal} is sleeping in the {room}.",
    "Next week I will {activity} with {person}.",
    "How long does the {vehicle} take to get to {place}?",
    "My teacher says {subject} is important.",
    "There are {number} {colour} chairs in the {room}.",
    "I left my {thing} at {place} yesterday.",
]


def everyday_sentences(split: str, count: int, seed: int) -> list[str]:
    """`count` sentences from the training or the held-out templates."""
    rng = split_rng("everyday", split, seed)
    templates = TRAIN_TEMPLATES if split == "train" else HELDOUT_TEMPLATES
    sentences = []
    for _ in range(count):
        text = re.sub(r"\{(\w+)\}", lambda m: rng.choice(SLOTS[m.group(1)]), rng.choice(templates))
        sentences.append(text[0].upper() + text[1:])
    return sentences


def corpus(split: str, count: int, seed: int) -> list[str]:
    """About `count` sentences or short paragraphs of mixed English, from every generator and the reviews."""
    from . import load_reviews
    from .entities import detokenize, tagged_sentences
    from .facts import qa_examples
    from .topics import topic_sentences

    rng = split_rng("corpus", split, seed)
    share = max(1, count // 5)
    rows = everyday_sentences(split, 2 * share, seed)
    rows += [r["text"] for r in topic_sentences(split, share, seed)]
    rows += [detokenize(r["words"]) for r in tagged_sentences(split, share // 2, seed)]
    rows += [r["context"] for r in qa_examples(split, share // 2, seed)]
    reviews = sorted(load_reviews(), key=lambda r: r["text"])
    random.Random(seed).shuffle(reviews)
    cut = len(reviews) * 4 // 5
    chosen = reviews[:cut] if split == "train" else reviews[cut:]
    rows += [r["text"] for r in chosen[: share // 2]]
    rng.shuffle(rows)
    return rows
