"""Short made-up biographies and company notes, with questions whose answers are spans of the text.

Held-out contexts use other names, other jobs and hobbies, and other phrasings of both the facts and the
questions, so a reader model is scored on text it could not have memorised.
"""

from __future__ import annotations

import random

from .entities import FIRST_NAMES, ORGANISATIONS, PLACES, SURNAMES

JOBS = (
    ["nurse", "teacher", "software engineer", "baker", "journalist", "pilot", "architect", "lawyer", "farmer",
     "librarian", "dentist", "carpenter", "chef", "photographer", "electrician", "accountant", "pharmacist",
     "firefighter", "translator", "gardener"],
    ["surgeon", "plumber", "data analyst", "painter", "police officer", "mechanic", "tailor", "economist",
     "veterinarian", "bus driver"],
)
HOBBIES = (
    ["playing chess", "painting", "running", "cooking", "reading novels", "playing the guitar", "swimming",
     "gardening", "hiking", "knitting", "cycling", "baking bread", "bird watching", "playing tennis",
     "fishing", "singing in a choir", "yoga", "skiing"],
    ["rock climbing", "dancing", "sailing", "pottery", "playing the piano", "writing poetry", "surfing",
     "collecting stamps", "woodworking"],
)
PETS = (["dog", "cat", "parrot", "rabbit", "horse", "hamster"], ["tortoise", "goldfish", "pony"])
PET_NAMES = (["Biscuit", "Luna", "Max", "Pepper", "Rocky", "Daisy", "Oscar", "Milo", "Bella", "Shadow", "Coco"],
             ["Pickles", "Ziggy", "Mango", "Tofu", "Nutmeg", "Waffles"])
PRODUCTS = (["bicycles", "software", "chocolate", "furniture", "solar panels", "toys", "shoes", "coffee machines",
             "medicine", "video games", "cars", "books"],
            ["kites", "violins", "tea", "robots", "umbrellas", "watches"])

# fact -> (sentence templates, question templates): index 0 trains, index 1 is held out.
FACTS = {
    "birthplace": (
        (["{name} was born in {birthplace}.", "{first} grew up in {birthplace}, where {pronoun} was born."],
         ["{name} is a native of {birthplace}."]),
        (["Where was {name} born?", "What is {first}'s home town?", "Which city was {first} born in?",
          "What is the birthplace of {name}?"],
         ["In which place was {first} born?", "Where does {name} come from?"]),
    ),
    "year": (
        (["{first} was born in {year}.", "{name} was born in the year {year}."],
         ["{first} came into the world in {year}."]),
        (["When was {first} born?", "In what year was {name} born?", "What is {first}'s year of birth?"],
         ["What year was {first} born in?"]),
    ),
    "job": (
        (["{first} works as a {job}.", "By profession, {name} is a {job}."],
         ["{first} earns a living as a {job}."]),
        (["What does {first} do for a living?", "What is {name}'s job?", "What is {first}'s occupation?",
          "What work does {first} do?"],
         ["What is {first}'s profession?", "What kind of work does {name} do?"]),
    ),
    "employer": (
        (["{first} works for {employer}.", "{name} has a job at {employer}."],
         ["{first} is employed by {employer}."]),
        (["Who does {first} work for?", "Where does {name} work?", "Which company does {first} work for?",
          "What is the name of {first}'s employer?"],
         ["Which organisation employs {first}?", "Who employs {name}?"]),
    ),
    "hobby": (
        (["In {possessive} free time, {first} enjoys {hobby}.", "{name} loves {hobby}."],
         ["At weekends {first} spends hours {hobby}."]),
        (["What does {first} enjoy doing?", "What is {name}'s hobby?", "What does {first} like to do in free time?",
          "What is {first}'s favourite pastime?"],
         ["How does {first} like to spend free time?", "What does {name} do at weekends?"]),
    ),
    "pet": (
        (["{first} has a {animal} called {pet}.", "{name} owns a {animal} named {pet}."],
         ["{first} lives with a {animal} whose name is {pet}."]),
        (["What is the name of {first}'s {animal}?", "What is {name}'s {animal} called?",
          "What name does {first}'s {animal} have?"],
         ["What did {first} name the {animal}?", "What is {first}'s {animal}'s name?"]),
    ),
    "founded": (
        (["{company} was founded in {founded_year}.", "{company} opened its doors in {founded_year}."],
         ["{company} has been in business since {founded_year}."]),
        (["When was {company} founded?", "In what year was {company} founded?", "When did {company} open?",
          "In which year was {company} established?"],
         ["How long has {company} existed? Since which year?", "What year did {company} start?"]),
    ),
    "headquarters": (
        (["{company} is based in {hq}.", "The head office of {company} is in {hq}."],
         ["{company} has its headquarters in {hq}."]),
        (["Where is {company} based?", "Where is the head office of {company}?", "Where is {company} located?",
          "Which city is {company}'s head office in?"],
         ["In which city is {company} headquartered?", "Where are {company}'s headquarters?"]),
    ),
    "product": (
        (["{company} makes {product}.", "{company} is known for its {product}."],
         ["{company} manufactures {product}."]),
        (["What does {company} make?", "What is {company} known for?", "What does {company} sell?",
          "What kind of products does {company} make?"],
         ["What does {company} produce?", "Which products does {company} sell?"]),
    ),
    "founder": (
        (["{company} was started by {founder}.", "{founder} founded {company}."],
         ["{company} was set up by {founder}."]),
        (["Who founded {company}?", "Who started {company}?", "Who is the founder of {company}?",
          "Who created {company}?"],
         ["Who set up {company}?", "Which person created {company}?"]),
    ),
}
ANSWER_SLOT = {"birthplace": "birthplace", "year": "year", "job": "job", "employer": "employer", "hobby": "hobby",
               "pet": "pet", "founded": "founded_year", "headquarters": "hq", "product": "product",
               "founder": "founder"}
