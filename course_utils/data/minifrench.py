"""A French -> English mini-language: a few hundred words and a grammar that generates aligned sentence pairs.

Used to train and test the translation stand-in; the held-out split uses names, cities and verb-object pairs
that the training split never contains.
"""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass

from . import made_up_names, split_rng

# Persons: 0 je, 1 tu, 2 il/elle/a singular noun, 3 nous, 4 vous, 5 ils/elles/a plural noun.
PRONOUNS = [("je", "I", 0), ("tu", "you", 1), ("il", "he", 2), ("elle", "she", 2), ("nous", "we", 3),
            ("vous", "you", 4), ("ils", "they", 5), ("elles", "they", 5)]

TRAIN_NAMES = ["Marie", "Paul", "Sophie", "Lucas", "Camille", "Hugo", "Chloé", "Louis", "Manon", "Jules", "Léa",
               "Nathan", "Emma", "Théo", "Inès", "Arthur", "Julie", "Victor", "Alice", "Martin", "Claire", "Antoine",
               "Sarah", "Thomas", "Laura", "Simon", "Anna", "Pierre", "Zoé", "Marc", "Nina", "Olivier", "Elsa",
               "Romain", "Lucie", "Bruno", "Agathe", "Denis", "Margot", "Félix"]
HELDOUT_NAMES = ["Juliette", "Gabriel", "Océane", "Mathis", "Éloïse", "Raphaël", "Noémie", "Bastien", "Capucine",
                 "Gaspard"]
TRAIN_CITIES = ["Paris", "Lyon", "Lille", "Nantes", "Rennes", "Dijon", "Brest", "Nice", "Tours", "Metz", "Reims",
                "Rouen", "Caen", "Pau", "Nancy", "Amiens", "Limoges", "Angers"]
HELDOUT_CITIES = ["Toulouse", "Grenoble", "Avignon", "Bordeaux", "Marseille"]


@dataclass(frozen=True)
class Noun:
    fr: str
    gender: str  # "m" or "f"
    en: str
    fr_plural: str = ""
    en_plural: str = ""
    kinds: tuple = ()

    @property
    def plural_fr(self) -> str:
        return self.fr_plural or self.fr + "s"

    @property
    def plural_en(self) -> str:
        return self.en_plural or self.en + "s"


def _n(fr, gender, en, kinds, fr_plural="", en_plural=""):
    return Noun(fr, gender, en, fr_plural, en_plural, tuple(kinds.split()))


PEOPLE = [
    _n("chat", "m", "cat", "animal"), _n("chien", "m", "dog", "animal"),
    _n("oiseau", "m", "bird", "animal", "oiseaux"), _n("cheval", "m", "horse", "animal", "chevaux"),
    _n("vache", "f", "cow", "animal"), _n("souris", "f", "mouse", "animal", "souris", "mice"),
    _n("enfant", "m", "child", "person", en_plural="children"), _n("garçon", "m", "boy", "person"),
    _n("fille", "f", "girl", "person"), _n("femme", "f", "woman", "person", en_plural="women"),
    _n("homme", "m", "man", "person", en_plural="men"), _n("voisin", "m", "neighbour", "person"),
    _n("voisine", "f", "neighbour", "person"), _n("professeur", "m", "teacher", "person"),
    _n("médecin", "m", "doctor", "person"), _n("frère", "m", "brother", "person"),
    _n("sœur", "f", "sister", "person"), _n("père", "m", "father", "person"), _n("mère", "f", "mother", "person"),
    _n("ami", "m", "friend", "person"), _n("amie", "f", "friend", "person"), _n("étudiant", "m", "student", "person"),
    _n("boulanger", "m", "baker", "person"), _n("cuisinier", "m", "cook", "person"),
    _n("grand-mère", "f", "grandmother", "person", "grands-mères"), _n("oncle", "m", "uncle", "person"),
    _n("tante", "f", "aunt", "person"), _n("fermier", "m", "farmer", "person"),
]

