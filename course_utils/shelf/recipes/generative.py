"""What the generative recipes (trained from scratch) share: a small BPE tokenizer learnt from their own text,
seq2seq batches drawn step by step, batched generation, and saving."""

from __future__ import annotations

from pathlib import Path

from .training import batch_indices, pad

PAD, BOS, EOS, UNK = "<pad>", "<s>", "</s>", "<unk>"


def train_tokenizer(texts, *, vocab_size: int, special_tokens: list[str], add_eos: str | None = None,
                    add_bos: str | None = None, model_max_length: int = 512, token_roles: dict | None = None):
    """A BPE tokenizer learnt from `texts`, wrapped so that AutoTokenizer loads it from a saved folder.

    Words are split at spaces and punctuation (so "l'école" and "école" share pieces); `add_bos`/`add_eos`
    name special tokens the tokenizer puts around every text it encodes; `token_roles` maps pad_token, bos_token
    and the like to special tokens (by default <pad>, <s>, </s> and <unk>, where present).
    """
    from tokenizers import Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tokenizer = Tokenizer(models.BPE(unk_token=UNK if UNK in special_tokens else None))
    tokenizer.normalizer = normalizers.NFC()
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always"),
        pre_tokenizers.Punctuation(),
    ])
    tokenizer.decoder = decoders.Metaspace(replacement="\u2581", prepend_scheme="always")
    alphabet = sorted({ch for text in texts for ch in text})
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, special_tokens=special_tokens, initial_alphabet=alphabet,
                                  show_progress=False)
    tokenizer.train_from_iterator(texts, trainer=trainer)
    single, specials = "$A", []
    if add_bos:
        single = f"{add_bos} {single}"
        specials.append((add_bos, tokenizer.token_to_id(add_bos)))
    if add_eos:
        single = f"{single} {add_eos}"
        if add_eos != add_bos:
            specials.append((add_eos, tokenizer.token_to_id(add_eos)))
    if specials:
        tokenizer.post_processor = processors.TemplateProcessing(single=single, special_tokens=specials)
    defaults = dict(pad_token=PAD, bos_token=BOS, eos_token=EOS, unk_token=UNK)
    named = token_roles or {k: v for k, v in defaults.items() if v in special_tokens}
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, model_max_length=model_max_length, **named)


def sized_data(context, full: dict, tiny: dict, generator, **options) -> tuple[dict, list, list]:
    """The settings for this build (`tiny` ones for tests), and the generator's training and held-out rows."""
    size = tiny if context.tiny else full
    return (size, generator("train", size["train"], context.seed, **options),
            generator("heldout", size["heldout"], context.seed, **options))


def seq2seq_batches(tokenizer, sources: list[str], targets: list[str], *, batch_size: int, seed: int,
                    max_source: int, max_target: int):
    """A function step -> padded batch (input ids, attention mask, labels), in a shuffled order fixed by the seed."""
    encoded = tokenizer(sources, truncation=True, max_length=max_source)["input_ids"]
    labels = tokenizer(text_target=targets, truncation=True, max_length=max_target)["input_ids"]
    pick = batch_indices(len(encoded), batch_size, seed)

    def batch(step: int):
        picked = pick(step)
        input_ids = pad([encoded[i] for i in picked], tokenizer.pad_token_id)
        return {"input_ids": input_ids, "attention_mask": (input_ids != tokenizer.pad_token_id).long(),
                "labels": pad([labels[i] for i in picked], -100)}

    return batch


def generate_all(model, tokenizer, sources: list[str], *, batch_size: int = 64, **settings) -> list[str]:
    """Greedy (or `settings`) generation for many inputs, batched."""
    import torch

    outputs = []
    with torch.no_grad():
        for start in range(0, len(sources), batch_size):
            batch = tokenizer(sources[start:start + batch_size], padding=True, return_tensors="pt")
            ids = model.generate(**batch, **settings)
            outputs += tokenizer.batch_decode(ids, skip_special_tokens=True)
    return [text.strip() for text in outputs]


def save(model, tokenizer, out_dir: Path) -> None:
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
