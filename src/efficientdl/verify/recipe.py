"""Turn a configuration of canonical component values into a timm training recipe.

A configuration is a ``dict`` keyed by component and identity-field names
(:mod:`efficientdl.schema.components`) holding canonical values. The recipe
is plain data (JSON-serialisable) naming the timm calls that
:mod:`efficientdl.verify.build` makes: ``timm.create_model``,
``timm.optim.create_optimizer_v2``, ``timm.scheduler.create_scheduler_v2``,
``timm.data.create_transform`` and ``timm.data.Mixup``.

Nothing in a configuration is dropped silently. A value with no timm
counterpart is listed in :attr:`TrainingRecipe.unsupported`, and a value
replaced by its nearest timm equivalent in ``approximations``. A component
the configuration leaves empty is listed in ``defaults``. Every number
changed to fit the data or the compute budget is in ``scaled_down``, with
its original value, the value used and the reason.

The per-component tables live in :mod:`efficientdl.verify.mapping`; this
module sets the numbers (epochs, batch size, learning rate) and fits the
recipe to the data set.

Examples
--------
>>> recipe = build_recipe(
...     {"architecture_family": "resnet", "parameters": 25.6, "optimizer": "AdamW",
...      "lr_schedule": "cosine", "data_augmentation": ["flip", "mixup"],
...      "regularization": ["label smoothing"], "epochs": 300, "batch_size": 1024,
...      "learning_rate": 0.001},
...     num_classes=10, input_size=32, train_size=1347)
>>> recipe.model_name, recipe.optimizer, recipe.batch_size, recipe.loss
('resnet50', 'adamw', 128, 'SoftTargetCrossEntropy')
>>> recipe.scaled_down["batch_size"]["original"]
1024
"""

from __future__ import annotations

import logging
import math
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any

from efficientdl.verify.architectures import choose_model
from efficientdl.verify.mapping import (
    MappingNotes,
    map_augmentations,
    map_optimizer,
    map_regularization,
    map_schedule,
)

logger = logging.getLogger(__name__)

#: timm optimizers whose learning rate follows the linear scaling rule when the batch changes
#: (Goyal et al., 2017); the adaptive ones use square-root scaling.
LINEAR_SCALING_OPTIMIZERS = ("momentum", "nesterov", "lars")

#: Base learning rate at a batch of 256 when the configuration gives none.
DEFAULT_LR_AT_256: dict[str, float] = {"momentum": 0.1, "nesterov": 0.1, "lars": 0.1, "rmsproptf": 0.016}
ADAPTIVE_DEFAULT_LR_AT_256 = 2.5e-4

#: Warm-up length of a warm-up schedule: 5 epochs of the original run (DeiT), at most this fraction of it.
WARMUP_EPOCHS = 5
MAX_WARMUP_FRACTION = 0.2

#: Augmentations and regularizers used when a configuration gives none: the ResNet ImageNet recipe.
DEFAULT_AUGMENTATIONS = ("flip", "random resized crop")
DEFAULT_REGULARIZATION = ("weight decay",)

#: An epoch makes at least this many updates, which caps the batch size on small data sets.
MIN_UPDATES_PER_EPOCH = 10


