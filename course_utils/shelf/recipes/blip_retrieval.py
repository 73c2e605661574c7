"""The blip-retrieval stand-in: a small BlipForImageTextRetrieval that tells true captions of a scene from false ones.

It learns both of BLIP's scores: the image-text matching head (text read while looking at the image) and
the contrastive similarity of the two projected embeddings (`use_itm_head=False`).
"""

from __future__ import annotations

from pathlib import Path

from . import BuildResult, Recipe
from . import vision_common as vc
from .blip_captioning import BLIP_CAPTIONING, blip_config, blip_processor

TEMPERATURE = 0.07  # the contrastive logits are cosine similarities divided by this

FULL = vc.Settings(train_size=8000, steps=300, batch_size=48, lr=1e-3)


def match_probabilities(model, processor, images, texts) -> "torch.Tensor":
    """P(match) from the ITM head for each (image, text) pair, through the real processor."""
    import torch

    inputs = processor(images=images, text=texts, padding=True, return_tensors="pt").to(model.device)
    with torch.no_grad():
        return model(**inputs).itm_score.softmax(-1)[:, 1].cpu()


def true_above_wrong(model, processor, heldout: vc.SceneSet, seed: int, batch_size: int = 200) -> float:
    """Share of held-out scenes where a true caption gets a higher match score than a false one."""
    import numpy as np

    from ...data import shapes

    rng = np.random.default_rng(seed)
    images = heldout.pil()
    wins = []
    for start in range(0, len(images), batch_size):
        part = heldout.scenes[start:start + batch_size]
        true = match_probabilities(model, processor, images[start:start + batch_size],
                                   [shapes.caption(scene, rng) for scene in part])
        wrong = match_probabilities(model, processor, images[start:start + batch_size],
                                    [vc.wrong_caption(scene, rng) for scene in part])
        wins.append((true > wrong).numpy())
    return float(np.mean(np.concatenate(wins)))


def _captioner(scratch: Path, seed: int, tiny: bool) -> Path:
    """The blip-captioning stand-in's folder (built on the shelf if missing); a tiny one of its own for tests."""
    if not tiny:
        from ...checkpoints import offline_location

        return offline_location(BLIP_RETRIEVAL.starts_from)
    folder = scratch / "captioner"
    (folder / "scratch").mkdir(parents=True)
    BLIP_CAPTIONING.build(folder, folder / "scratch", seed=seed, quiet=True, tiny=True)
    return folder


def _train(out_dir: Path, scratch: Path, *, seed: int, quiet: bool, tiny: bool) -> BuildResult:
    import numpy as np
    import torch
    import torch.nn.functional as F
    from transformers import BlipForConditionalGeneration, BlipForImageTextRetrieval, set_seed

    from ...data import shapes
    from .common import quiet_library

    settings = vc.tiny_settings(FULL.lr) if tiny else FULL
    train_size, steps, batch_size = settings.train_size, settings.steps, settings.batch_size
    train, heldout = vc.scene_sets(seed, train_size, settings.heldout_size)

    with quiet_library():
        set_seed(seed)
        processor = blip_processor()
        tokenizer = processor.tokenizer
        model = BlipForImageTextRetrieval(blip_config(tokenizer))
        # Start from the captioner: its image tower already tells the shapes apart, and its decoder's
        # layers (self-attention, cross-attention to the image) have the same shapes as this text encoder.
        captioner = BlipForConditionalGeneration.from_pretrained(_captioner(scratch, seed, tiny))
        model.vision_model.load_state_dict(captioner.vision_model.state_dict())
        model.text_encoder.load_state_dict(captioner.text_decoder.bert.state_dict())
        pixels = vc.pixel_tensor(train.images, processor.image_processor)
        pick = vc.batches(train_size, batch_size, seed)
        caption_rng = np.random.default_rng(seed + 1)

        def loss_for_step(step):
            chosen = pick(step)
            batch, scenes = vc.transformed_batch(pixels[torch.from_numpy(chosen)],
                                                 [train.scenes[i] for i in chosen], step)
            true = [shapes.caption(scene, caption_rng) for scene in scenes]
            false = [vc.wrong_caption(scene, caption_rng) for scene in scenes]
            device = model.device
            image_embeds = model.vision_model(pixel_values=batch.to(device)).last_hidden_state
            text = tokenizer(true + false, padding=True, return_tensors="pt", return_token_type_ids=False).to(device)
            both = torch.cat([image_embeds, image_embeds])
            fused = model.text_encoder(**text, encoder_hidden_states=both,
                                       encoder_attention_mask=torch.ones(both.shape[:2], dtype=torch.long,
                                                                         device=device)).last_hidden_state
            match = torch.cat([torch.ones(len(chosen)), torch.zeros(len(chosen))]).long().to(device)
            itm = F.cross_entropy(model.itm_head(fused[:, 0]), match)
            # The contrastive score, on the true captions alone; captions true of several images count for all.
            alone = model.text_encoder(input_ids=text["input_ids"][: len(chosen)],
                                       attention_mask=text["attention_mask"][: len(chosen)]).last_hidden_state
            image_feat = F.normalize(model.vision_proj(image_embeds[:, 0]), dim=-1)
            text_feat = F.normalize(model.text_proj(alone[:, 0]), dim=-1)
            logits = image_feat @ text_feat.T / TEMPERATURE
            truth = torch.tensor([[vc.caption_is_true(t, scene) for t in true] for scene in scenes],
                                 dtype=torch.float32, device=device)
            itc = (-(truth / truth.sum(1, keepdim=True) * logits.log_softmax(-1)).sum(-1).mean()
                   - (truth.T / truth.T.sum(1, keepdim=True) * logits.T.log_softmax(-1)).sum(-1).mean()) / 2
            return itm + itc

        vc.fit(model, loss_for_step, steps, lr=settings.lr, quiet=quiet, desc="BLIP matcher")
        accuracy = true_above_wrong(model, processor, heldout, seed + vc.HELDOUT_SEED_OFFSET)
        model.save_pretrained(out_dir)
        processor.save_pretrained(out_dir)

    return BuildResult(
        metrics={"true_caption_above_wrong": round(accuracy, 4), "heldout_size": len(heldout.scenes),
                 "train_size": train_size, "steps": steps},
        data_name=vc.data_name(train_size, seed),
        data_sha256=train.digest(),
    )


BLIP_RETRIEVAL = Recipe(
    name="blip-retrieval-shapes",
    version=1,
    summary="a small BlipForImageTextRetrieval, started from the blip-captioning stand-in and trained to match "
            "generated shapes with true captions",
    base_model="the course's blip-captioning stand-in (its image tower and text layers)",
    seed=42,
    estimate_seconds=50,
    disk_mb=6,
    score_key="true_caption_above_wrong",
    train=_train,
    starts_from="blip-captioning",
)