THINGS = [
    _n("pomme", "f", "apple", "food"), _n("gâteau", "m", "cake", "food", "gâteaux"), _n("pain", "m", "bread", "food"),
    _n("fromage", "m", "cheese", "food"), _n("soupe", "f", "soup", "food"),
    _n("poisson", "m", "fish", "food", en_plural="fish"),
    _n("orange", "f", "orange", "food"), _n("tomate", "f", "tomato", "food", en_plural="tomatoes"),
    _n("salade", "f", "salad", "food"), _n("tarte", "f", "pie", "food"), _n("banane", "f", "banana", "food"),
    _n("carotte", "f", "carrot", "food"), _n("œuf", "m", "egg", "food"),
    _n("lait", "m", "milk", "drink"), _n("café", "m", "coffee", "drink"), _n("thé", "m", "tea", "drink"),
    _n("jus", "m", "juice", "drink", "jus"), _n("eau", "f", "water", "drink", "eaux"),
    _n("livre", "m", "book", "read open thing"), _n("lettre", "f", "letter", "read open write"),
    _n("journal", "m", "newspaper", "read", "journaux"), _n("carte", "f", "map", "read thing draw"),
    _n("histoire", "f", "story", "read write"), _n("message", "m", "message", "read write"),
    _n("poème", "m", "poem", "read write"),
    _n("chapeau", "m", "hat", "wear thing", "chapeaux"), _n("robe", "f", "dress", "wear thing", en_plural="dresses"),
    _n("chemise", "f", "shirt", "wear thing"), _n("manteau", "m", "coat", "wear thing", "manteaux"),
    _n("pull", "m", "jumper", "wear thing"), _n("écharpe", "f", "scarf", "wear thing", en_plural="scarves"),
    _n("chaussure", "f", "shoe", "wear thing"),
    _n("voiture", "f", "car", "thing wash draw"), _n("vélo", "m", "bike", "thing wash"),
    _n("maison", "f", "house", "thing draw"), _n("sac", "m", "bag", "thing open"),
    _n("clé", "f", "key", "thing"), _n("ballon", "m", "ball", "thing"), _n("tasse", "f", "cup", "thing wash"),
    _n("verre", "m", "glass", "thing wash", en_plural="glasses"), _n("table", "f", "table", "thing wash"),
    _n("chaise", "f", "chair", "thing"), _n("porte", "f", "door", "open thing"),
    _n("fenêtre", "f", "window", "open thing wash"), _n("boîte", "f", "box", "open thing", en_plural="boxes"),
    _n("fleur", "f", "flower", "thing draw"), _n("arbre", "m", "tree", "draw"),
    _n("photo", "f", "photo", "thing watch"), _n("film", "m", "film", "watch"),
    _n("téléphone", "m", "phone", "thing"), _n("ordinateur", "m", "computer", "thing"),
    _n("lampe", "f", "lamp", "thing"), _n("parapluie", "m", "umbrella", "thing"),
    _n("assiette", "f", "plate", "thing wash"), _n("montre", "f", "watch", "thing wear", en_plural="watches"),
    _n("cadeau", "m", "present", "thing open", "cadeaux"), _n("bus", "m", "bus", "wait", "bus", "buses"),
    _n("train", "m", "train", "wait"),
]

# Adjectives: French forms (m, f, m pl, f pl), English, whether French puts it before the noun.
ADJECTIVES = [
    (("rouge", "rouge", "rouges", "rouges"), "red", False),
    (("vert", "verte", "verts", "vertes"), "green", False),
    (("bleu", "bleue", "bleus", "bleues"), "blue", False),
    (("noir", "noire", "noirs", "noires"), "black", False),
    (("blanc", "blanche", "blancs", "blanches"), "white", False),
    (("jaune", "jaune", "jaunes", "jaunes"), "yellow", False),
    (("chaud", "chaude", "chauds", "chaudes"), "hot", False),
    (("froid", "froide", "froids", "froides"), "cold", False),
    (("délicieux", "délicieuse", "délicieux", "délicieuses"), "delicious", False),
    (("cher", "chère", "chers", "chères"), "expensive", False),
    (("lourd", "lourde", "lourds", "lourdes"), "heavy", False),
    (("propre", "propre", "propres", "propres"), "clean", False),
    (("rapide", "rapide", "rapides", "rapides"), "fast", False),
    (("intéressant", "intéressante", "intéressants", "intéressantes"), "interesting", False),
    (("petit", "petite", "petits", "petites"), "small", True),
    (("grand", "grande", "grands", "grandes"), "big", True),
    (("joli", "jolie", "jolis", "jolies"), "pretty", True),
    (("mauvais", "mauvaise", "mauvais", "mauvaises"), "bad", True),
]

