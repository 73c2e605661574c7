"""The image-classification stand-in: a small ViT trained from scratch to name the colour and shape in a scene."""

from __future__ import annotations

from . import FROM_SCRATCH, BuildContext, BuildResult, Recipe
from . import vision_common as vc
from .common import training_session

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


def _train(context: BuildContext) -> BuildResult:
    import torch
    from transformers import ViTConfig, ViTForImageClassification, ViTImageProcessorPil

    from ...data import shapes

    settings, train, heldout = vc.prepare(context, FULL)
    names = shapes.CLASS_NAMES
    with training_session(context):
        processor = ViTImageProcessorPil(size={"height": shapes.CANVAS, "width": shapes.CANVAS},
                                         image_mean=[0.5, 0.5, 0.5], image_std=[0.5, 0.5, 0.5])
        config = ViTConfig(**vc.vision_tower(num_hidden_layers=3), hidden_dropout_prob=0.0,
                           attention_probs_dropout_prob=0.0, id2label=dict(enumerate(names)),
                           label2id={name: i for i, name in enumerate(names)})
        model = ViTForImageClassification(config)
        batches = vc.scene_batches(train, vc.pixel_tensor(train.images, processor), settings, context.seed)

        def loss_for_step(step):
            pixels, scenes = batches(step)
            return model(pixel_values=pixels, labels=torch.tensor([scene.label for scene in scenes])).loss

        vc.train(model, loss_for_step, settings, context, "ViT")
        accuracy = heldout_accuracy(model, processor, heldout)
        return vc.save_and_report(model, processor, context, settings, train, heldout,
                                  {"accuracy": round(accuracy, 4), "classes": len(names)})


VIT = Recipe(
    "vit-shapes", 3, _train, "accuracy", estimate_seconds=50, disk_mb=5, base_model=FROM_SCRATCH,
    summary="a 3-layer ViT (64 px images, 16 px patches) trained from scratch on generated coloured shapes")
