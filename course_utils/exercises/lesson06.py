"""Checks for lesson 06 (beyond pipelines): ranking answer spans, batch translation, repeatable generation.

Every check draws new probes each run (made-up logits, held-out questions, sentences and prompts from the course's
generators), and its messages describe the mistake without printing the answers for those probes.
"""

import copy
import random

from ..checks import Wrong, brief, call_learner, calls_to, exercise, expect
from ..data import facts, minifrench, stories
from .probes import fresh

SCORE_TOLERANCE = 1e-4


def ranked_spans(start_logits, end_logits, sequence_ids, k, max_answer_tokens, *, context_only=True,
                 ordered=True):
    """The k best (score, (start, end)) pairs, best first; the flags switch rules off to imitate mistakes."""
    n = len(sequence_ids)
    starts = [float(x) for x in start_logits[:n]]
    ends = [float(x) for x in end_logits[:n]]
    allowed = [i for i, part in enumerate(sequence_ids) if part == 1 or not context_only]
    pairs = [(starts[i] + ends[j], (i, j)) for i in allowed for j in allowed
             if (i <= j or not ordered) and j - i < max_answer_tokens]
    return sorted(pairs, key=lambda item: -item[0])[:k]


def _made_up_case(rng: random.Random):
    """Logits whose best-looking pairs break a rule: in the question, end before start, one token too long."""
    limit = rng.randint(3, 5)
    question = rng.randint(3, 5)
    sequence_ids = [None] + [0] * question + [None] + [1] * rng.randint(2 * limit + 6, 2 * limit + 10) + [None]
    context = [i for i, part in enumerate(sequence_ids) if part == 1]
    start = [rng.uniform(-3.0, 0.0) for _ in sequence_ids]
    end = [rng.uniform(-3.0, 0.0) for _ in sequence_ids]
    asked = range(1, question + 1)
    start[rng.choice(asked)], end[rng.choice(asked)] = 9 + rng.random(), 9 + rng.random()
    start[0], end[0] = 8 + rng.random(), 8 + rng.random()
    first, second = rng.sample(context[: -limit - 1], 2)
    start[first], end[first + limit] = 5 + rng.random(), 5 + rng.random()  # one token longer than allowed
    start[second], end[second + limit - 1] = 4 + rng.random(), 4 + rng.random()  # exactly as long as allowed
    late = rng.choice(context[len(context) // 2:])
    start[late], end[rng.choice(context[:len(context) // 2])] = 6 + rng.random(), 6 + rng.random()
    return start, end, sequence_ids, limit


def _traps_caught(start, end, sequence_ids, k, limit) -> bool:
    """Whether each usual mistake gives another answer than the rules on this case."""
    truth = ranked_spans(start, end, sequence_ids, k, limit)
    mistakes = [dict(context_only=False), dict(ordered=False), dict(max_answer_tokens=limit + 1),
                dict(max_answer_tokens=limit - 1), dict(max_answer_tokens=15)]
    for mistake in mistakes:
        settings = {"max_answer_tokens": limit, **mistake}
        if ranked_spans(start, end, sequence_ids, k, **settings) == truth:
            return False
    return True


def _as_pairs(answer, part):
    try:
        pairs = [tuple(int(x) for x in pair) for pair in answer]
    except (TypeError, ValueError):
        raise Wrong(part, f"expected a list of (start, end) pairs of token positions, got {type(answer).__name__}",
                    "Return something like [(12, 14), (12, 13), (11, 14)]: token positions, not text.") from None
    if any(len(pair) != 2 for pair in pairs):
        raise Wrong(part, "some items are not (start, end) pairs", "Each item is a tuple of two positions.")
    return pairs


def _span_problem(pairs, start, end, sequence_ids, k, limit):
    """What breaks the rules in `pairs`, as (message, hint); None when they are the k best allowed spans."""
    n = len(sequence_ids)
    if len(pairs) != k:
        return f"k={k} asked, you returned {len(pairs)} spans", "Return exactly k pairs (use the k argument)."
    if any(not (0 <= p < n) for pair in pairs for p in pair):
        return "some positions are outside the sequence", "Positions index the tokens: 0 to len(sequence_ids) - 1."
    if any(sequence_ids[i] != 1 or sequence_ids[j] != 1 for i, j in pairs):
        return ("a span starts or ends outside the context (in the question or on a special token)",
                "Only positions whose sequence id is 1 belong to the context.")
    if any(j < i for i, j in pairs):
        return "a span ends before it starts", "Keep only pairs with start <= end."
    if any(j - i + 1 > limit for i, j in pairs):
        return (f"a span is longer than max_answer_tokens={limit} tokens",
                "Keep end < start + max_answer_tokens, with the max_answer_tokens you were given.")
    if len(set(pairs)) != len(pairs):
        return "the same span appears twice", "Each (start, end) pair once."
    truth = [score for score, _ in ranked_spans(start, end, sequence_ids, k, limit)]
    mine = [float(start[i]) + float(end[j]) for i, j in pairs]
    if all(abs(a - b) <= SCORE_TOLERANCE for a, b in zip(sorted(mine, reverse=True), truth)):
        if all(abs(a - b) <= SCORE_TOLERANCE for a, b in zip(mine, truth)):
            return None
        return "these are the k best spans, but not best first", "Sort by score, highest first."
    hint = "Score every allowed pair with start_logits[i] + end_logits[j] and keep the k highest."
    if all(j - i + 1 < limit for i, j in pairs) and any(j - i + 1 == limit for _, (i, j) in
                                                         ranked_spans(start, end, sequence_ids, k, limit)):
        hint = f"A span of exactly max_answer_tokens={limit} tokens is allowed too. " + hint
    return "an allowed span that scores higher than one of yours is missing", hint


@exercise("6.1", "the k best answer spans")
def check_top_spans(top_spans, tokenizer, model):
    import torch

    rng = fresh()
    while True:
        start, end, sequence_ids, limit = _made_up_case(rng)
        k = rng.choice([2, 4, 5])
        if _traps_caught(start, end, sequence_ids, k, limit):
            break
    part = "a made-up case with traps"
    start, end = torch.tensor(start), torch.tensor(end)
    answer = call_learner(top_spans, start.clone(), end.clone(), list(sequence_ids), k=k,
                          max_answer_tokens=limit, part=f"top_spans on {part}")
    problem = _span_problem(_as_pairs(answer, part), start, end, sequence_ids, k, limit)
    if problem:
        raise Wrong(part, f"(k={k}, max_answer_tokens={limit}) {problem[0]}", problem[1])
    expect(True, part)

    for row in facts.qa_examples("heldout", 2, seed=rng.randrange(10**9)):
        inputs = tokenizer(row["question"], row["context"], return_tensors="pt")
        with torch.no_grad():
            output = model(**inputs)
        ids, k, limit = inputs.sequence_ids(0), rng.choice([1, 2, 4]), rng.choice([6, 10, 15])
        part = f"the question {row['question']!r}"
        answer = call_learner(top_spans, output.start_logits[0], output.end_logits[0], ids, k=k,
                              max_answer_tokens=limit, part=f"top_spans on {part}")
        problem = _span_problem(_as_pairs(answer, part), output.start_logits[0], output.end_logits[0], ids, k, limit)
        message, hint = problem or ("", "")
        expect(problem is None, part, f"(k={k}, max_answer_tokens={limit}) {message}", hint)


def _probe_french(tokenizer, model, rng: random.Random, count: int = 4):
    """Held-out sentences, with as many as possible where beam search and greedy decoding write different text."""
    import torch

    candidates = [fr for fr, _ in minifrench.pairs("heldout", 2 * count, rng.randrange(10**9))]
    with torch.no_grad():
        batch = tokenizer(candidates, padding=True, return_tensors="pt")
        beam = tokenizer.batch_decode(model.generate(**batch, num_beams=4), skip_special_tokens=True)
        greedy = tokenizer.batch_decode(model.generate(**batch, num_beams=1, do_sample=False),
                                        skip_special_tokens=True)
    differ = [fr for fr, b, g in zip(candidates, beam, greedy) if b != g]
    chosen = differ[:2] + [fr for fr in candidates if fr not in differ[:2]][: count - len(differ[:2])]
    rng.shuffle(chosen)
    return chosen


def _beams(kwargs, model) -> tuple[int, bool]:
    """The number of beams and whether it sampled, in the keyword arguments of one generate() call."""
    config = kwargs.get("generation_config") or model.generation_config
    return kwargs.get("num_beams", config.num_beams) or 1, bool(kwargs.get("do_sample", config.do_sample))


def _generate_calls_problem(calls, sentences, model):
    if not calls:
        return "your function never called model.generate()", "Translate with the lesson's mt_model.generate()."
    if len(calls) > 1:
        return (f"it called generate() {len(calls)} times for {len(sentences)} sentences",
                "Tokenize the whole list with padding=True and call generate() once on the batch.")
    beams, sampled = _beams(calls[0], model)
    if sampled:
        return "it sampled (do_sample=True)", "Beam search is not random: leave do_sample off and set num_beams=4."
    if beams != 4:
        how = "greedy decoding (one beam)" if beams == 1 else f"num_beams={beams}"
        return f"it used {how}", "Pass num_beams=4 to generate()."
    return None


def _token_limit(calls, model):
    """The fewest new tokens any generate() call (given by its keyword arguments) allowed, or None without limits."""
    limits = []
    for kwargs in calls:
        config = kwargs.get("generation_config") or model.generation_config
        if "max_length" in kwargs and "max_new_tokens" not in kwargs:
            limits.append(kwargs["max_length"] - 1)
        else:
            limits.append(kwargs.get("max_new_tokens", config.max_new_tokens))
    return min((limit for limit in limits if limit is not None), default=None)


def _compare_translations(sentences, answer, tokenizer, model, limit):
    """Stop at the first sentence whose translation is not beam search's (batched, or alone when padding moved it)."""
    import torch

    with torch.no_grad():
        ids = model.generate(**tokenizer(sentences, padding=True, return_tensors="pt"), num_beams=4)
    for french, mine, row in zip(sentences, answer, ids):
        want = tokenizer.decode(row, skip_special_tokens=True)
        if mine.strip() != want.strip():
            with torch.no_grad():
                want = tokenizer.decode(model.generate(**tokenizer(french, return_tensors="pt"), num_beams=4)[0],
                                        skip_special_tokens=True)
        if mine.strip() == want.strip():
            continue
        needed = int((row[1:] != tokenizer.pad_token_id).sum())
        if limit is not None and limit < needed:
            raise Wrong("beam search translations", f"for {french!r} your translation stops early",
                        f"Your max_new_tokens={limit} cuts some translations short; leave it at the model's default.")
        raise Wrong("beam search translations",
                    f"for {french!r} you returned {brief(mine)}, which is not what the model writes with "
                    "4 beams",
                    "Pass the whole padded batch to generate (**batch, so the attention mask comes too) with "
                    "num_beams=4, keep the sentences in their order, then batch_decode.")


@exercise("6.2", "translate a batch with beam search")
def check_translate(translate, tokenizer, model):
    sentences = _probe_french(tokenizer, model, fresh())
    with calls_to(type(model), "generate") as recorded:
        answer = call_learner(translate, list(sentences), part="translate(sentences)")
    if not isinstance(answer, (list, tuple)) or len(answer) != len(sentences):
        got = f"{len(answer)} items" if isinstance(answer, (list, tuple)) else type(answer).__name__
        raise Wrong("one text per sentence", f"expected a list of {len(sentences)} strings, got {got}",
                    "Decode every row of generate()'s output with "
                    "tokenizer.batch_decode(..., skip_special_tokens=True).")
    if not all(isinstance(a, str) for a in answer):
        raise Wrong("strings", "some items are not strings", "Use batch_decode to turn token ids into text.")
    calls = [kwargs for args, kwargs in recorded if args and args[0] is model]
    message, hint = _generate_calls_problem(calls, sentences, model) or ("", "")
    expect(not message, "one generate() call with num_beams=4", message, hint)
    if any("</s>" in a or "<pad>" in a for a in answer):
        raise Wrong("no special tokens", "special tokens such as </s> or <pad> are left in the text",
                    "Pass skip_special_tokens=True when decoding.")
    _compare_translations(sentences, answer, tokenizer, model, _token_limit(calls, model))
    expect(True, "beam search translations")


def _probe_prompt(rng: random.Random) -> str:
    words = stories.stories("heldout", 1, rng.randrange(10**9))[0].split()
    return " ".join(words[: rng.randint(4, 9)])


def _continuations(settings, tokenizer, model, prompt, seeds):
    """The new text generate(**settings) writes after `prompt` with each seed, and the most new tokens it wrote."""
    import torch

    inputs = tokenizer(prompt, return_tensors="pt")
    texts, lengths = [], []
    for seed in seeds:
        torch.manual_seed(seed)
        try:
            out = model.generate(**inputs, **settings)
        except Exception as exc:
            raise Wrong("valid arguments", f"generate(**settings) raised {type(exc).__name__}: {exc}",
                        "Use argument names that generate() knows, such as do_sample and max_new_tokens.") from None
        new = out[0, inputs["input_ids"].shape[1]:]
        texts.append(tokenizer.decode(new, skip_special_tokens=True))
        lengths.append(len(new))
    return texts, max(lengths)


def _without_end(settings, model):
    """The settings with the end-of-text token suppressed, so only a length limit can stop the text."""
    ends = model.generation_config.eos_token_id
    ends = [ends] if isinstance(ends, int) else list(ends or [])
    return {**settings, "suppress_tokens": [*settings.get("suppress_tokens", []), *ends]}


@exercise("6.3", "generation you can repeat")
def check_deterministic(settings, tokenizer, model):
    if not isinstance(settings, dict):
        raise Wrong("a dict", f"settings is a {type(settings).__name__}, expected a dict of generate() arguments",
                    "Write it like dict(max_new_tokens=..., ...).")
    rng = fresh()
    prompt, seeds = _probe_prompt(rng), rng.sample(range(10**6), 4)
    texts, _ = _continuations(settings, tokenizer, model, prompt, seeds)
    _, longest = _continuations(_without_end(settings, model), tokenizer, model, prompt, seeds[:1])
    expect(longest <= 12, "at most 12 new tokens", f"a text that does not end by itself gets {longest} new tokens",
           "Set max_new_tokens.")
    expect(len(set(texts)) == 1, "same text whatever the seed",
           f"with {len(seeds)} different seeds you got {len(set(texts))} different continuations",
           "Sampling draws random numbers; greedy decoding (do_sample=False) does not.")
    expect(len(texts[0].split()) >= 2, "says something", f"the continuation is only {texts[0]!r}",
           "Ask for a handful of new tokens, not zero or one.")
    saved = model.generation_config
    model.generation_config = copy.deepcopy(saved)
    model.generation_config.do_sample, model.generation_config.top_k = True, 50
    try:
        texts, _ = _continuations(settings, tokenizer, model, prompt, seeds)
    finally:
        model.generation_config = saved
    expect(len(set(texts)) == 1, "repeatable whatever the model's saved settings",
           "a model whose generation_config asks for sampling gives different text with your settings",
           "Do not rely on the model's defaults: say do_sample=False yourself.")
