"""Checks for lesson 07 (BERT): filling a [MASK] by hand, a word's contextual vector, mean pooling."""

from ..checks import Wrong, call_learner, exercise, expect, require_type

PROBE_MASKED = [
    "After dinner we washed the {mask} and put them away.",
    "It was raining, so I took my {mask} with me.",
    "The {mask} was so loud that I could not sleep.",
]

PROBE_WORDS = [
    ("the bartender poured two glasses of lemonade", "bartender"),
    ("our neighbours adopted a hyperactive puppy", "hyperactive"),
    ("she parked the car by the station", "car"),
]

PROBE_POOL = [
    "Padding must not count.",
    "A much longer sentence about mean pooling, with many more tokens than the first.",
    "Short.",
]


def _as_tensor(value, part):
    import torch

    if not isinstance(value, torch.Tensor):
        raise Wrong(part, f"expected a torch tensor, got {type(value).__name__}",
                    "Keep working with torch tensors; do not convert to a list.")
    return value.detach().float()


@exercise("7.1", "fill the gap by hand")
def check_top_guess(top_guess, unmasker):
    mask = unmasker.tokenizer.mask_token
    for template in PROBE_MASKED:
        sentence = template.format(mask=mask)
        answer = call_learner(top_guess, sentence, part=f"top_guess({sentence!r})")
        require_type(answer, str, "top_guess", "the word as a string",
                     "Decode the id with the highest score: tokenizer.decode(token_id).")
        truth = unmasker(sentence, top_k=1)[0]["token_str"].strip()
        expect(answer.strip() == truth, f"gap in {template.format(mask='___')!r}",
               f"the model's top word is {truth!r}, you returned {answer!r}",
               "Find the [MASK] position in input_ids, take the argmax of the logits at that position, decode it.")


@exercise("7.2", "a word's contextual vector")
def check_word_vector(word_vector, tokenizer, encoder):
    import torch

    for sentence, word in PROBE_WORDS:
        answer = _as_tensor(call_learner(word_vector, sentence, word, part=f"word_vector(..., {word!r})"), word)
        hidden_size = encoder.config.hidden_size
        if answer.shape != (hidden_size,):
            raise Wrong(f"shape for {word!r}", f"shape {tuple(answer.shape)}, expected ({hidden_size},)",
                        "Average over the word's token positions only (dim=0 of a (tokens, hidden) tensor).")
        start = sentence.index(word)
        encoded = tokenizer(sentence, return_tensors="pt", return_offsets_mapping=True)
        offsets = encoded.pop("offset_mapping")[0].tolist()
        positions = [i for i, (s, e) in enumerate(offsets) if s >= start and e <= start + len(word) and e > s]
        with torch.no_grad():
            hidden = encoder(**encoded).last_hidden_state[0]
        truth = hidden[positions].mean(dim=0)
        if len(positions) > 1 and torch.allclose(answer, hidden[positions[0]], atol=1e-4):
            raise Wrong(f"all pieces of {word!r}", f"{word!r} has {len(positions)} tokens and you used only the first",
                        "Find every token whose offsets fall inside the word, then average their vectors.")
        expect(torch.allclose(answer, truth, atol=1e-4), f"vector for {word!r}",
               "it differs from the mean of the word's final-layer token vectors",
               "Use last_hidden_state (the final layer) and the offsets to find the word's tokens.")


@exercise("7.3", "mean pooling")
def check_mean_pool(mean_pool, tokenizer, encoder):
    import torch

    batch = tokenizer(PROBE_POOL, padding=True, return_tensors="pt")
    with torch.no_grad():
        hidden = encoder(**batch).last_hidden_state
    answer = _as_tensor(call_learner(mean_pool, hidden.clone(), batch["attention_mask"].clone(),
                                     part="mean_pool(last_hidden_state, attention_mask)"), "result")
    if answer.shape != (len(PROBE_POOL), hidden.shape[-1]):
        raise Wrong("shape", f"shape {tuple(answer.shape)}, expected {(len(PROBE_POOL), hidden.shape[-1])}",
                    "Average over the token dimension (dim=1), keeping one row per sentence.")
    mask = batch["attention_mask"].unsqueeze(-1).float()
    truth = (hidden * mask).sum(dim=1) / mask.sum(dim=1)
    if torch.allclose(answer, hidden.mean(dim=1), atol=1e-5):
        raise Wrong("padding ignored", "you averaged over the [PAD] positions too",
                    "Multiply by the attention mask, sum, and divide by the number of real tokens.")
    expect(torch.allclose(answer, truth, atol=1e-4), "values", "the pooled vectors differ from the masked mean",
           "sum(hidden * mask, dim=1) / sum(mask, dim=1), with the mask shaped (batch, tokens, 1).")
