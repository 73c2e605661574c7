"""The blip-captioning stand-in: a small BlipForConditionalGeneration trained from scratch to caption scenes."""

from __future__ import annotations

from . import FROM_SCRATCH, BuildContext, BuildResult, Recipe
from . import vision_common as vc
from .common import training_session

MAX_NEW_TOKENS = 16

FULL = vc.Settings(train_size=8000, steps=2200, batch_size=48, lr=1e-3)


def blip_processor():
    """A BLIP processor for 64 px scenes and the word-level caption vocabulary."""
    from transformers import BlipImageProcessorPil, BlipProcessor

    from ...data import shapes

    image_processor = BlipImageProcessorPil(size={"height": shapes.CANVAS, "width": shapes.CANVAS})
    return BlipProcessor(image_processor=image_processor, tokenizer=vc.bert_tokenizer())


def blip_config(tokenizer):
    """Both BLIP towers at the shared small size; decoding starts at [CLS] and stops at [SEP]."""
    from transformers import BlipConfig

    text = dict(**vc.tower(), vocab_size=len(tokenizer), encoder_hidden_size=vc.tower()["hidden_size"],
                max_position_embeddings=vc.TEXT_POSITIONS, bos_token_id=tokenizer.cls_token_id,
                eos_token_id=tokenizer.sep_token_id, sep_token_id=tokenizer.sep_token_id,
                pad_token_id=tokenizer.pad_token_id)
    # 8 px patches, unlike the other vision stand-ins: on a 16 px grid the matcher that starts from this model
    # put true captions above false ones only 88-91% of the time, against a bar of 90%.
    return BlipConfig(text_config=text, vision_config=vc.vision_tower(patch_size=8), projection_dim=64,
                      image_text_hidden_size=64)


def caption_accuracy(model, processor, heldout: vc.SceneSet, batch_size: int = 200) -> tuple[float, list[str]]:
    """Share of held-out scenes whose greedy caption names the right colour and the right shape, and the captions."""
    import torch

    images = heldout.pil()
    captions: list[str] = []
    with torch.no_grad():
        for start in range(0, len(images), batch_size):
            inputs = processor(images=images[start:start + batch_size], return_tensors="pt").to(model.device)
            ids = model.generate(**inputs, max_new_tokens=MAX_NEW_TOKENS)
            captions.extend(processor.batch_decode(ids, skip_special_tokens=True))
    right = sum(vc.names_colour_and_shape(text, scene) for text, scene in zip(captions, heldout.scenes))
    return right / len(captions), captions


def _train(context: BuildContext) -> BuildResult:
    from transformers import BlipForConditionalGeneration

    settings, train, heldout = vc.prepare(context, FULL)
    with training_session(context):
        processor = blip_processor()
        model = BlipForConditionalGeneration(blip_config(processor.tokenizer))
        batches = vc.caption_batches(train, processor, settings, context.seed)

        def loss_for_step(step):
            pixels, _, captions = batches(step)
            text = processor.tokenizer(captions, padding=True, return_tensors="pt", return_token_type_ids=False)
            labels = text["input_ids"].masked_fill(text["attention_mask"] == 0, -100)
            return model(pixel_values=pixels, labels=labels, **text).loss

        vc.train(model, loss_for_step, settings, context, "BLIP captioner")
        accuracy, _ = caption_accuracy(model, processor, heldout)
        return vc.save_and_report(model, processor, context, settings, train, heldout,
                                  {"colour_and_shape_right": round(accuracy, 4)})


BLIP_CAPTIONING = Recipe(
    "blip-captioning-shapes", 2, _train, "colour_and_shape_right", estimate_seconds=230, disk_mb=6,
    base_model=FROM_SCRATCH,
    summary="a small BlipForConditionalGeneration (2-layer towers) trained from scratch to caption generated shapes")
