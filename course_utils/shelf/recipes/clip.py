"""The clip stand-in: a small CLIPModel (image and text towers) trained contrastively on scenes and captions."""

from __future__ import annotations

from pathlib import Path

from . import BuildResult, Recipe
from . import vision_common as vc

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


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import numpy as np
    import torch
    from transformers import CLIPConfig, CLIPImageProcessorPil, CLIPModel, CLIPProcessor, set_seed

    from ...data import shapes
    from .common import quiet_library

    settings = vc.tiny_settings(FULL.lr) if tiny else FULL
    train_size, steps, batch_size = settings.train_size, settings.steps, settings.batch_size
    train, heldout = vc.scene_sets(seed, train_size, settings.heldout_size)

    with quiet_library():
        set_seed(seed)
        tokenizer = vc.clip_tokenizer()
        side = {"height": shapes.CANVAS, "width": shapes.CANVAS}
        processor = CLIPProcessor(image_processor=CLIPImageProcessorPil(size={"shortest_edge": shapes.CANVAS},
                                                                        crop_size=side),
                                  tokenizer=tokenizer)
        config = CLIPConfig(
            text_config=dict(**vc.tower(), vocab_size=len(tokenizer), max_position_embeddings=vc.TEXT_POSITIONS,
                             bos_token_id=tokenizer.bos_token_id, eos_token_id=tokenizer.eos_token_id,
                             pad_token_id=tokenizer.pad_token_id),
            vision_config=vc.vision_tower(),
            projection_dim=64,
        )
        model = CLIPModel(config)
        pixels = vc.pixel_tensor(train.images, processor.image_processor)
        pick = vc.batches(train_size, batch_size, seed)
        caption_rng = np.random.default_rng(seed + 1)

        def loss_for_step(step):
            chosen = pick(step)
            batch, scenes = vc.transformed_batch(pixels[torch.from_numpy(chosen)],
                                                 [train.scenes[i] for i in chosen], step)
            captions = [shapes.caption(scene, caption_rng) for scene in scenes]
            # A caption often fits several images in the batch ("a red circle" fits every red circle):
            # all of them count as matches, so the model is never taught that a true caption is wrong.
            truth = torch.tensor([[vc.caption_is_true(text, scene) for text in captions] for scene in scenes],
                                 dtype=torch.float32, device=model.device)
            text = tokenizer(captions, padding=True, return_tensors="pt").to(model.device)
            out = model(pixel_values=batch.to(model.device), **text)
            per_image = -(truth / truth.sum(1, keepdim=True) * out.logits_per_image.log_softmax(-1)).sum(-1)
            per_text = -(truth.T / truth.T.sum(1, keepdim=True) * out.logits_per_text.log_softmax(-1)).sum(-1)
            return (per_image.mean() + per_text.mean()) / 2

        vc.fit(model, loss_for_step, steps, lr=settings.lr, quiet=quiet, desc="CLIP")
        accuracy = zero_shot_accuracy(model, processor, heldout)
        bare = zero_shot_accuracy(model, processor, heldout, template="{}")
        model.save_pretrained(out_dir)
        processor.save_pretrained(out_dir)

    return BuildResult(
        metrics={"zero_shot_accuracy": round(accuracy, 4), "zero_shot_accuracy_bare_labels": round(bare, 4),
                 "heldout_size": len(heldout.scenes), "candidate_labels": len(shapes.CLASS_NAMES),
                 "train_size": train_size, "steps": steps},
        data_name=vc.data_name(train_size, seed),
        data_sha256=train.digest(),
    )


CLIP = Recipe(
    name="clip-shapes",
    version=3,
    summary="a small CLIPModel (2-layer image and text towers) trained contrastively on generated shapes and captions",
    base_model="none (trained from scratch)",
    seed=42,
    estimate_seconds=50,
    disk_mb=6,
    score_key="zero_shot_accuracy",
    train=_train,
)
