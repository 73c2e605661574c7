"""Checks for lesson 06 (question answering by hand): ranking answer spans, and answers in long contexts.

Every check draws new probes each run (made-up logits, held-out questions, sentences and prompts from the course's
generators), and its messages describe the mistake without printing the answers for those probes.
"""

import random

from ..checks import Wrong, call_learner, exercise, expect
from ..data import facts
from .probes import MAX_DRAWS, fresh

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


def window_answers(tokenizer, model, question: str, context: str, max_length: int, stride: int):
    """(score, answer text) of the best allowed span in each window of a long context, the old pipeline's way."""
    import torch

    encoded = tokenizer(question, context, truncation="only_second", max_length=max_length, stride=stride,
                        return_overflowing_tokens=True, return_offsets_mapping=True, padding=True,
                        return_tensors="pt")
    offsets = encoded.pop("offset_mapping")
    encoded.pop("overflow_to_sample_mapping")
    with torch.no_grad():
        output = model(**encoded)
    answers = []
    for window in range(len(encoded["input_ids"])):
        score, (start, end) = ranked_spans(output.start_logits[window], output.end_logits[window],
                                           encoded.sequence_ids(window), 1, 15)[0]
        answers.append((score, context[int(offsets[window][start][0]):int(offsets[window][end][1])]))
    return answers


def _normal(text) -> str:
    return " ".join(str(text).lower().replace(".", " ").split())


def _long_probe(tokenizer, model, rng: random.Random, max_length: int, stride: int):
    """A long context of several held-out biographies whose answer lies past the first window: the windows find it,
    the first window alone (plain truncation) does not."""
    for _ in range(MAX_DRAWS):
        rows = facts.qa_examples("heldout", 5, seed=rng.randrange(10**9))
        target = rng.randrange(2, len(rows))
        context = " ".join(row["context"] for row in rows)
        question, truth = rows[target]["question"], rows[target]["answer"]
        answers = window_answers(tokenizer, model, question, context, max_length, stride)
        best = max(answers)[1]
        if len(answers) > 1 and _normal(best) == _normal(truth) and _normal(answers[0][1]) != _normal(truth):
            return question, context, truth
    return question, context, best  # a model with no clear answers (the test Hub's): the windows' choice


@exercise("6.2", "answers in long contexts")
def check_long_answer(answer_long, tokenizer, model):
    rng = fresh()
    for _ in range(2):
        max_length, stride = rng.choice([48, 64, 80]), rng.choice([8, 16])
        question, context, truth = _long_probe(tokenizer, model, rng, max_length, stride)
        part = f"a context of {len(context.split())} words, max_length={max_length}, stride={stride}"
        answer = call_learner(answer_long, question, context, max_length=max_length, stride=stride,
                              part=f"answer_long on {part}")
        if not isinstance(answer, str):
            raise Wrong(part, f"answer_long returned {type(answer).__name__}, expected the answer's text",
                        "Cut the answer out of the context with the window's offset_mapping.")
        if _normal(answer) == _normal(truth):
            expect(True, part)
            continue
        seen = [text for _, text in window_answers(tokenizer, model, question, context, max_length, stride)]
        if answer.strip() and answer.strip() in context and _normal(answer) == _normal(seen[0]):
            expect(False, part, "your answer is the best span of the first window only",
                   "Ask the tokenizer for every window (return_overflowing_tokens=True with stride), answer in each, "
                   "and keep the answer whose start + end score is highest.")
        elif answer.strip() not in context:
            expect(False, part, "your answer is not a piece of the context",
                   "Use the window's offset_mapping to cut the characters out of the original context.")
        else:
            expect(False, part, "another window has a higher-scoring answer than the one you returned",
                   "Compare the windows by their best span's start_logit + end_logit, not by position or length.")
