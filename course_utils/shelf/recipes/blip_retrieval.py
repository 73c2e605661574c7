"""The blip-retrieval stand-in: a small BlipForImageTextRetrieval that tells true captions of a scene from false ones.

It learns both of BLIP's scores: the image-text matching head (text read while looking at the image) and
the contrastive similarity of the two projected embeddings (`use_itm_head=False`).
"""

from __future__ import annotations

from . import BuildContext, BuildResult, Recipe
from . import vision_common as vc
from .blip_captioning import blip_config, blip_processor
from .common import training_session
from .training import soft_contrastive_loss

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


def start_from_captioner(model, folder) -> None:
    """Copy the captioner's image tower, and its decoder's layers into the text encoder (self-attention and
    cross-attention to the image have the same shapes there): the image tower already tells the shapes apart."""
    from transformers import BlipForConditionalGeneration

    captioner = BlipForConditionalGeneration.from_pretrained(folder)
    model.vision_model.load_state_dict(captioner.vision_model.state_dict())
    model.text_encoder.load_state_dict(captioner.text_decoder.bert.state_dict())


def matching_loss(model, tokenizer, pixels, scenes, true: list[str], rng):
    """Both of BLIP's scores on one batch: the matching head on the true captions and on false ones drawn from `rng`
    (cross-entropy), and the contrastive similarity of the projected embeddings on the true ones."""
    import torch
    import torch.nn.functional as F

    false = [vc.wrong_caption(scene, rng) for scene in scenes]
    image_embeds = model.vision_model(pixel_values=pixels).last_hidden_state
    text = tokenizer(true + false, padding=True, return_tensors="pt", return_token_type_ids=False)
    both = torch.cat([image_embeds, image_embeds])
    fused = model.text_encoder(**text, encoder_hidden_states=both,
                               encoder_attention_mask=torch.ones(both.shape[:2], dtype=torch.long)).last_hidden_state
    match = torch.cat([torch.ones(len(scenes)), torch.zeros(len(scenes))]).long()
    itm = F.cross_entropy(model.itm_head(fused[:, 0]), match)
    alone = model.text_encoder(input_ids=text["input_ids"][: len(scenes)],
                               attention_mask=text["attention_mask"][: len(scenes)]).last_hidden_state
    image_feat = F.normalize(model.vision_proj(image_embeds[:, 0]), dim=-1)
    text_feat = F.normalize(model.text_proj(alone[:, 0]), dim=-1)
    truth = torch.tensor([[vc.caption_is_true(t, scene) for t in true] for scene in scenes], dtype=torch.float32)
    return itm + soft_contrastive_loss(image_feat @ text_feat.T / TEMPERATURE, truth)


def _train(context: BuildContext) -> BuildResult:
    import numpy as np
    from transformers import BlipForImageTextRetrieval

    from ...data import shapes

    settings, train, heldout = vc.prepare(context, FULL)
    with training_session(context):
        processor = blip_processor()
        model = BlipForImageTextRetrieval(blip_config(processor.tokenizer))
        start_from_captioner(model, context.base(BLIP_RETRIEVAL.starts_from))
        batches = vc.caption_batches(train, processor, settings, context.seed)
        wrong_rng = np.random.default_rng(context.seed + 2)
        vc.train(model, lambda step: matching_loss(model, processor.tokenizer, *batches(step), wrong_rng),
                 settings, context, "BLIP matcher")
        accuracy = true_above_wrong(model, processor, heldout, context.seed + shapes.HELDOUT_STREAM)
        return vc.save_and_report(model, processor, context, settings, train, heldout,
                                  {"true_caption_above_wrong": round(accuracy, 4)})


BLIP_RETRIEVAL = Recipe(
    "blip-retrieval-shapes", 2, _train, "true_caption_above_wrong", estimate_seconds=50, disk_mb=6,
    base_model="the course's blip-captioning stand-in (its image tower and text layers)",
    starts_from="blip-captioning",
    summary="a small BlipForImageTextRetrieval, started from the blip-captioning stand-in and trained to match "
            "generated shapes with true captions")