# Determiners: (French m, French f, English) for the singular and the plural.
SINGULAR_DETERMINERS = [("le", "la", "the"), ("un", "une", "a"), ("mon", "ma", "my"), ("ton", "ta", "your"),
                        ("notre", "notre", "our"), ("votre", "votre", "your"), ("ce", "cette", "this"),
                        ("leur", "leur", "their")]
PLURAL_DETERMINERS = [("les", "les", "the"), ("des", "des", ""), ("mes", "mes", "my"), ("nos", "nos", "our"),
                      ("ces", "ces", "these"), ("leurs", "leurs", "their")]


@dataclass(frozen=True)
class Verb:
    forms: tuple  # six French present-tense forms, je .. ils
    en: str  # English base form
    en3: str  # English third person singular
    kinds: tuple  # object kinds it takes; empty: intransitive


def _er(stem, en, en3, kinds="", nous=""):
    forms = (stem + "e", stem + "es", stem + "e", nous or stem + "ons", stem + "ez", stem + "ent")
    return Verb(forms, en, en3, tuple(kinds.split()))


def _v(forms, en, en3, kinds=""):
    return Verb(tuple(forms.split()), en, en3, tuple(kinds.split()))


VERBS = [
    _er("mang", "eat", "eats", "food", nous="mangeons"),
    _v("bois bois boit buvons buvez boivent", "drink", "drinks", "drink"),
    _v("lis lis lit lisons lisez lisent", "read", "reads", "read"),
    _v("écris écris écrit écrivons écrivez écrivent", "write", "writes", "write"),
    _er("regard", "watch", "watches", "watch animal"),
    _er("aim", "like", "likes", "food drink read wear thing animal watch"),
    _v("achète achètes achète achetons achetez achètent", "buy", "buys", "food drink read wear thing"),
    _er("cherch", "look for", "looks for", "thing wear animal"),
    _er("trouv", "find", "finds", "thing wear read animal"),
    _er("port", "carry", "carries", "thing"), _er("prépar", "make", "makes", "food drink"),
    _er("lav", "wash", "washes", "wash wear"), _v("ouvre ouvres ouvre ouvrons ouvrez ouvrent", "open", "opens", "open"),
    _er("ferm", "close", "closes", "open"),
    _v("vois vois voit voyons voyez voient", "see", "sees", "thing animal draw"),
    _v("prends prends prend prenons prenez prennent", "take", "takes", "thing food drink wait"),
    _v("vends vends vend vendons vendez vendent", "sell", "sells", "food thing wear read"),
    _er("dessin", "draw", "draws", "draw animal"), _er("oubli", "forget", "forgets", "thing wear"),
    _v("attends attends attend attendons attendez attendent", "wait for", "waits for", "wait"),
    _er("cherch", "look for", "looks for", "food"),
]
INTRANSITIVE = [
    _v("dors dors dort dormons dormez dorment", "sleep", "sleeps"), _er("travaill", "work", "works"),
    _er("jou", "play", "plays"), _er("chant", "sing", "sings"), _er("dans", "dance", "dances"),
    _er("march", "walk", "walks"), _v("cours cours court courons courez courent", "run", "runs"),
    _er("arriv", "arrive", "arrives"), _er("mang", "eat", "eats", nous="mangeons"),
    _v("lis lis lit lisons lisez lisent", "read", "reads"),
]

PLACES = [("dans la cuisine", "in the kitchen"), ("dans le jardin", "in the garden"), ("au parc", "at the park"),
          ("à l'école", "at school"), ("à la maison", "at home"), ("au marché", "at the market"),
          ("à la gare", "at the station"), ("à la plage", "on the beach"), ("au bureau", "at the office"),
          ("dans la rue", "in the street"), ("à la bibliothèque", "at the library"), ("au café", "at the café"),
          ("dans le salon", "in the living room"), ("à la boulangerie", "at the bakery"),
          ("au restaurant", "at the restaurant"), ("à l'hôpital", "at the hospital"),
          ("à la montagne", "in the mountains"), ("à la campagne", "in the countryside"), ("en ville", "in town"),
          ("dans la chambre", "in the bedroom"), ("sur le pont", "on the bridge"),
          ("près de la rivière", "near the river")]
