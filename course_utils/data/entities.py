"""Sentences with people, places, organisations and other names, tagged word by word with CoNLL labels.

Training and held-out sentences use different names and different sentence templates, so a held-out score
measures whether a model learned what a name looks like in context, not which names it was shown.
"""

from __future__ import annotations

import random
import re

from . import SPLITS, split_rng

TAGS = ("O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC")  # dslim/bert-base-NER's names

# Each pool is split in two: the first list feeds training, the second only the held-out sentences.
FIRST_NAMES = (
    ["Anna", "James", "Maria", "Mohammed", "Sophie", "Lukas", "Chen", "Priya", "Carlos", "Emma", "Olivia", "Noah",
     "Liam", "Ava", "Hiroshi", "Fatima", "Ivan", "Elena", "Pierre", "Giulia", "Ahmed", "Sara", "Daniel", "Laura",
     "Kwame", "Amara", "Mateo", "Lucia", "Oskar", "Freya", "Ravi", "Mei", "Thomas", "Hannah", "Jonas", "Clara",
     "Omar", "Leila", "Diego", "Isabel", "Yuki", "Kenji", "Nadia", "Samuel", "Rosa", "Felix", "Ingrid", "Tariq",
     "Grace", "Patrick", "Aisha", "Bruno", "Chloe", "David", "Eva", "Hugo", "Julia", "Karl", "Lena", "Marco"],
    ["Wei", "Siobhan", "Dmitri", "Beatriz", "Olumide", "Astrid", "Rahul", "Camille", "Matteo", "Zainab",
     "Henrik", "Ines", "Tomasz", "Keiko", "Emeka", "Sven", "Lucy", "Arjun", "Nora", "Pablo", "Greta", "Malik",
     "Yara", "Stefan", "Alice", "Victor", "Rania", "Erik", "Paula", "George"],
)
SURNAMES = (
    ["Smith", "Garcia", "Muller", "Rossi", "Kowalski", "Tanaka", "Nguyen", "Patel", "Okafor", "Johansson",
     "Dubois", "Silva", "Ivanova", "Kim", "Brown", "Schmidt", "Martin", "Lopez", "Novak", "Hansen", "Ali",
     "Costa", "Fischer", "Moreau", "Wilson", "Yamamoto", "Mensah", "Larsen", "Romano", "Khan", "Taylor", "Weber"],
    ["Fernandez", "Lindqvist", "Nakamura", "Adeyemi", "Horvat", "Bianchi", "Sato", "Kaur", "Petrov", "Evans",
     "Leclerc", "Santos", "Hoffmann", "Andersen", "Reyes", "Walsh"],
)
PLACES = (
    ["Paris", "London", "Tokyo", "Madrid", "Rome", "Lagos", "Cairo", "Toronto", "Sydney", "Mumbai", "Lisbon",
     "Vienna", "Prague", "Oslo", "Dublin", "Nairobi", "Lima", "Seoul", "Chicago", "Boston", "Glasgow", "Munich",
     "Hamburg", "Milan", "Naples", "Kyoto", "Osaka", "Delhi", "Bangkok", "Istanbul", "Athens", "Warsaw",
     "Brazil", "Canada", "Kenya", "Norway", "Japan", "Spain", "Italy", "Peru", "Egypt", "Mexico", "Sweden",
     "New York", "San Francisco", "Hong Kong", "Buenos Aires", "Cape Town", "New Zealand", "South Korea",
     "the Alps", "the Thames", "Lake Geneva", "the Sahara", "Texas", "Bavaria", "Scotland", "Ontario"],
    ["Berlin", "Zurich", "Manila", "Accra", "Helsinki", "Lyon", "Porto", "Krakow", "Montreal", "Seville",
     "Bogota", "Hanoi", "Dakar", "Edinburgh", "Valencia", "Quebec", "Chile", "Ghana", "Finland", "Portugal",
     "Vietnam", "Iceland", "Los Angeles", "Rio de Janeiro", "Tel Aviv", "the Danube", "the Andes", "Florida",
     "Tuscany", "Wales"],
)
ORGANISATIONS = (
    ["Google", "Microsoft", "Siemens", "Toyota", "the United Nations", "UNICEF", "Oxfam", "Nestle", "Airbus",
     "the BBC", "Reuters", "Harvard University", "Oxford University", "the World Bank", "Samsung", "IKEA",
     "Volkswagen", "the Red Cross", "Greenpeace", "NASA", "the European Union", "Nokia", "Spotify", "Amazon",
     "Real Madrid", "Manchester United", "Bayern Munich", "the New York Times", "Shell", "Unilever",
     "Acme Logistics", "Northwind Bank", "Bluebird Airlines", "Greenfield Foods", "Sunrise Media",
     "Apex Robotics", "the Central Library", "Riverside Hospital", "Hugging Face", "Mozilla"],
    ["Intel", "Philips", "Ericsson", "Lufthansa", "the Guardian", "Stanford University", "the Met Office",
     "Amnesty International", "Deutsche Bahn", "Ajax", "Juventus", "Novartis", "Orbit Telecom",
     "Harbor Insurance", "Maple Software", "Silverline Motors", "the Science Museum", "Nordic Energy",
     "Cambridge University", "the World Health Organization"],
)
MISC = (
    ["German", "French", "Japanese", "Italian", "Spanish", "Brazilian", "Canadian", "Kenyan", "English",
     "Chinese", "Arabic", "Olympics", "World Cup", "Christmas", "Ramadan", "Euro", "Swedish", "Dutch",
     "Mexican", "Indian", "Nobel Prize", "Tour de France", "Oscars", "Irish"],
    ["Polish", "Korean", "Greek", "Turkish", "Portuguese", "Norwegian", "Diwali", "Wimbledon", "Hindi",
     "Finnish", "Super Bowl", "Eurovision"],
)

