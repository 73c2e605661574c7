"""Short news-like reports and their one-sentence gist (who did what, where, when), for the summarization stand-in.

Each report hides its key facts among background, quotes, numbers and distracting details, in varied order and
phrasing. The held-out split uses names, towns, lead sentences and filler sentences the training split never has.
"""

from __future__ import annotations

import random

from . import made_up_names, split_rng

DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

TRAIN_FIRST = ["Anna", "Omar", "Lena", "Tom", "Maria", "David", "Sara", "Ivan", "Nora", "Ali", "Grace", "Peter",
               "Rosa", "Felix", "Hana", "Leo", "Julia", "Samuel", "Eva", "Marco", "Alice", "Ben", "Clara", "Hugo",
               "Irene", "Jonas", "Kate", "Luis", "Mina", "Noah", "Olga", "Paul", "Ruth", "Sven", "Tara", "Victor"]
TRAIN_LAST = ["Berg", "Haddad", "Novak", "Keller", "Silva", "Brown", "Kowalski", "Moreau", "Jensen", "Costa",
              "Fischer", "Okafor", "Lindqvist", "Petrov", "Tanaka", "Rossi", "Meyer", "Walsh", "Dubois", "Evans",
              "Garcia", "Hughes", "Ivanova", "Larsen", "Mendes", "Nielsen", "Ortega", "Price", "Quinn", "Reyes"]
HELDOUT_FIRST = ["Fatima", "George", "Yara", "Oscar", "Mei", "Daniel", "Zofia", "Elias", "Amara", "Henrik"]
HELDOUT_LAST = ["Schneider", "Nakamura", "Adeyemi", "Carter", "Horvat", "Lambert", "Yilmaz", "Sorensen"]
TRAIN_TOWNS = ["Tolmar", "Brixton", "Ardley", "Kestrel Bay", "Millford", "Redstone", "Ashby", "Norwick", "Elmsford",
               "Harwood", "Lakeside", "Dunmore", "Stonebridge", "Wexham", "Fairport", "Oakhill", "Penrith", "Greywater",
               "Bramley", "Corbridge", "Eastleigh", "Holloway", "Marlow", "Southgate", "Thornbury", "Westfield"]
HELDOUT_TOWNS = ["Ravenford", "Silverton", "Pinecrest", "Glenmoor", "Highcliff", "Brookhaven"]

# People are named; groups are not. (English singular noun phrase for the gist, role for the report.)
ROLES = ["the mayor of {town}", "a teacher from {town}", "the head of the {town} fire service",
         "a local engineer", "a doctor at the {town} hospital", "a retired farmer", "the director of the town museum",
         "a young scientist", "a bus driver from {town}", "the owner of a small bakery"]
GROUPS = [("Volunteers", "a group of local volunteers"), ("The city council", "the city council"),
          ("Students", "students from the technical college"), ("Firefighters", "a team of firefighters"),
          ("The football club", "the town's football club"), ("Engineers", "a team of engineers"),
          ("Scientists", "a group of scientists from the university"), ("Nurses", "nurses from the local clinic")]

# What happened: the verb in the past tense and the things it can happen to.
EVENTS = [
    ("opened", ["a new public library", "a new bridge over the river", "a children's hospital wing",
                "a community garden", "a new swimming pool", "a small museum of local history", "a night shelter"]),
    ("won", ["the national chess championship", "a regional baking contest", "the spring marathon",
             "an award for clean energy", "the national science prize", "the cup final"]),
    ("rescued", ["two hikers lost in the hills", "a family trapped by flood water", "a fisherman whose boat sank",
                 "a dog stuck on a cliff", "three climbers caught in a storm"]),
    ("announced", ["a plan to plant ten thousand trees", "free bus travel for students", "a new music festival",
                   "a ban on cars in the old town", "longer opening hours for the pool"]),
    ("discovered", ["the bones of a dinosaur", "a hoard of Roman coins", "a new species of frog",
                    "an old shipwreck near the coast", "a hidden cave with ancient paintings"]),
    ("closed", ["the main road after a landslide", "the old paper factory", "the central station for repairs",
                "the beach after a storm"]),
    ("launched", ["a small weather satellite", "a free reading app for children", "a campaign to clean the beaches",
                  "an electric ferry service"]),
    ("signed", ["a deal to build a wind farm", "an agreement with a sister city", "a contract for electric buses"]),
    ("broke", ["the national record for the long jump", "the world record for the largest pizza",
               "the record for the fastest mountain climb"]),
    ("hosted", ["a summit on clean water", "the first robot football tournament", "a festival of street food",
                "a conference on rare birds"]),
    ("repaired", ["the old clock tower", "the flooded railway line", "the roof of the town hall"]),
    ("raised", ["money for a new ambulance", "funds to save the old cinema", "money for the food bank"]),
    ("approved", ["a budget for new schools", "plans for a new stadium", "a law to protect the forest"]),
]