TIMES = [("aujourd'hui", "today"), ("ce matin", "this morning"), ("cet après-midi", "this afternoon"),
         ("ce soir", "this evening"), ("chaque jour", "every day"), ("le week-end", "at the weekend"),
         ("maintenant", "now"), ("le lundi", "on Mondays"), ("le mardi", "on Tuesdays"),
         ("le mercredi", "on Wednesdays"), ("le jeudi", "on Thursdays"), ("le vendredi", "on Fridays"),
         ("le samedi", "on Saturdays"), ("le dimanche", "on Sundays"), ("la nuit", "at night"),
         ("en été", "in summer"), ("en hiver", "in winter")]
ADVERBS = [("souvent", "often"), ("toujours", "always"), ("rarement", "rarely"), ("parfois", "sometimes")]

VOWELS = tuple("aeiouhéèêâîôœAEIOUHÉ")


def _elide(word: str, following: str) -> str:
    """French drops the vowel of le/la/je/ne/de before a vowel sound: l'arbre, j'aime, n'ouvre."""
    if following.startswith(VOWELS) and word in {"le", "la", "je", "ne"}:
        return word[0] + "'"
    if following.startswith(VOWELS) and word in {"ma", "ta"}:
        return {"ma": "mon", "ta": "ton"}[word]
    if following.startswith(VOWELS) and word == "ce":
        return "cet"
    return word


def _join(words: list[str]) -> str:
    text = ""
    for word in words:
        if not word:
            continue
        text += word if (not text or text.endswith("'")) else " " + word
    return text


def _article_en(word: str, determiner: str) -> str:
    if determiner == "a" and word[0] in "aeiou":
        return "an"
    return determiner


def noun_phrase(rng: random.Random, noun: Noun, *, plural: bool, adjective_ok: bool = True):
    """A French noun phrase and its English translation, with agreement, elision and adjective order."""
    fr_det_m, fr_det_f, en_det = rng.choice(PLURAL_DETERMINERS if plural else SINGULAR_DETERMINERS)
    fr_det = fr_det_f if noun.gender == "f" else fr_det_m
    fr_noun, en_noun = (noun.plural_fr, noun.plural_en) if plural else (noun.fr, noun.en)
    fr_words, en_words = [fr_noun], [en_noun]
    if adjective_ok and rng.random() < 0.45:
        forms, en_adj, before = rng.choice(ADJECTIVES)
        fr_adj = forms[(2 if plural else 0) + (1 if noun.gender == "f" else 0)]
        # "petit" and friends go before the noun, except where a vowel would call for a special form (bel, vieil).
        if before and not noun.fr.startswith(VOWELS):
            fr_words = [fr_adj, fr_noun]
        elif before:
            return noun_phrase(rng, noun, plural=plural, adjective_ok=False)
        else:
            fr_words = [fr_noun, fr_adj]
        en_words = [en_adj, en_noun]
    fr = _join([_elide(fr_det, fr_words[0]), *fr_words])
    en_det = _article_en(en_words[0], en_det)
    return fr, " ".join(w for w in [en_det, *en_words] if w)


def subject(rng: random.Random, names: list[str], heldout: bool, name_only: bool = False):
    """(French, English, person) for a pronoun, a name, two names, or a noun phrase."""
    pick = 0.4 if name_only else rng.random()
    if pick < 0.35:
        fr, en, person = rng.choice(PRONOUNS)
        return fr, en, person
    if pick < 0.55:
        name = rng.choice(names) if rng.random() < 0.5 else made_up_names.first_name(rng, heldout=heldout)
        return name, name, 2
    if pick < 0.62:
        first, second = rng.sample(names, 2)
        return f"{first} et {second}", f"{first} and {second}", 5
    plural = rng.random() < 0.35
    fr, en = noun_phrase(rng, rng.choice(PEOPLE), plural=plural)
    return fr, en, 5 if plural else 2


def _pair_key(verb: Verb, noun: Noun | None) -> str:
    return f"{verb.en}|{noun.en if noun else '-'}"


