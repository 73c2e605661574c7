"""The clip stand-in: a small CLIPModel (image and text towers) trained contrastively on scenes and captions."""

from __future__ import annotations

from . import FROM_SCRATCH, BuildContext, BuildResult, Recipe
from . import vision_common as vc
from .common import training_session
from .training import soft_contrastive_loss

PROMPT = "This is a photo of {}."  # the zero-shot-image-classification pipeline's default hypothesis template

FULL = vc.Settings(train_size=8000, steps=700, batch_size=64, lr=1e-3)


def zero_shot_accuracy(model, processor, heldout: vc.SceneSet, template: str = PROMPT, batch_size: int = 200) -> float:
    """Choose among all colour-shape names put into `template`, through the real processor, as the pipeline does."""
    import numpy as np
    import torch

    from ...data import shapes

    texts = [template.format(name) for name in shapes.CLASS_NAMES]
    images = heldout.pil()
    predictions = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            inputs = processor(text=texts, images=images[start:start + batch_size], padding=True,
                               return_tensors="pt").to(model.device)
            predictions.append(model(**inputs).logits_per_image.argmax(-1).cpu().numpy())
    return float(np.mean(np.concatenate(predictions) == heldout.labels))


def _train(context: BuildContext) -> BuildResult:
    import torch
    from transformers import CLIPModel

    from ...data import shapes

    settings, train, heldout = vc.prepare(context, FULL)
    with training_session(context):
        processor = clip_processor()
        model = CLIPModel(clip_config(processor.tokenizer))
        batches = vc.caption_batches(train, processor, settings, context.seed)

        def loss_for_step(step):
            pixels, scenes, captions = batches(step)
            truth = torch.tensor([[vc.caption_is_true(text, scene) for text in captions] for scene in scenes],
                                 dtype=torch.float32)
            out = model(pixel_values=pixels, **processor.tokenizer(captions, padding=True, return_tensors="pt"))
            return soft_contrastive_loss(out.logits_per_image, truth)

        vc.train(model, loss_for_step, settings, context, "CLIP")
        metrics = {"zero_shot_accuracy": round(zero_shot_accuracy(model, processor, heldout), 4),
                   "zero_shot_accuracy_bare_labels": round(zero_shot_accuracy(model, processor, heldout, "{}"), 4),
                   "candidate_labels": len(shapes.CLASS_NAMES)}
        return vc.save_and_report(model, processor, context, settings, train, heldout, metrics)


def clip_processor():
    """A CLIP processor for 64 px scenes and the caption words' byte-level BPE."""
    from transformers import CLIPImageProcessorPil, CLIPProcessor

    from ...data import shapes

    side = {"height": shapes.CANVAS, "width": shapes.CANVAS}
    image_processor = CLIPImageProcessorPil(size={"shortest_edge": shapes.CANVAS}, crop_size=side)
    return CLIPProcessor(image_processor=image_processor, tokenizer=vc.clip_tokenizer())


def clip_config(tokenizer):
    from transformers import CLIPConfig

    return CLIPConfig(
        text_config=dict(**vc.tower(), vocab_size=len(tokenizer), max_position_embeddings=vc.TEXT_POSITIONS,
                         bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                         pad_token_id=tokenizer.pad_token_id),
        vision_config=vc.vision_tower(),
        projection_dim=64,
    )


CLIP = Recipe(
    "clip-shapes", 4, _train, "zero_shot_accuracy", estimate_seconds=50, disk_mb=6, base_model=FROM_SCRATCH,
    summary="a small CLIPModel (2-layer image and text towers) trained contrastively on generated shapes and captions")
