"""Everyday sentences about many topics, for training and testing a zero-shot (NLI) topic classifier.

Each topic builds sentences from a few subjects and predicates. Training uses the first topics and the first
two thirds of each list; held-out sentences use the rest, other framings, and topics training never sees.
"""

from __future__ import annotations

from . import split_rng

# topic -> (subjects, predicates); any subject fits any predicate of its topic.
TOPICS = {
    "sports": (["the striker", "our team", "the tennis player", "the coach", "the goalkeeper", "the young sprinter",
                "the home side", "the cyclist", "the captain"],
               ["scored twice in the final", "won the championship on Sunday", "lost the match on penalties",
                "broke the world record in the relay", "was sent off in the second half",
                "trained hard before the tournament", "signed a contract with a bigger club",
                "missed an easy goal in extra time", "reached the semi-final at the open", "ran a marathon in the rain",
                "celebrated the league title with the fans", "hurt a knee during the warm-up"]),
    "politics": (["the prime minister", "the opposition party", "parliament", "the senator", "the government",
                  "the president", "the minister of finance", "local councillors", "the new mayor"],
                 ["called an early election", "passed a law on taxes", "lost a vote of confidence",
                  "promised to cut taxes after the election", "formed a coalition with two smaller parties",
                  "gave a speech about the new constitution", "met voters in a town hall debate",
                  "resigned after the scandal", "campaigned for the referendum", "vetoed the bill",
                  "announced a reform of the voting system", "won a majority of the seats"]),
    "cooking": (["my grandmother", "the chef", "our neighbour", "my brother", "the cookbook", "the recipe",
                 "the baker", "the home cook"],
                ["fried the onions in butter", "baked a lemon cake for dessert", "simmered the soup for an hour",
                 "added a pinch of salt and pepper to the sauce", "roasted the vegetables in the oven",
                 "chopped garlic and fresh herbs", "kneaded the dough for ten minutes", "grilled fish for dinner",
                 "whisked eggs and sugar for a pancake batter", "stirred the risotto until it was creamy",
                 "served the pasta with a tomato sauce", "marinated the chicken overnight"]),
    "technology": (["the new phone", "the software update", "the laptop", "the start-up", "the app",
                    "the engineers", "the chip maker", "the website", "the smart watch"],
                   ["has a faster processor and a better camera", "fixed a bug that crashed the browser",
                    "released an update for its operating system", "uses artificial intelligence to sort photos",
                    "runs on a new battery that charges in minutes", "lets users store their files in the cloud",
                    "added encryption to its messaging service", "was hacked and leaked passwords",
                    "launched a cheaper tablet", "moved its servers to a new data centre",
                    "supports wireless charging", "sped up downloads with a new network protocol"]),
    "music": (["the band", "the singer", "the orchestra", "the guitarist", "the rapper", "the choir", "the pianist",
               "the jazz trio", "the composer"],
              ["released a new album", "played a sold-out concert", "topped the charts with a new single",
               "went on a world tour", "recorded a song in the studio", "performed a symphony by Beethoven",
               "won a prize for the best music video", "wrote the lyrics for a love song",
               "played the festival's main stage", "tuned the instruments before the show",
               "signed with a record label", "sang a duet on the radio"]),
    "weather": (["the forecast", "the storm", "heavy rain", "the heatwave", "a cold front", "thick fog",
                 "the snow", "strong winds", "the meteorologist"],
                ["brought flooding to the coast", "says it will be sunny and warm tomorrow",
                 "pushed temperatures above forty degrees", "closed the mountain roads overnight",
                 "warned of thunder and hail in the afternoon", "kept the airport closed until noon",
                 "left a layer of frost on the cars", "expects showers for most of the week",
                 "knocked down trees in the park", "made it the wettest month on record",
                 "brought clear skies after days of clouds", "predicted a mild and windy weekend"]),
    "health": (["the doctor", "a new study", "the patient", "the nurse", "the clinic", "regular exercise",
                "the health service", "the vaccine", "a balanced diet"],
               ["lowers the risk of heart disease", "recommends eight hours of sleep a night",
                "recovered well after surgery", "found that stress raises blood pressure",
                "offers free check-ups for older people", "helps to prevent the flu",
                "advised drinking more water and less coffee", "reduced hospital waiting times",
                "treated a fever with rest and fluids", "warned about the dangers of smoking",
                "improves mental health and mood", "tested a new treatment for diabetes"]),
    "travel": (["the tourists", "our flight", "the cruise", "my cousin", "the hotel", "the backpackers",
                "the tour guide", "the train to the coast", "the family"],
               ["booked a room with a view of the sea", "was delayed for three hours at the airport",
                "visited the old town and its museums", "packed a suitcase for a two-week holiday",
                "showed us the famous castle and the harbour", "stopped at five ports in ten days",
                "needed a visa to cross the border", "rented a car to drive along the coast",
                "stayed in a hostel near the station", "bought a map and a guidebook",
                "flew to an island for the summer holidays", "went sightseeing all afternoon"]),
    "business": (["the company", "the bank", "the shareholders", "the retailer", "the chief executive",
                  "the factory", "the investors", "the firm", "the supermarket chain"],
                 ["reported record profits this quarter", "announced a merger with a rival",
                  "cut prices to win more customers", "opened two hundred new stores",
                  "saw its shares fall after the results", "hired a new sales director",
                  "raised money to expand abroad", "signed a deal with a big supplier",
                  "laid off workers to save costs", "launched a marketing campaign",
                  "paid a bigger dividend to its owners", "increased its revenue by ten percent"]),
    "education": (["the school", "the students", "the teacher", "the university", "this course", "the pupils",
                   "the professor", "the online class", "the lecturer"],
                  ["teaches you how to write computer programs", "gave the class homework for Monday",
                   "passed their final exams", "offers a degree in engineering", "explains grammar with simple examples",
                   "handed out the reading list for the term", "graded the essays over the weekend",
                   "starts a new semester in September", "awarded scholarships to ten students",
                   "is about the Transformers library", "runs revision lessons before the tests",
                   "teaches maths and history"]),
    "science": (["the researchers", "the physicist", "the laboratory", "the biologists", "the chemist",
                 "the experiment", "the scientists", "the team of geologists", "the new paper"],
                ["discovered a new species of frog", "measured the speed of light with a laser",
                 "published results on gene editing", "observed how cells divide under a microscope",
                 "proved the theory with a careful experiment", "mixed two chemicals to make a new compound",
                 "studied fossils that are millions of years old", "tested the hypothesis in the lab",
                 "analysed rock samples from a volcano", "found evidence for the theory of evolution",
                 "recorded data from the particle accelerator", "explained how atoms bond"]),
    "movies": (["the film", "the director", "the actress", "the new thriller", "the cinema", "the sequel",
                "the animated film", "the actor", "the documentary"],
               ["won the award for best picture", "was filmed in a small village", "opens in cinemas on Friday",
                "earned millions at the box office in its first weekend", "got a standing ovation at the festival",
                "cast a famous actor in the lead role", "had a surprising twist at the end",
                "released a trailer for the next film", "was nominated for an Oscar",
                "showed the premiere on a giant screen", "needed better special effects",
                "signed up for a sequel"]),
    "animals": (["the lion", "the elephants", "our dog", "the dolphins", "the zoo", "the farmer's cows",
                 "the owl", "the wolves", "the kitten"],
                ["hunted at night in the savannah", "were born at the zoo last spring", "chased a squirrel up a tree",
                 "swam alongside the boat", "was fed fresh fish by the keepers", "grazed in the meadow all day",
                 "migrated south for the winter", "slept in the sun on the sofa",
                 "protected its cubs from danger", "howled at the moon", "learned to fetch a ball",
                 "built a nest in the old barn"]),
    "fashion": (["the designer", "the model", "the fashion house", "the new collection", "the boutique",
                 "the stylist", "her dress", "the runway show", "the shoe brand"],
                ["showed bright colours and wide trousers on the catwalk", "sold silk scarves and leather bags",
                 "made long coats fashionable again this winter", "was made of cotton and lace",
                 "opened fashion week in Paris", "dressed the celebrities for the gala",
                 "released a line of sneakers", "chose a vintage jacket and a hat",
                 "launched a range of sustainable clothing", "hemmed the skirt to the knee",
                 "set a trend for oversized sweaters", "paired jeans with a blazer"]),
    # Held-out topics: no training sentence and no training hypothesis uses these labels.
    "gardening": (["my neighbour", "the gardener", "my aunt", "the allotment club", "grandpa"],
                  ["planted tomatoes and beans in the vegetable patch", "pruned the roses and weeded the borders",
                   "watered the seedlings in the greenhouse", "spread compost on the flower beds",
                   "mowed the lawn and trimmed the hedge", "sowed carrot seeds in spring"]),
    "cars": (["the mechanic", "my new car", "the electric car", "the driver", "the garage"],
             ["changed the oil and the brake pads", "has a powerful engine and leather seats",
              "needs new tyres before winter", "drove on the motorway at night",
              "replaced the battery and the gearbox", "gets good mileage on a full tank"]),
    "space": (["the astronauts", "the rocket", "the telescope", "the space agency", "the probe"],
              ["launched a satellite into orbit", "photographed a distant galaxy",
               "landed on the surface of Mars", "docked with the space station",
               "studied the rings of Saturn", "flew past the moon"]),
    "history": (["the historian", "the museum", "the old manuscript", "the archaeologists", "the book"],
                ["describes the fall of the Roman Empire", "dug up coins from the Middle Ages",
                 "tells the story of the First World War", "explained how the ancient pyramids were built",
                 "showed letters written by a medieval king", "traced the history of the Vikings"]),
    "crime": (["the police", "the detective", "the thief", "the judge", "the suspect"],
              ["arrested two men after the robbery", "stole jewellery from the shop",
               "found fingerprints on the broken window", "sentenced the burglar to prison",
               "was charged with fraud", "investigated the murder"]),
    "games": (["the players", "my little brother", "the chess club", "the gamers", "the board game"],
              ["rolled the dice and moved three squares", "beat the final level of the video game",
               "played cards until midnight", "solved the puzzle in ten minutes",
               "checkmated the opponent in twenty moves", "built a castle in the online game"]),
    "family": (["my parents", "my sister", "grandma", "our children", "my uncle"],
               ["celebrated their wedding anniversary", "had a baby girl last month",
                "came over for Sunday lunch with the kids", "read bedtime stories to the twins",
                "moved in with the grandparents", "organised a family reunion"]),
    "shopping": (["the customers", "my mother", "the shoppers", "my friend", "the teenagers"],
                 ["bought groceries at the market", "waited in line at the checkout",
                  "found a bargain in the sales", "paid for the shoes by card",
                  "returned a jumper that did not fit", "filled the trolley with food for the week"]),
}
TRAIN_TOPICS = ["sports", "politics", "cooking", "technology", "music", "weather", "health", "travel", "business",
                "education", "science", "movies", "animals", "fashion"]
