"""The image-classification stand-in: a small ViT trained from scratch to name the colour and shape in a scene."""

from __future__ import annotations

from pathlib import Path

from . import BuildResult, Recipe
from . import vision_common as vc

FULL = vc.Settings(train_size=8000, steps=1200, batch_size=48, lr=1e-3)


def heldout_accuracy(model, processor, heldout: vc.SceneSet, batch_size: int = 200) -> float:
    """Accuracy on held-out scenes, each one going through the real image processor, as in the pipeline."""
    import numpy as np
    import torch

    predictions = []
    images = heldout.pil()
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            inputs = processor(images=images[start:start + batch_size], return_tensors="pt").to(model.device)
            predictions.append(model(**inputs).logits.argmax(-1).cpu().numpy())
    return float(np.mean(np.concatenate(predictions) == heldout.labels))


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessorPil, set_seed

    from ...data import shapes
    from .common import quiet_library

    settings = vc.tiny_settings(FULL.lr) if tiny else FULL
    train_size, steps, batch_size = settings.train_size, settings.steps, settings.batch_size
    train, heldout = vc.scene_sets(seed, train_size, settings.heldout_size)
    names = shapes.CLASS_NAMES

    with quiet_library():
        set_seed(seed)
        processor = ViTImageProcessorPil(size={"height": shapes.CANVAS, "width": shapes.CANVAS},
                                         image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
        config = ViTConfig(**vc.vision_tower(num_hidden_layers=3), hidden_dropout_prob=0.0,
                           attention_probs_dropout_prob=0.0, id2label=dict(enumerate(names)),
                           label2id={name: i for i, name in enumerate(names)})
        model = ViTForImageClassification(config)
        pixels = vc.pixel_tensor(train.images, processor)
        labels = torch.from_numpy(train.labels)
        pick = vc.batches(train_size, batch_size, seed)

        def loss_for_step(step):
            chosen = torch.from_numpy(pick(step))
            batch, _ = vc.transformed_batch(pixels[chosen], [], step)
            return model(pixel_values=batch.to(model.device), labels=labels[chosen].to(model.device)).loss

        vc.fit(model, loss_for_step, steps, lr=settings.lr, quiet=quiet, desc="ViT")
        accuracy = heldout_accuracy(model, processor, heldout)
        model.save_pretrained(out_dir)
        processor.save_pretrained(out_dir)

    return BuildResult(
        metrics={"accuracy": round(accuracy, 4), "heldout_size": len(heldout.scenes), "train_size": train_size,
                 "steps": steps, "classes": len(names)},
        data_name=vc.data_name(train_size, seed),
        data_sha256=train.digest(),
    )


VIT = Recipe(
    name="vit-shapes",
    version=2,
    summary="a 3-layer ViT (64 px images, 8 px patches) trained from scratch on generated coloured shapes",
    base_model="none (trained from scratch)",
    seed=42,
    estimate_seconds=50,
    disk_mb=5,
    score_key="accuracy",
    train=_train,
)
