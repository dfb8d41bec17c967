"""Tables that map canonical component values to timm names and arguments.

Each ``map_*`` function turns one component of a configuration into the
arguments of one timm factory. It records in a :class:`MappingNotes` the
values with no timm counterpart (``unsupported``) and the values run in an
approximate form (``approximations``), each with the reason.

Hyper-parameters a configuration does not carry (the weight-decay
coefficient, the RandAugment magnitude, the mixup alpha) take the values of
published recipes: DeiT (Touvron et al., 2021) for the transformer-era
augmentations and regularizers, the ResNet ImageNet recipe (He et al.,
2016) for SGD.

Examples
--------
>>> notes = MappingNotes()
>>> map_optimizer("SAM", notes)
('momentum', {'momentum': 0.9})
>>> notes.unsupported
["optimizer 'SAM': SAM needs two forward passes per update; trained with SGD momentum"]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

#: Canonical optimizer to (timm ``opt`` name, extra keyword arguments). ``momentum`` in timm is plain SGD
#: with momentum; timm's ``sgd`` would add Nesterov momentum.
OPTIMIZERS: dict[str, tuple[str, dict[str, Any]]] = {
    "SGD": ("momentum", {"momentum": 0.0}),
    "SGD momentum": ("momentum", {"momentum": 0.9}),
    "Nesterov": ("nesterov", {"momentum": 0.9}),
    "Adam": ("adam", {}),
    "AdamW": ("adamw", {}),
    "RMSProp": ("rmsproptf", {"momentum": 0.9, "eps": 1e-3}),
    "LAMB": ("lamb", {}),
    "LARS": ("lars", {"momentum": 0.9}),
    "AdaGrad": ("adagrad", {}),
    "AdamP": ("adamp", {}),
    "AdaBelief": ("adabelief", {}),
    "Adafactor": ("adafactor", {}),
    "Lion": ("lion", {}),
    "NAdam": ("nadam", {}),
    "RAdam": ("radam", {}),
}

#: Weight-decay coefficient by timm optimizer when ``weight decay`` is listed: 1e-4 (ResNet recipe)
#: for SGD-like optimizers, 0.05 (DeiT) for decoupled and adaptive ones.
WEIGHT_DECAY: dict[str, float] = {"momentum": 1e-4, "nesterov": 1e-4, "lars": 1e-4, "rmsproptf": 1e-5}
ADAPTIVE_WEIGHT_DECAY = 0.05

#: Canonical schedule to (timm ``sched`` name, schedule options as fractions of the run).
SCHEDULES: dict[str, tuple[str, dict[str, Any]]] = {
    "cosine": ("cosine", {}),
    "linear warmup + cosine": ("cosine", {"warmup": True}),
    "step": ("step", {"decay_fraction": 30 / 90, "decay_rate": 0.1}),
    "multistep": ("multistep", {"milestone_fractions": [30 / 90, 60 / 90, 80 / 90], "decay_rate": 0.1}),
    "linear warmup + linear decay": ("poly", {"warmup": True, "power": 1.0}),
    "linear decay": ("poly", {"power": 1.0}),
    "polynomial": ("poly", {"power": 2.0}),
    # Exponential decay is a step schedule that decays every update, down to 1% of the base rate.
    "exponential": ("step", {"decay_fraction": 0.0, "final_fraction": 0.01}),
    "constant": ("constant", {}),
}

#: Schedules timm's factory has no equivalent for: (timm name, options, canonical schedule run, description).
SCHEDULE_APPROXIMATIONS: dict[str, tuple[str, dict[str, Any], str, str]] = {
    "one-cycle": ("cosine", {"warmup": True, "warmup_fraction": 0.3}, "linear warmup + cosine",
                  "run as 30% linear warm-up then cosine decay"),
    "reduce on plateau": ("constant", {}, "constant",
                          "needs a validation split every epoch; the rate is held constant"),
}

RANDAUGMENT = "rand-m9-mstd0.5"
AUTOAUGMENT = "original"
COLOR_JITTER = 0.4
RANDOM_ERASING_PROB = 0.25
MIXUP_ALPHA = 0.8
CUTMIX_ALPHA = 1.0
LABEL_SMOOTHING = 0.1
DROP_PATH_RATE = 0.1
DROP_RATE = 0.2
DROP_BLOCK_RATE = 0.1
GRAYSCALE_PROB = 0.2
GAUSSIAN_BLUR_PROB = 0.1
GRADIENT_CLIP_NORM = 1.0

#: Augmentations with no counterpart in timm's transform factory, with the reason.
UNSUPPORTED_AUGMENTATIONS: dict[str, str] = {
    "TrivialAugment": "timm's transform factory has no TrivialAugment policy",
    "PCA lighting": "timm's transform factory has no PCA lighting noise",
    "solarization": "timm applies solarization only inside AutoAugment, RandAugment or 3-Augment",
    "repeated augmentation": "repeated augmentation is a multi-process sampler; the verifier trains in one process",
}

#: Regularizers with no counterpart in a short single-model timm run, with the reason.
UNSUPPORTED_REGULARIZATION: dict[str, str] = {
    "EMA": "an EMA of the weights needs far more updates than a budgeted run makes",
    "L1": "timm's optimizers implement only L2 (weight) decay",
    "R1": "the R1 gradient penalty belongs to GAN discriminators, not classifiers",
    "knowledge distillation": "distillation needs a trained teacher, and the verifier never downloads weights",
}


@dataclass
class MappingNotes:
    """Notes on how a configuration was mapped, beyond the timm arguments.

    Attributes
    ----------
    defaults : dict
        Component to the value used because the configuration left it empty.
    unsupported : list of str
        Configured values that are not run, each with the reason.
    approximations : list of str
        Configured values run in an approximate form, each with how.
    applied : dict
        Component to the canonical value(s) actually run, which describe
        the run when it is stored as a configuration.
    """

    defaults: dict[str, Any] = field(default_factory=dict)
    unsupported: list[str] = field(default_factory=list)
    approximations: list[str] = field(default_factory=list)
    applied: dict[str, Any] = field(default_factory=dict)

    def skip(self, component: str, value: str, reason: str) -> None:
        self.unsupported.append(f"{component} {value!r}: {reason}")

    def approximate(self, component: str, value: str, description: str) -> None:
        self.approximations.append(f"{component} {value!r}: {description}")


def map_optimizer(value: str | None, notes: MappingNotes) -> tuple[str, dict[str, Any]]:
    """Return the timm optimizer name and its extra arguments; SGD momentum when unknown or missing."""
    fallback = "SGD momentum"
    if value is None:
        notes.defaults["optimizer"] = fallback
        value = fallback
    if value not in OPTIMIZERS:
        reason = "SAM needs two forward passes per update" if value == "SAM" else "no timm optimizer is mapped to it"
        notes.skip("optimizer", value, f"{reason}; trained with {fallback}")
        value = fallback
    notes.applied["optimizer"] = value
    name, kwargs = OPTIMIZERS[value]
    return name, dict(kwargs)


def map_schedule(value: str | None, notes: MappingNotes) -> tuple[str, dict[str, Any]]:
    """Return the timm scheduler name and the schedule shape as fractions of the run."""
    if value is None:
        notes.defaults["lr_schedule"] = "cosine"
        value = "cosine"
    if value in SCHEDULES:
        name, options = SCHEDULES[value]
        notes.applied["lr_schedule"] = value
    elif value in SCHEDULE_APPROXIMATIONS:
        name, options, run_as, description = SCHEDULE_APPROXIMATIONS[value]
        notes.approximate("lr_schedule", value, description)
        notes.applied["lr_schedule"] = run_as
    else:
        name, options = SCHEDULES["cosine"]
        notes.approximate("lr_schedule", value, "no timm schedule is mapped to it; used cosine")
        notes.applied["lr_schedule"] = "cosine"
    return name, dict(options)


#: Augmentation policies timm runs through ``auto_augment``, in order of preference; one runs at a time.
POLICIES = (("RandAugment", RANDAUGMENT), ("AutoAugment", AUTOAUGMENT), ("3-Augment", "3a"), ("AugMix", "augmix-m5-w4-d2"))


def map_augmentations(
    augmentations: list[str], input_size: int, notes: MappingNotes
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Return the ``create_transform`` arguments and the ``Mixup`` arguments (None without mixup or CutMix)."""
    requested = set(augmentations)
    not_run: set[str] = set()
    transform: dict[str, Any] = {
        "input_size": int(input_size),
        "is_training": True,
        "hflip": 0.5 if "flip" in requested else 0.0,
        "color_jitter": COLOR_JITTER if "color jitter" in requested else None,
        "auto_augment": None,
        "re_prob": 0.0,
        "grayscale_prob": GRAYSCALE_PROB if "grayscale" in requested else 0.0,
        "gaussian_blur_prob": GAUSSIAN_BLUR_PROB if "Gaussian blur" in requested else 0.0,
    }

    if requested & {"random resized crop", "inception crop"}:
        transform["scale"], transform["ratio"] = (0.08, 1.0), (3 / 4, 4 / 3)
    elif "random crop" in requested:
        transform["train_crop_mode"] = "rkrr"
        notes.approximate("data_augmentation", "random crop", "timm's random-scale resize and reflect-padded crop (rkrr)")
    else:
        # A crop of the whole image at one aspect ratio is a plain resize.
        transform["scale"], transform["ratio"] = (1.0, 1.0), (1.0, 1.0)

    policies = [(name, spec) for name, spec in POLICIES if name in requested]
    if policies:
        used = policies[0][0]
        transform["auto_augment"] = policies[0][1]
        for name, _ in policies[1:]:
            notes.skip("data_augmentation", name, f"timm applies one policy at a time; {used} was used")
            not_run.add(name)
        if "color jitter" in requested and used != "3-Augment":
            notes.skip("data_augmentation", "color jitter", f"timm disables color jitter when {used} is on")
            not_run.add("color jitter")

    if "random erasing" in requested:
        transform["re_prob"] = RANDOM_ERASING_PROB
    elif "cutout" in requested:
        transform["re_prob"] = 1.0
        notes.approximate("data_augmentation", "cutout", "random erasing with probability 1 and constant fill")

    for name in sorted(requested):
        if name in UNSUPPORTED_AUGMENTATIONS:
            notes.skip("data_augmentation", name, UNSUPPORTED_AUGMENTATIONS[name])
            not_run.add(name)
        elif name not in _KNOWN_AUGMENTATIONS:
            notes.skip("data_augmentation", name, "unknown to the verifier; not applied")
            not_run.add(name)
    notes.applied["data_augmentation"] = sorted(requested - not_run)

    mixup = None
    if requested & {"mixup", "CutMix"}:
        mixup = {
            "mixup_alpha": MIXUP_ALPHA if "mixup" in requested else 0.0,
            "cutmix_alpha": CUTMIX_ALPHA if "CutMix" in requested else 0.0,
            "prob": 1.0,
            "switch_prob": 0.5,
            "mode": "batch",
        }
    return transform, mixup