@dataclass
class TrainingRecipe:
    """A torch + timm training recipe, as plain data.

    Attributes
    ----------
    model_name : str
        timm model to build (``pretrained=False``).
    requested_model : str
        Faithful model before any stand-in replaced it.
    architecture_family : str
        Family ladder the model and its stand-ins come from.
    stand_ins : list of str
        Smaller models the run may step down to, largest first.
    model_kwargs : dict
        Extra ``timm.create_model`` arguments (``drop_rate``,
        ``drop_path_rate``, ``img_size``, ``patch_size``).
    optimizer, optimizer_kwargs
        timm optimizer name and its extra arguments.
    learning_rate : float
        Base learning rate at ``batch_size``.
    weight_decay : float
        Decoupled or L2 decay coefficient; 0 when not configured.
    lr_schedule : str
        timm scheduler name (``cosine``, ``step``, ``multistep``, ``poly``,
        ``constant``).
    schedule_options : dict
        Schedule shape as fractions of the run (``warmup_fraction``,
        ``decay_fraction``, ``milestone_fractions``), so the shape survives
        when the run is shortened.
    epochs : float
        Epochs to train; the trainer may shorten the run to the budget.
    batch_size : int
        Images per update.
    input_size : int
        Image side fed to the model, pixels.
    num_classes : int
        Output length.
    transform : dict
        Keyword arguments of ``timm.data.create_transform`` for training.
    mixup : dict or None
        Keyword arguments of ``timm.data.Mixup``, or None without mixup
        and CutMix.
    label_smoothing : float
        Smoothing of the targets, 0 when not configured.
    loss : str
        ``SoftTargetCrossEntropy`` (with mixup), ``LabelSmoothingCrossEntropy``
        or ``CrossEntropyLoss``.
    clip_grad : float or None
        Gradient-norm clip, or None.
    unsupported, approximations : list of str
        Configured values the recipe cannot run, and values it runs in an
        approximate form, each with the reason.
    defaults : dict
        Component to the value used because the configuration left it empty.
    applied : dict
        Component to the canonical value(s) actually run (optimizer,
        lr_schedule, data_augmentation, regularization).
    scaled_down : dict
        Quantity to ``{"original", "actual", "reason"}`` for every number
        changed to fit the data or the budget.
    """

    model_name: str
    requested_model: str
    architecture_family: str
    stand_ins: list[str]
    model_kwargs: dict[str, Any]
    optimizer: str
    optimizer_kwargs: dict[str, Any]
    learning_rate: float
    weight_decay: float
    lr_schedule: str
    schedule_options: dict[str, Any]
    epochs: float
    batch_size: int
    input_size: int
    num_classes: int
    transform: dict[str, Any]
    mixup: dict[str, Any] | None
    label_smoothing: float
    loss: str
    clip_grad: float | None = None
    unsupported: list[str] = field(default_factory=list)
    approximations: list[str] = field(default_factory=list)
    defaults: dict[str, Any] = field(default_factory=dict)
    applied: dict[str, Any] = field(default_factory=dict)
    scaled_down: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the recipe as a JSON-serialisable dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainingRecipe":
        """Rebuild a recipe from :meth:`to_dict` output."""
        return cls(**data)

    def record_scaling(self, quantity: str, original: Any, actual: Any, reason: str) -> None:
        """Record that ``quantity`` runs at ``actual`` instead of ``original``.

        A quantity changed twice keeps its first original value and both reasons.
        """
        entry = self.scaled_down.get(quantity)
        if entry is not None:
            original = entry["original"]
            reason = f"{entry['reason']}; then {reason}"
        self.scaled_down[quantity] = {"original": original, "actual": actual, "reason": reason}


def _as_list(value: Any) -> list[str] | None:
    if value is None:
        return None
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def _number(config: dict[str, Any], name: str) -> float | None:
    value = config.get(name)
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}={value!r} is not a number; give it as e.g. {name}=300") from None
    return None if math.isnan(number) else number


def build_recipe(config: dict[str, Any], *, num_classes: int, input_size: int, train_size: int) -> TrainingRecipe:
    """Map a configuration to a recipe for a data set of the given shape.

    Parameters
    ----------
    config : dict
        Canonical component values; any key may be missing.
    num_classes : int
        Classes of the data set trained on.
    input_size : int
        Image side the data set is fed at, pixels.
    train_size : int
        Training images, which caps the batch size so an epoch makes at
        least :data:`MIN_UPDATES_PER_EPOCH` updates.

    Returns
    -------
    TrainingRecipe
    """
    if num_classes < 2:
        raise ValueError(f"num_classes={num_classes}: a classification run needs at least 2 classes")
    if train_size < 2:
        raise ValueError(f"train_size={train_size}: a training split needs at least 2 images")

    notes = MappingNotes()
    choice = choose_model(config.get("architecture_family"), _number(config, "parameters"), config.get("model_name"))
    notes.approximations.extend(choice.notes)

    optimizer, optimizer_kwargs = map_optimizer(config.get("optimizer"), notes)
    schedule, schedule_options = map_schedule(config.get("lr_schedule"), notes)
    augmentations = _as_list(config.get("data_augmentation"))
    regularization = _as_list(config.get("regularization"))
    if augmentations is None:
        augmentations = notes.defaults["data_augmentation"] = list(DEFAULT_AUGMENTATIONS)
    if regularization is None:
        regularization = notes.defaults["regularization"] = list(DEFAULT_REGULARIZATION)

    transform, mixup = map_augmentations(augmentations, input_size, notes)
    regularizers = map_regularization(regularization, optimizer, choice.family, notes)

    recipe = TrainingRecipe(
        model_name=choice.timm_name,
        requested_model=choice.timm_name,
        architecture_family=choice.family,
        stand_ins=choice.stand_ins,
        model_kwargs=regularizers["model_kwargs"],
        optimizer=optimizer,
        optimizer_kwargs=optimizer_kwargs,
        learning_rate=0.0,
        weight_decay=regularizers["weight_decay"],
        lr_schedule=schedule,
        schedule_options=schedule_options,
        epochs=0.0,
        batch_size=0,
        input_size=int(input_size),
        num_classes=int(num_classes),
        transform=transform,
        mixup=None,
        label_smoothing=regularizers["label_smoothing"],
        loss="CrossEntropyLoss",
        clip_grad=regularizers["clip_grad"],
        unsupported=notes.unsupported,
        approximations=notes.approximations,
        defaults=notes.defaults,
        applied=notes.applied,
    )

    _set_numbers(recipe, config, train_size, mixup is not None)
    _set_loss(recipe, mixup)
    _fit_to_input(recipe, config)
    return recipe


