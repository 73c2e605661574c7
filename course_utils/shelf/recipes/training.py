"""The one training driver for the recipes that train with a loop of their own (from scratch, or fill-mask's
restricted loss), and what those loops share: seeded batches, padding, and the soft contrastive loss.

Trainer drives the MiniLM fine-tunes (common.finetune_minilm); these loops exist because each step's batch is made
on the fly (image symmetries, fresh captions, masked words) and because a fixed number of steps keeps each build
inside its time budget.
"""

from __future__ import annotations

import numpy as np


def decay_groups(model, weight_decay: float) -> list[dict]:
    """Weight decay on weight matrices only: never on biases, norms or embeddings."""
    decay = [p for n, p in model.named_parameters() if p.requires_grad and p.ndim >= 2 and "embed" not in n]
    kept = {id(p) for p in decay}
    rest = [p for p in model.parameters() if p.requires_grad and id(p) not in kept]
    return [{"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0}]


def fit(model, loss_for_step, steps: int, *, lr: float, quiet: bool, desc: str, schedule: str = "linear",
        warmup: float = 0.06, weight_decay: float = 0.01, param_groups: list[dict] | None = None,
        betas: tuple[float, float] = (0.9, 0.98), clip: float | None = 1.0) -> list[float]:
    """AdamW for `steps` steps with transformers' warm-up schedule ("linear" or "cosine"); `loss_for_step(step)`
    returns one batch's loss. Returns the loss of every step."""
    import torch
    from tqdm.auto import tqdm
    from transformers import get_scheduler

    groups = param_groups if param_groups is not None else decay_groups(model, weight_decay)
    optimizer = torch.optim.AdamW(groups, lr=lr, betas=betas, weight_decay=weight_decay)
    scheduler = get_scheduler(schedule, optimizer, num_warmup_steps=max(1, int(steps * warmup)),
                              num_training_steps=steps)
    trained = [p for group in groups for p in group["params"]]
    losses: list[float] = []
    model.train()
    progress = tqdm(range(steps), desc=desc, disable=quiet, leave=False)
    for step in progress:
        loss = loss_for_step(step)
        loss.backward()
        if clip:
            torch.nn.utils.clip_grad_norm_(trained, clip)
        optimizer.step()
        scheduler.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(loss.item())
        if step % 25 == 0:
            progress.set_postfix(loss=f"{np.mean(losses[-25:]):.3f}")
    model.eval()
    return losses


def recent_loss(losses: list[float], last: int = 20) -> float:
    """The mean of the last steps' losses, the figure a manifest records."""
    return round(float(np.mean(losses[-last:])), 4)


def batch_indices(n: int, batch_size: int, seed: int):
    """A function step -> that step's indices into n items: shuffled passes over all of them, fixed by the seed."""
    rng = np.random.default_rng(seed)
    order: list[int] = []

    def indices(step: int) -> np.ndarray:
        nonlocal order
        while len(order) < batch_size:
            order.extend(rng.permutation(n).tolist())
        chosen, order = order[:batch_size], order[batch_size:]
        return np.array(chosen)

    return indices


def pad(rows: list[list[int]], value: int):
    """Token-id rows of different lengths as one tensor, right-padded with `value`."""
    import torch

    width = max(len(row) for row in rows)
    return torch.tensor([row + [value] * (width - len(row)) for row in rows])


def soft_contrastive_loss(logits, truth):
    """CLIP's symmetric cross-entropy over a batch's image-text logits, where every true pair counts as a match.

    A caption often fits several images of a batch ("a red circle" fits every red circle); `truth[i, j]` says
    whether text j is true of image i, so the model is never taught that a true caption is wrong.
    """
    per_image = -(truth / truth.sum(1, keepdim=True) * logits.log_softmax(-1)).sum(-1)
    per_text = -(truth.T / truth.T.sum(1, keepdim=True) * logits.T.log_softmax(-1)).sum(-1)
    return (per_image.mean() + per_text.mean()) / 2