# Lead sentences: every way of stating the key facts. The last ones appear only in the held-out split.
LEADS = [
    "On {day}, {actor_long} {verb} {object} in {town}.",
    "{Actor_long} {verb} {object} in {town} on {day}.",
    "In {town} on {day}, {actor_long} {verb} {object}.",
    "{Actor_long} {verb} {object} on {day} in {town}, officials said.",
    "It was on {day} that {actor_long} {verb} {object} in {town}.",
    "{town} saw a busy {day} as {actor_long} {verb} {object}.",
    "Local news reported that {actor_long} {verb} {object} in {town} on {day}.",
    "{Actor_long} {verb} {object} in {town} on {day}, according to a statement.",
]
HELDOUT_LEADS = [
    "Residents of {town} watched on {day} as {actor_long} {verb} {object}.",
    "{Actor_long} {verb} {object} in {town} on {day}, the local radio said.",
]

FILLERS = [
    "The weather was mild for the time of year.",
    "Hundreds of people came to watch.",
    "The event had been planned for months.",
    "Several shops in the area stayed open late.",
    "Local schools were given the afternoon off.",
    "A similar event took place in {other_town} last year.",
    "Some residents said they had waited a long time for this.",
    "The work cost less than expected, officials added.",
    "\"This is a proud day for all of us,\" said one resident.",
    "Photos of the day were shared widely online.",
    "Traffic in the town centre was slow for most of the day.",
    "A reporter from {other_town} was among the crowd.",
    "The idea first came up at a public meeting two years ago.",
    "Organisers thanked everyone who helped.",
    "\"We could not have done it alone,\" {speaker} said.",
    "More details are expected next week.",
    "Earlier in the week, heavy rain had caused delays.",
    "About {number} people took part.",
    "Police said there were no problems.",
    "The town last made the news in {year}.",
]
HELDOUT_FILLERS = [
    "Children waved flags along the main street.",
    "A small band played music near the square.",
    "\"It went better than we hoped,\" {speaker} told reporters.",
    "The regional newspaper sent two photographers.",
]


def _actor(rng: random.Random, first: list[str], last: list[str], town: str, heldout: bool,
           made_up: float) -> tuple[str, str, str]:
    """(gist subject, report subject, how a quote is attributed)."""
    if rng.random() < 0.6:
        if rng.random() >= made_up:
            name = f"{rng.choice(first)} {rng.choice(last)}"
        else:
            name = f"{made_up_names.first_name(rng, heldout=heldout)} {made_up_names.surname(rng, heldout=heldout)}"
        role = rng.choice(ROLES).format(town=town)
        long = rng.choice([f"{name}, {role},", name, f"{role}, {name},"])
        return name, long, name.split()[-1]
    short, long = rng.choice(GROUPS)
    return short, long, "a spokesperson"


def report(rng: random.Random, *, heldout: bool = False, made_up: float = 0.5) -> dict:
    """One report and its gist; `made_up` is the share of people and towns with syllable-built names."""
    first, last = (HELDOUT_FIRST, HELDOUT_LAST) if heldout else (TRAIN_FIRST, TRAIN_LAST)
    towns = HELDOUT_TOWNS if heldout else TRAIN_TOWNS
    town = rng.choice(towns) if rng.random() >= made_up else made_up_names.place(rng, heldout=heldout)
    other_town = rng.choice([t for t in towns if t != town])
    day = rng.choice(DAYS)
    verb, objects = rng.choice(EVENTS)
    obj = rng.choice(objects)
    short, long, speaker = _actor(rng, first, last, town, heldout, made_up)
    lead_templates = HELDOUT_LEADS + LEADS[:3] if heldout else LEADS
    lead = rng.choice(lead_templates)
    lead = lead.replace("{actor_long}", long).replace("{Actor_long}", long[0].upper() + long[1:])
    lead = lead.format(day=day, verb=verb, object=obj, town=town)
    fillers = FILLERS + HELDOUT_FILLERS if heldout else FILLERS
    count = rng.randint(1, 3)
    extra = [f.format(other_town=other_town, speaker=speaker, number=rng.choice([40, 120, 300, 2000]),
                      year=rng.randint(1990, 2020)) for f in rng.sample(fillers, count)]
    sentences = list(extra)
    sentences.insert(rng.choice([0, 0, 0, 1, 1, 2]), lead)
    gist = f"{short} {verb} {obj} in {town} on {day}."
    return {"document": " ".join(sentences), "summary": gist}


def reports(split: str, count: int, seed: int, *, made_up: float = 0.5) -> list[dict]:
    """`count` {"document", "summary"} reports; held-out ones use other people, towns, leads and fillers."""
    rng = split_rng("reports", split, seed)
    return [report(rng, heldout=split == "heldout", made_up=made_up) for _ in range(count)]


def gist_parts(gist: str) -> dict:
    """Split a gist written in this module's format into who, what (verb and object), town and day."""
    head, day = gist.rstrip(".").rsplit(" on ", 1)
    head, town = head.rsplit(" in ", 1)
    for verb, _ in EVENTS:
        if f" {verb} " in head:
            who, what = head.split(f" {verb} ", 1)
            return {"who": who, "what": f"{verb} {what}", "town": town, "day": day}
    return {"who": "", "what": head, "town": town, "day": day}
