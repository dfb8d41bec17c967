"""Build the timm objects a :class:`~efficientdl.verify.recipe.TrainingRecipe` names.

Each function makes one object through timm's own factories, so a recipe
runs exactly as timm's training script would run the same arguments.
Models are always created with ``pretrained=False``: the verifier trains
from scratch and never downloads weights.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import torch
from torch import nn

from efficientdl.verify.recipe import TrainingRecipe

logger = logging.getLogger(__name__)

#: Evaluation keeps the whole image: small images lose their content to a centre crop.
EVAL_CROP_PCT = 1.0


def create_model(recipe: TrainingRecipe) -> nn.Module:
    """Create the recipe's timm model with random weights and a ``num_classes`` head."""
    import timm

    return timm.create_model(
        recipe.model_name, pretrained=False, num_classes=recipe.num_classes, **recipe.model_kwargs
    )


def create_optimizer(recipe: TrainingRecipe, model: nn.Module) -> torch.optim.Optimizer:
    """Create the optimizer with ``timm.optim.create_optimizer_v2``.

    Weight decay skips biases and normalisation weights (timm's
    ``filter_bias_and_bn``), as timm's training script does.
    """
    from timm.optim import create_optimizer_v2

    return create_optimizer_v2(
        model,
        opt=recipe.optimizer,
        lr=recipe.learning_rate,
        weight_decay=recipe.weight_decay,
        **recipe.optimizer_kwargs,
    )


def create_scheduler(recipe: TrainingRecipe, optimizer: torch.optim.Optimizer, total_updates: int):
    """Create the learning-rate schedule over ``total_updates`` optimizer updates.

    The schedule is stepped per update (``step_on_epochs=False`` with one
    update per schedule "epoch"), so warm-up and decay points given as
    fractions of the run land on the right update however short the run is.

    Returns
    -------
    timm.scheduler.Scheduler
        Call ``step_update(n)`` after the n-th update.
    """
    from timm.scheduler import create_scheduler_v2

    total = max(1, int(total_updates))
    options = recipe.schedule_options
    warmup = int(round(options.get("warmup_fraction", 0.0) * total))
    kwargs: dict[str, Any] = {
        "sched": recipe.lr_schedule,
        "num_epochs": total,
        "warmup_epochs": warmup,
        "warmup_lr": recipe.learning_rate * 1e-3 if warmup else 1e-5,
        "min_lr": 0.0,
        "step_on_epochs": False,
        "updates_per_epoch": 1,
    }

    if recipe.lr_schedule == "step":
        if "final_fraction" in options:
            kwargs["decay_epochs"] = 1
            kwargs["decay_rate"] = options["final_fraction"] ** (1.0 / total)
        else:
            kwargs["decay_epochs"] = max(1, int(round(options["decay_fraction"] * total)))
            kwargs["decay_rate"] = options["decay_rate"]
    elif recipe.lr_schedule == "multistep":
        kwargs["decay_milestones"] = sorted({max(1, int(round(f * total))) for f in options["milestone_fractions"]})
        kwargs["decay_rate"] = options["decay_rate"]
    elif recipe.lr_schedule == "poly":
        kwargs["decay_rate"] = options["power"]

    scheduler, _ = create_scheduler_v2(optimizer, **kwargs)
    return scheduler


def create_train_transform(recipe: TrainingRecipe):
    """Create the training transform with ``timm.data.create_transform``."""
    from timm.data import create_transform

    return create_transform(**recipe.transform)


def create_eval_transform(recipe: TrainingRecipe):
    """Create the evaluation transform: resize and centre crop to the input side, then normalise."""
    from timm.data import create_transform

    return create_transform(input_size=recipe.input_size, is_training=False, crop_pct=EVAL_CROP_PCT)


def create_mixup(recipe: TrainingRecipe):
    """Create ``timm.data.Mixup`` for mixup and CutMix, or return None when neither is configured."""
    if recipe.mixup is None:
        return None
    from timm.data import Mixup

    return Mixup(**recipe.mixup)


def create_loss(recipe: TrainingRecipe) -> nn.Module:
    """Create the training loss the recipe names.

    With mixup or CutMix the targets are soft (label smoothing is applied
    by ``Mixup``), so the loss is ``SoftTargetCrossEntropy``.
    """
    from timm.loss import LabelSmoothingCrossEntropy, SoftTargetCrossEntropy

    if recipe.loss == "SoftTargetCrossEntropy":
        return SoftTargetCrossEntropy()
    if recipe.loss == "LabelSmoothingCrossEntropy":
        return LabelSmoothingCrossEntropy(smoothing=recipe.label_smoothing)
    if recipe.loss == "CrossEntropyLoss":
        return nn.CrossEntropyLoss()
    raise ValueError(f"unknown loss {recipe.loss!r}; expected SoftTargetCrossEntropy, LabelSmoothingCrossEntropy or CrossEntropyLoss")


@dataclass
class TrainingObjects:
    """Everything one training run needs, built from a recipe."""

    model: nn.Module
    optimizer: torch.optim.Optimizer
    scheduler: Any
    loss: nn.Module
    mixup: Any


def build_training(recipe: TrainingRecipe, total_updates: int, device: torch.device | str = "cpu") -> TrainingObjects:
    """Create the model (moved to ``device``), optimizer, schedule, loss and mixup of one run."""
    model = create_model(recipe).to(device)
    optimizer = create_optimizer(recipe, model)
    scheduler = create_scheduler(recipe, optimizer, total_updates)
    return TrainingObjects(model, optimizer, scheduler, create_loss(recipe).to(device), create_mixup(recipe))