UNSEEN_TOPICS = ["gardening", "cars", "space", "history", "crime", "games", "family", "shopping"]

TRAIN_FRAMES = ["{s}.", "Yesterday {s}.", "I read that {s}.", "Apparently {s}.", "News update: {s}.",
                "Did you hear? {s}.", "Last week {s}."]
HELDOUT_FRAMES = ["{s}, or so they say.", "According to my friend, {s}.", "Guess what: {s}!", "This morning {s}."]
# The zero-shot pipeline's default template is "This example is {}."; the others teach the idea, not the words.
TRAIN_HYPOTHESES = ["This example is {}.", "This text is about {}.", "The topic is {}.", "This is about {}."]


def _split(items: list[str], part: int) -> list[str]:
    cut = max(1, round(len(items) * 2 / 3))
    return items[:cut] if part == 0 else items[cut:]


def topic_sentences(split: str, count: int, seed: int) -> list[dict]:
    """`count` {"text", "label"} rows; "heldout" mixes training topics (new wording) with topics never trained on."""
    rng = split_rng("topics", split, seed)
    rows = []
    for i in range(count):
        if split == "train":
            label, frames = TRAIN_TOPICS[i % len(TRAIN_TOPICS)], TRAIN_FRAMES
            subjects, predicates = (_split(items, 0) for items in TOPICS[label])
        else:
            label = (TRAIN_TOPICS + UNSEEN_TOPICS)[i % (len(TRAIN_TOPICS) + len(UNSEEN_TOPICS))]
            frames = HELDOUT_FRAMES
            subjects, predicates = TOPICS[label] if label in UNSEEN_TOPICS else (_split(x, 1) for x in TOPICS[label])
        clause = f"{rng.choice(subjects)} {rng.choice(predicates)}"
        text = rng.choice(frames).format(s=clause)
        rows.append({"text": text[0].upper() + text[1:], "label": label})
    return rows


def all_labels() -> list[str]:
    return TRAIN_TOPICS + UNSEEN_TOPICS
