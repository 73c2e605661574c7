"""Checks for lesson 02 (tokenizers): counting tokens, finding [UNK] with offsets, decoding a padded batch."""

from ..checks import Wrong, call_learner, exercise, expect, require_type

PROBE_COUNT = [
    "Photosynthesis converts sunlight into chemical energy.",
    "ok",
    "The committee's re-evaluation was postponed indefinitely.",
]

PROBE_UNKNOWN = [
    "Coffee ☕ then code 💻, every morning.",
    "No surprises in this sentence.",
    "The clef 𝄞 and the note ♪ sit on the staff 🎼.",
]

PROBE_BATCH = [
    "Padding keeps a batch rectangular.",
    "Short.",
    "Decoding skips the special tokens when asked to.",
]


@exercise("2.1", "count tokens")
def check_count_tokens(count_tokens, tokenizer):
    answers = [call_learner(count_tokens, text, part=f"count_tokens({text!r})") for text in PROBE_COUNT]
    if not all(isinstance(a, int) and not isinstance(a, bool) for a in answers):
        raise Wrong("type", f"count_tokens returned {[type(a).__name__ for a in answers]}, expected whole numbers",
                    "Return len(...) of the input_ids, an int.")
    truth = [len(tokenizer(text)["input_ids"]) for text in PROBE_COUNT]
    special = tokenizer.num_special_tokens_to_add(pair=False)
    if answers == [t - special for t in truth]:
        raise Wrong("special tokens", f"you counted {answers}, the model receives {truth}",
                    "tokenize() leaves out [CLS] and [SEP]; count the input_ids of tokenizer(text) instead.")
    for text, answer, right in zip(PROBE_COUNT, answers, truth):
        expect(answer == right, f"count for {text!r}", f"you said {answer}, the model receives {right} ids",
               "Count the input_ids of tokenizer(text), special tokens included; words are not tokens.")


@exercise("2.2", "find the [UNK] pieces")
def check_find_unknown(find_unknown, tokenizer):
    unk = tokenizer.unk_token_id
    for text in PROBE_UNKNOWN:
        answer = call_learner(find_unknown, text, part=f"find_unknown({text!r})")
        require_type(answer, (list, tuple), "find_unknown", "a list of strings",
                     "Collect text[start:end] for each [UNK] token into a list.")
        encoded = tokenizer(text, return_offsets_mapping=True)
        truth = [text[s:e] for i, (s, e) in zip(encoded["input_ids"], encoded["offset_mapping"]) if i == unk]
        if list(answer) == [tokenizer.unk_token] * len(truth) and truth:
            raise Wrong("original characters", f"you returned the token {tokenizer.unk_token!r}, not the text it hides",
                        "Slice the original text with each [UNK] token's (start, end) offsets.")
        expect(list(answer) == truth, f"pieces in {text!r}", f"expected {truth}, got {list(answer)}",
               "Ask for return_offsets_mapping=True and keep the spans whose id is tokenizer.unk_token_id.")


@exercise("2.3", "decode a padded batch")
def check_texts_from_batch(texts_from_batch, tokenizer):
    batch = tokenizer(PROBE_BATCH, padding=True, return_tensors="pt")
    answer = call_learner(texts_from_batch, batch, part="texts_from_batch(batch)")
    if isinstance(answer, str) or not isinstance(answer, (list, tuple)):
        raise Wrong("type", f"texts_from_batch returned {type(answer).__name__}, expected a list with one string per row",
                    "batch_decode decodes every row at once and returns a list.")
    truth = tokenizer.batch_decode(batch["input_ids"], skip_special_tokens=True)
    expect(len(answer) == len(truth), "one string per row", f"{len(answer)} strings for {len(truth)} rows",
           "Decode each row of batch['input_ids'].")
    leftovers = [t for t in tokenizer.all_special_tokens if any(t in str(s) for s in answer)]
    expect(not leftovers, "no special tokens", f"the text still contains {leftovers}",
           "Pass skip_special_tokens=True when decoding.")
    expect(list(answer) == truth, "text", f"expected {truth}, got {list(answer)}",
           "tokenizer.batch_decode(batch['input_ids'], skip_special_tokens=True)")