def is_heldout_pair(verb: Verb, noun: Noun | None) -> bool:
    """About one verb-object pair in six belongs to the held-out split only (stable across runs)."""
    return zlib.crc32(_pair_key(verb, noun).encode()) % 6 == 0


def _capitalise(text: str) -> str:
    return text[0].upper() + text[1:]


def sentence(rng: random.Random, *, heldout: bool = False) -> tuple[str, str]:
    """One (French, English) pair; held-out sentences use held-out names, cities and verb-object pairs."""
    names = HELDOUT_NAMES if heldout else TRAIN_NAMES
    cities = HELDOUT_CITIES if heldout else TRAIN_CITIES
    while True:
        transitive = rng.random() < 0.75
        verb = rng.choice(VERBS if transitive else INTRANSITIVE)
        noun = None
        if transitive:
            noun = rng.choice([n for n in THINGS + PEOPLE if set(n.kinds) & set(verb.kinds)])
        if not transitive or is_heldout_pair(verb, noun) == heldout:
            break
    # A held-out sentence without a held-out verb-object pair gets a held-out name, so it never repeats training.
    subj_fr, subj_en, person = subject(rng, names, heldout, name_only=heldout and not transitive)
    fr_verb = verb.forms[min(person, 5)]
    third = person == 2
    en_verb = verb.en3 if third else verb.en
    shape = rng.random()
    negative, question = shape < 0.2, 0.2 <= shape < 0.32
    adverb = None if (negative or question or rng.random() > 0.15) else rng.choice(ADVERBS)

    obj_fr = obj_en = ""
    if noun is not None:
        plural = rng.random() < 0.3 and noun.kinds[0] not in ("drink",)
        obj_fr, obj_en = noun_phrase(rng, noun, plural=plural)

    extras_fr, extras_en = [], []
    if rng.random() < 0.4:
        if rng.random() < 0.2:
            city = rng.choice(cities) if rng.random() < 0.5 else made_up_names.place(rng, heldout=heldout)
            place = (f"à {city}", f"in {city}")
        else:
            place = rng.choice(PLACES)
        extras_fr.append(place[0])
        extras_en.append(place[1])
    time = rng.choice(TIMES) if rng.random() < 0.4 else None
    time_first = time is not None and rng.random() < 0.5

    if negative:
        fr_core = _join([subj_fr, _elide("ne", fr_verb), fr_verb, "pas", obj_fr])
        en_core = " ".join(w for w in [subj_en, "does not" if third else "do not", verb.en, obj_en] if w)
    elif question:
        subj = _elide(subj_fr, fr_verb)
        fr_core = _join(["est-ce qu'" if subj.startswith(VOWELS) else "est-ce que", subj, fr_verb, obj_fr])
        en_core = " ".join(w for w in ["does" if third else "do", subj_en, verb.en, obj_en] if w)
    elif adverb:
        fr_core = _join([_elide(subj_fr, fr_verb), fr_verb, adverb[0], obj_fr])
        en_core = " ".join(w for w in [subj_en, adverb[1], en_verb, obj_en] if w)
    else:
        fr_core = _join([_elide(subj_fr, fr_verb), fr_verb, obj_fr])
        en_core = " ".join(w for w in [subj_en, en_verb, obj_en] if w)

    fr_tail = " ".join([*extras_fr, *([time[0]] if time and not time_first else [])])
    en_tail = " ".join([*extras_en, *([time[1]] if time and not time_first else [])])
    fr = _join([fr_core, fr_tail])
    en = " ".join(w for w in [en_core, en_tail] if w)
    if time_first:
        fr = f"{_capitalise(time[0])}, {fr}"
        en = f"{_capitalise(time[1])}, {en}"
    end_fr, end_en = (" ?", "?") if question else (".", ".")
    return _capitalise(fr) + end_fr, _capitalise(en) + end_en


def pairs(split: str, count: int, seed: int) -> list[tuple[str, str]]:
    """`count` distinct (French, English) pairs; held-out ones use verb-object pairs and names training never has."""
    rng = split_rng("minifrench", split, seed)
    seen, out = set(), []
    while len(out) < count:
        pair = sentence(rng, heldout=split == "heldout")
        if pair not in seen:
            seen.add(pair)
            out.append(pair)
    return out
