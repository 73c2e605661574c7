"""Checks for lesson 07 (generation): batch translation with beam search in one call, and repeatable generation.

Every check draws new probes each run (held-out French sentences and story openings from the course's generators),
and its messages describe the mistake without printing the answers for those probes.
"""

import copy
import random

from ..checks import Wrong, brief, call_learner, calls_to, exercise, expect
from ..data import minifrench, stories
from .probes import fresh


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


@exercise("7.1", "translate a batch with beam search")
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


@exercise("7.2", "generation you can repeat")
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