# Slots: {PER} a full or first name, {FIRST} a first name, {LOC}, {ORG}, {MISC}.
TRAIN_TEMPLATES = [
    "My name is {FIRST} and I live in {LOC} .",
    "{PER} works for {ORG} in {LOC} .",
    "{PER} joined {ORG} last year .",
    "Yesterday {PER} flew from {LOC} to {LOC} .",
    "{ORG} opened a new office in {LOC} .",
    "The {MISC} team beat {LOC} in the final .",
    "{PER} speaks {MISC} and English .",
    "According to {ORG} , prices in {LOC} rose again .",
    "{FIRST} met {PER} at the {MISC} party .",
    "I think {PER} moved to {LOC} .",
    "{PER} , a spokesperson for {ORG} , said the plan was ready .",
    "We visited {LOC} during the {MISC} holidays .",
    "{ORG} hired {PER} as its new director .",
    "Have you ever been to {LOC} ?",
    "{FIRST} is studying at {ORG} .",
    "The report from {ORG} was published on Monday .",
    "{PER} was born in {LOC} in 1985 .",
    "Thanks to {FIRST} , the meeting in {LOC} went well .",
    "{PER} won a medal at the {MISC} .",
    "Tickets for the concert in {LOC} sold out quickly .",
    "She bought a {MISC} cookbook in {LOC} .",
    "{ORG} and {ORG} signed a deal on Friday .",
    "Hello , I am {FIRST} from {LOC} .",
    "{PER} called {FIRST} about the trip to {LOC} .",
    "The river runs through {LOC} before it reaches the sea .",
    "Our friend {FIRST} teaches {MISC} at a school in {LOC} .",
    "{ORG} said it would cut jobs in {LOC} .",
    "Nobody expected {PER} to leave {ORG} so soon .",
    "The weather in {LOC} was lovely all week .",
    "{FIRST} and {FIRST} went hiking near {LOC} .",
    "Shares in {ORG} fell after the news .",
    "{PER} wrote a book about {MISC} food .",
    "Please send the form to {PER} at {ORG} .",
    "My sister lives in {LOC} with her husband {FIRST} .",
    "The {MISC} ambassador arrived in {LOC} on Tuesday .",
    "It rained all day , so we stayed at home .",
    "{ORG} fans celebrated in the streets of {LOC} .",
    "{PER} is the captain of {ORG} .",
    "The new museum in {LOC} was designed by {PER} .",
    "I ordered a coffee and read the news .",
]
HELDOUT_TEMPLATES = [
    "Last summer {PER} travelled around {LOC} by train .",
    "{FIRST} told me that {ORG} is hiring in {LOC} .",
    "The mayor of {LOC} , {PER} , welcomed the {MISC} visitors .",
    "Are you coming to {FIRST} 's wedding in {LOC} ?",
    "{ORG} announced that {PER} will lead its team in {LOC} .",
    "Everyone in {LOC} watched the {MISC} on television .",
    "After the talk , {PER} thanked {ORG} for its support .",
    "I am {FIRST} and I come from {LOC} .",
    "The bakery on the corner closes at six .",
    "{PER} has worked at {ORG} for ten years .",
    "A storm hit {LOC} early on Sunday morning .",
    "{FIRST} learned {MISC} while living in {LOC} .",
]


def _pick(pool: list[str], rng: random.Random, slot: str, first_names: list[str], surnames: list[str]) -> str:
    if slot == "FIRST":
        return rng.choice(first_names)
    if slot == "PER":
        first = rng.choice(first_names)
        return first if rng.random() < 0.3 else f"{first} {rng.choice(surnames)}"
    return rng.choice(pool)


def _fill(template: str, rng: random.Random, part: int) -> list[tuple[str, str]]:
    pools = {"LOC": PLACES[part], "ORG": ORGANISATIONS[part], "MISC": MISC[part]}
    words: list[tuple[str, str]] = []
    for piece in template.split():
        slot = re.fullmatch(r"\{(\w+)\}", piece)
        if not slot:
            words.append((piece, "O"))
            continue
        name = slot.group(1)
        value = _pick(pools.get(name, []), rng, name, FIRST_NAMES[part], SURNAMES[part])
        kind = "PER" if name in ("PER", "FIRST") else name
        tokens = value.split()
        if tokens[0] == "the" and kind in ("ORG", "LOC"):
            words.append(("the", "O"))  # CoNLL leaves a leading article outside the entity
            tokens = tokens[1:]
        words += [(token, ("B-" if i == 0 else "I-") + kind) for i, token in enumerate(tokens)]
    return words


def tagged_sentences(split: str, count: int, seed: int) -> list[dict]:
    """`count` sentences as {"words": [...], "tags": [...]}; split is "train" or "heldout" (other names, templates)."""
    rng = split_rng("entities", split, seed)
    part = SPLITS.index(split)
    templates = TRAIN_TEMPLATES if part == 0 else HELDOUT_TEMPLATES
    rows = []
    for i in range(count):
        template = templates[i % len(templates)] if i < len(templates) else rng.choice(templates)
        words = _fill(template, rng, part)
        rows.append({"words": [w for w, _ in words], "tags": [t for _, t in words]})
    return rows


def detokenize(words: list[str]) -> str:
    """Words joined as a person would write them (no space before punctuation or 's)."""
    text = " ".join(words)
    return re.sub(r" (?=[.,?!]|'s\b)", "", text)