PERSON_FACTS = ("birthplace", "year", "job", "employer", "hobby", "pet")
COMPANY_FACTS = ("founded", "headquarters", "product", "founder")

# A first-person context, the shape of the question-answering example in the Hugging Face course.
FIRST_PERSON = (
    (["My name is {first} and I work at {employer} in {hq}.", "I am {first}, and I work at {employer} in {hq}."],
     ["Hi, I'm {first}; I have a job at {employer} in {hq}."]),
    ({"employer": ["Where do I work?", "Which company do I work for?"], "hq": ["In which city do I work?"],
      "first": ["What is my name?"]},
     {"employer": ["Who is my employer?"], "hq": ["What city is my job in?"], "first": ["Who am I?"]}),
)


def _values(rng: random.Random, part: int) -> dict:
    first = rng.choice(FIRST_NAMES[part])
    places = [p for p in PLACES[part] if not p.startswith("the ")]
    pronoun = rng.choice(["he", "she"])
    return {
        "first": first,
        "name": f"{first} {rng.choice(SURNAMES[part])}",
        "pronoun": pronoun,
        "possessive": "his" if pronoun == "he" else "her",
        "birthplace": rng.choice(places),
        "year": str(rng.randint(1950, 2005)),
        "job": rng.choice(JOBS[part]),
        "employer": rng.choice(ORGANISATIONS[part]),
        "hobby": rng.choice(HOBBIES[part]),
        "animal": rng.choice(PETS[part]),
        "pet": rng.choice(PET_NAMES[part]),
        "company": rng.choice(ORGANISATIONS[part]),
        "founded_year": str(rng.randint(1850, 2020)),
        "hq": rng.choice(places),
        "product": rng.choice(PRODUCTS[part]),
        "founder": f"{rng.choice(FIRST_NAMES[part])} {rng.choice(SURNAMES[part])}",
    }


def _capitalise(sentence: str) -> str:
    return sentence[0].upper() + sentence[1:]


def qa_examples(split: str, count: int, seed: int) -> list[dict]:
    """`count` {"context", "question", "answer", "answer_start"} rows; split is "train" or "heldout"."""
    if split not in ("train", "heldout"):
        raise ValueError(f"split must be 'train' or 'heldout', not {split!r}")
    part = 0 if split == "train" else 1
    rng = random.Random(f"facts-{split}-{seed}")
    rows = []
    while len(rows) < count:
        values = _values(rng, part)
        if rng.random() < 0.1:
            sentences, questions = FIRST_PERSON
            context = rng.choice(sentences[part]).format(**values)
            slot = rng.choice(list(questions[part]))
            question, answer = rng.choice(questions[part][slot]), values[slot]
        else:
            facts = rng.sample(PERSON_FACTS if rng.random() < 0.6 else COMPANY_FACTS, k=rng.randint(2, 3))
            parts, asked = [], facts[0]
            for fact in facts:
                parts.append(_capitalise(rng.choice(FACTS[fact][0][part]).format(**values)))
            rng.shuffle(parts)
            context = " ".join(parts)
            question = rng.choice(FACTS[asked][1][part]).format(**values)
            answer = values[ANSWER_SLOT[asked]]
        start = context.find(answer)
        if start < 0 or context.count(answer) > 1:
            continue  # an answer must be one unambiguous span of the context
        rows.append({"context": context, "question": question, "answer": answer, "answer_start": start})
    return rows