_KNOWN_AUGMENTATIONS = frozenset({
    "flip", "random resized crop", "random crop", "inception crop", "color jitter", "AutoAugment", "RandAugment",
    "3-Augment", "AugMix", "mixup", "CutMix", "random erasing", "cutout", "Gaussian blur", "grayscale",
    *UNSUPPORTED_AUGMENTATIONS,
})

#: Families whose timm models take ``drop_block_rate`` (timm's ``ResNet`` class).
DROPBLOCK_FAMILIES = ("resnet", "resnext")


def map_regularization(regularization: list[str], optimizer: str, family: str, notes: MappingNotes) -> dict[str, Any]:
    """Return weight decay, label smoothing, the gradient-norm clip and ``create_model`` keyword arguments."""
    requested = set(regularization)
    not_run: set[str] = set()
    model_kwargs: dict[str, Any] = {}

    weight_decay = 0.0
    if requested & {"weight decay", "L2"}:
        weight_decay = WEIGHT_DECAY.get(optimizer, ADAPTIVE_WEIGHT_DECAY)
        if "L2" in requested and "weight decay" not in requested:
            notes.approximate("regularization", "L2", "applied as the optimizer's weight decay")
    if "stochastic depth" in requested:
        model_kwargs["drop_path_rate"] = DROP_PATH_RATE
    if "dropout" in requested:
        model_kwargs["drop_rate"] = DROP_RATE
    if "DropBlock" in requested:
        if family in DROPBLOCK_FAMILIES:
            model_kwargs["drop_block_rate"] = DROP_BLOCK_RATE
        else:
            notes.skip("regularization", "DropBlock", f"timm implements it only in ResNet-like models, not {family}")
            not_run.add("DropBlock")

    for name in sorted(requested):
        if name in UNSUPPORTED_REGULARIZATION:
            notes.skip("regularization", name, UNSUPPORTED_REGULARIZATION[name])
            not_run.add(name)
        elif name not in _KNOWN_REGULARIZATION:
            notes.skip("regularization", name, "unknown to the verifier; not applied")
            not_run.add(name)
    notes.applied["regularization"] = sorted(requested - not_run)

    return {
        "weight_decay": weight_decay,
        "label_smoothing": LABEL_SMOOTHING if "label smoothing" in requested else 0.0,
        "clip_grad": GRADIENT_CLIP_NORM if "gradient clipping" in requested else None,
        "model_kwargs": model_kwargs,
    }


_KNOWN_REGULARIZATION = frozenset({
    "weight decay", "L2", "label smoothing", "stochastic depth", "dropout", "DropBlock", "gradient clipping",
    *UNSUPPORTED_REGULARIZATION,
})
