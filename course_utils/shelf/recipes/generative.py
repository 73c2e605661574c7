"""What the generative recipes share: a small BPE tokenizer trained on their own text, and a plain training loop.

The loop is a few lines of PyTorch rather than Trainer so that a fixed number of steps with a warm-up and a
linear decay fits the tight build budget, with one progress bar.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

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


@contextlib.contextmanager
def one_thread():
    """Run torch on one thread, then restore the previous setting.

    These matrices are too small to gain much from a second thread, and when other processes share the cores,
    OpenMP threads spin-waiting on each other made steps up to ten times slower (measured on 2 cores).
    """
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(threads)


def warmup_linear(optimizer, steps: int, warmup: float = 0.06):
    import torch

    warm = max(1, int(steps * warmup))

    def factor(step: int) -> float:
        if step < warm:
            return (step + 1) / warm
        return max(0.02, (steps - step) / max(1, steps - warm))

    return torch.optim.lr_scheduler.LambdaLR(optimizer, factor)


def train_steps(model, batches, *, steps: int, lr: float, seed: int, quiet: bool, label: str,
                weight_decay: float = 0.01) -> list[float]:
    """Train `model` for `steps` steps on `batches(step)` (a dict of tensors with `labels`); return the loss curve."""
    import torch
    from tqdm.auto import tqdm

    torch.manual_seed(seed)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, betas=(0.9, 0.98), weight_decay=weight_decay)
    schedule = warmup_linear(optimizer, steps)
    losses = []
    bar = tqdm(range(steps), desc=label, disable=quiet, leave=False)
    for step in bar:
        loss = model(**batches(step)).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if step % 20 == 0:
            bar.set_postfix(loss=f"{sum(losses[-20:]) / len(losses[-20:]):.3f}")
    model.eval()
    return losses


def seq2seq_batches(tokenizer, sources: list[str], targets: list[str], *, batch_size: int, seed: int,
                    max_source: int, max_target: int):
    """A function step -> padded batch, drawing examples in a shuffled order fixed by the seed."""
    import torch

    encoded = tokenizer(sources, truncation=True, max_length=max_source)["input_ids"]
    labels = tokenizer(text_target=targets, truncation=True, max_length=max_target)["input_ids"]
    generator = torch.Generator().manual_seed(seed)
    order: list[int] = []

    def pad(rows, value):
        width = max(len(r) for r in rows)
        return torch.tensor([r + [value] * (width - len(r)) for r in rows])

    def batch(step: int):
        nonlocal order
        if len(order) < batch_size:
            order += torch.randperm(len(encoded), generator=generator).tolist()
        picked, order = order[:batch_size], order[batch_size:]
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


def data_digest(*parts) -> str:
    """sha256 of the generated data, so the manifest pins exactly what the model saw."""
    from .common import sha256_bytes

    return sha256_bytes("\n".join(str(p) for p in parts).encode("utf-8"))


def save(model, tokenizer, out_dir: Path) -> None:
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
