"""Checks for lesson 06 (beyond pipelines): ranking answer spans, batch translation, repeatable generation."""

from ..checks import Wrong, call_learner, exercise, expect

PROBE_QA = [
    ("Where does Ines work?", "Ines Moreau was born in Porto. She works for a small bakery in Lyon and has a cat."),
    ("What is the name of Karl's dog?", "Karl Weber lives in Graz. Karl has a dog called Biscuit and a red bicycle."),
    ("What does Lena make?", "Lena Brandt works as a carpenter. Lena makes wooden toys and sells them at a market."),
]
PROBE_PROMPT = "One day, a small bear"
PROBE_FRENCH = ["Ma sœur lit un livre dans le jardin.", "Est-ce que vous aimez le fromage ?",
                "Le dimanche, les enfants ne mangent pas le gâteau.", "Paul achète une voiture rouge."]


def reference_spans(start_logits, end_logits, sequence_ids, k=3, max_answer_tokens=15):
    """The k best (start, end) pairs inside the context with start <= end and a bounded length, best first."""
    context = [i for i, part in enumerate(sequence_ids) if part == 1]
    pairs = [(float(start_logits[i]) + float(end_logits[j]), (i, j))
             for i in context for j in context if i <= j < i + max_answer_tokens]
    return [pair for _, pair in sorted(pairs, key=lambda item: -item[0])[:k]]


def _as_pairs(answer, part, k):
    try:
        pairs = [tuple(int(x) for x in pair) for pair in answer]
    except (TypeError, ValueError):
        raise Wrong(part, f"expected a list of (start, end) pairs of token positions, got {answer!r}",
                    "Return something like [(12, 14), (12, 13), (11, 14)].") from None
    if len(pairs) != k or any(len(pair) != 2 for pair in pairs):
        raise Wrong(part, f"expected {k} (start, end) pairs, got {pairs!r}", "Return exactly k pairs, best first.")
    return pairs


@exercise("6.1", "the k best answer spans")
def check_top_spans(top_spans, tokenizer, model):
    import torch

    # A made-up case where the largest start and end logits are in the question, or in the wrong order.
    sequence_ids = [None, 0, 0, 0, None, 1, 1, 1, 1, 1, None]
    start = torch.tensor([0.0, 9.0, 0.0, 0.0, 0.0, 1.0, 3.0, 0.0, 2.5, 0.0, 0.0])
    end = torch.tensor([0.0, 0.0, 9.0, 0.0, 0.0, 4.0, 0.0, 1.0, 0.5, 0.0, 0.0])
    part = "top_spans on a made-up case"
    trap = _as_pairs(call_learner(top_spans, start, end, sequence_ids, k=3, part=part), part, 3)
    truth = reference_spans(start, end, sequence_ids, k=3)
    expect(all(sequence_ids[i] == 1 and sequence_ids[j] == 1 for i, j in trap), "inside the context",
           f"on a made-up case your spans {trap} start or end outside the context",
           "Only consider positions whose sequence id is 1 (the context), never the question or special tokens.")
    expect(all(i <= j for i, j in trap), "start before end", f"some of your spans {trap} end before they start",
           "Score only pairs with start <= end.")
    expect(trap == truth, "best three, best first", f"on a made-up case the three best spans are {truth}, "
           f"yours are {trap}", "Rank all allowed pairs by start_logits[i] + end_logits[j], highest first.")

    wrong = []
    for question, context in PROBE_QA:
        inputs = tokenizer(question, context, return_tensors="pt")
        with torch.no_grad():
            output = model(**inputs)
        ids = inputs.sequence_ids(0)
        part = "top_spans on new questions"
        answer = _as_pairs(call_learner(top_spans, output.start_logits[0], output.end_logits[0], ids, k=2,
                                        part=part), part, 2)
        want = reference_spans(output.start_logits[0], output.end_logits[0], ids, k=2)
        if answer != want:
            def show(pairs):
                return [tokenizer.decode(inputs["input_ids"][0][i:j + 1]) for i, j in pairs]
            wrong.append(f"{question!r}: you chose {show(answer)}, the two best spans are {show(want)}")
    expect(not wrong, "new questions (k=2)", "; ".join(wrong),
           "Respect k and max_answer_tokens (end < start + max_answer_tokens).")


@exercise("6.3", "generation you can repeat")
def check_deterministic(settings, tokenizer, model):
    import torch

    if not isinstance(settings, dict):
        raise Wrong("a dict", f"settings is a {type(settings).__name__}, expected a dict of generate() arguments",
                    "Write it like dict(max_new_tokens=..., ...).")
    inputs = tokenizer(PROBE_PROMPT, return_tensors="pt")
    texts = []
    for seed in (1, 2, 3):
        torch.manual_seed(seed)
        try:
            out = model.generate(**inputs, **settings)
        except Exception as exc:
            raise Wrong("valid arguments", f"generate(**settings) raised {type(exc).__name__}: {exc}",
                        "Use argument names that generate() knows, such as do_sample and max_new_tokens.") from None
        new = out[0, inputs["input_ids"].shape[1]:]
        texts.append(tokenizer.decode(new, skip_special_tokens=True))
    expect(len(new) <= 12, "at most 12 new tokens", f"the continuation has {len(new)} new tokens",
           "Set max_new_tokens.")
    expect(len(set(texts)) == 1, "same text whatever the seed",
           f"with seeds 1, 2 and 3 the continuations differ: {texts}",
           "Sampling draws random numbers; greedy decoding (do_sample=False) does not.")
    expect(len(texts[0].split()) >= 2, "says something", f"the continuation is only {texts[0]!r}",
           "Ask for a handful of new tokens, not zero or one.")


@exercise("6.2", "translate a batch with beam search")
def check_translate(translate, tokenizer, model):
    import torch

    answer = call_learner(translate, list(PROBE_FRENCH), part="translate(sentences)")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(PROBE_FRENCH):
        raise Wrong("one text per sentence", f"expected a list of {len(PROBE_FRENCH)} strings, got {answer!r}",
                    "Decode every row of generate()'s output with "
                    "tokenizer.batch_decode(..., skip_special_tokens=True).")
    if not all(isinstance(a, str) for a in answer):
        raise Wrong("strings", f"some items are not strings: {answer!r}",
                    "Use batch_decode to turn token ids into text.")
    expect(not any("</s>" in a or "<pad>" in a for a in answer), "no special tokens",
           f"special tokens are left in {answer}", "Pass skip_special_tokens=True when decoding.")
    with torch.no_grad():
        batch = tokenizer(PROBE_FRENCH, padding=True, return_tensors="pt")
        batched = tokenizer.batch_decode(model.generate(**batch, num_beams=4), skip_special_tokens=True)
        one_by_one = [tokenizer.decode(model.generate(**tokenizer(s, return_tensors="pt"), num_beams=4)[0],
                                       skip_special_tokens=True) for s in PROBE_FRENCH]
    cleaned = [a.strip() for a in answer]
    expect(cleaned in ([b.strip() for b in batched], [o.strip() for o in one_by_one]), "beam search translations",
           f"with num_beams=4 the model writes {batched}; your function returned {cleaned}",
           "Call model.generate(**batch, num_beams=4) on the padded batch, then batch_decode.")