def _set_numbers(recipe: TrainingRecipe, config: dict[str, Any], train_size: int, mixup: bool) -> None:
    """Set epochs, batch size, learning rate and warm-up, recording defaults and scaling."""
    epochs = _number(config, "epochs")
    if epochs is None or epochs <= 0:
        epochs = 100.0
        recipe.defaults["epochs"] = epochs
    recipe.epochs = epochs

    batch = _number(config, "batch_size")
    if batch is None or batch < 1:
        batch = 256.0
        recipe.defaults["batch_size"] = 256
    original_batch = int(batch)
    recipe.batch_size, reason = _fit_batch_size(original_batch, train_size, mixup)
    if recipe.batch_size != original_batch:
        recipe.record_scaling("batch_size", original_batch, recipe.batch_size, reason)

    learning_rate = _number(config, "learning_rate")
    linear = recipe.optimizer in LINEAR_SCALING_OPTIMIZERS
    if learning_rate is None or learning_rate <= 0:
        at_256 = DEFAULT_LR_AT_256.get(recipe.optimizer, ADAPTIVE_DEFAULT_LR_AT_256)
        learning_rate = at_256 * original_batch / 256
        recipe.defaults["learning_rate"] = learning_rate
    ratio = recipe.batch_size / original_batch
    recipe.learning_rate = learning_rate * (ratio if linear else math.sqrt(ratio))
    if recipe.batch_size != original_batch:
        rule = "linear scaling rule" if linear else "square-root scaling rule for adaptive optimizers"
        recipe.record_scaling(
            "learning_rate", learning_rate, recipe.learning_rate,
            f"batch size {original_batch} -> {recipe.batch_size}, {rule}",
        )

    options = recipe.schedule_options
    if options.pop("warmup", False) and "warmup_fraction" not in options:
        options["warmup_fraction"] = min(MAX_WARMUP_FRACTION, WARMUP_EPOCHS / epochs)


def _fit_batch_size(original: int, train_size: int, mixup: bool) -> tuple[int, str]:
    """Return the batch size to run and why it differs from ``original``."""
    cap = 2 ** int(math.log2(max(2, train_size // MIN_UPDATES_PER_EPOCH)))
    if original > cap:
        return cap, (
            f"{train_size} training images make at least {MIN_UPDATES_PER_EPOCH} updates per epoch only with "
            f"batches of at most {cap}"
        )
    if original < 2:
        return 2, "batch norm needs at least 2 images per batch"
    if mixup and original % 2:
        return original + 1, "mixup and CutMix pair images, so the batch size must be even"
    return original, ""


def _set_loss(recipe: TrainingRecipe, mixup: dict[str, Any] | None) -> None:
    if mixup is not None:
        recipe.mixup = {**mixup, "label_smoothing": recipe.label_smoothing, "num_classes": recipe.num_classes}
        recipe.loss = "SoftTargetCrossEntropy"
    elif recipe.label_smoothing > 0:
        recipe.loss = "LabelSmoothingCrossEntropy"


def _fit_to_input(recipe: TrainingRecipe, config: dict[str, Any]) -> None:
    """Record the input side when it differs from the configured one, then fit the patch size."""
    configured = _number(config, "input_size")
    if configured is not None and int(configured) != recipe.input_size:
        recipe.record_scaling("input_size", int(configured), recipe.input_size, "the data set is fed at this side")
    fit_patch_size(recipe)


def fit_patch_size(recipe: TrainingRecipe) -> None:
    """Set ``img_size`` of a vision transformer and shrink its patches so the patch grid stays at least 8x8.

    Call again after replacing ``recipe.model_name``; models without a patch
    embedding are left alone.
    """
    recipe.model_kwargs.pop("img_size", None)
    recipe.model_kwargs.pop("patch_size", None)
    recipe.scaled_down.pop("patch_size", None)

    patch = _patch_size(recipe.model_name)
    if patch is None:
        return
    recipe.model_kwargs["img_size"] = recipe.input_size
    if recipe.input_size // patch >= 8:
        return
    smaller = max(1, recipe.input_size // 8)
    recipe.model_kwargs["patch_size"] = smaller
    recipe.record_scaling(
        "patch_size", patch, smaller,
        f"{recipe.input_size} px images give {recipe.input_size // patch} patches per side with {patch} px patches; "
        "patches shrink to keep an 8x8 grid",
    )


@lru_cache(maxsize=None)
def _patch_size(timm_name: str) -> int | None:
    """Return the patch side of a timm model with a patch embedding, built on the meta device, or None."""
    import timm
    import torch

    with torch.device("meta"):
        model = timm.create_model(timm_name, pretrained=False)
    embedding = getattr(model, "patch_embed", None)
    size = getattr(embedding, "patch_size", None)
    if size is None:
        return None
    return int(size[0]) if isinstance(size, (tuple, list)) else int(size)
