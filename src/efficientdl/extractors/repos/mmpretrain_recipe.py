"""Training recipe of an mmpretrain model read from its resolved config.

In mmpretrain's configs (mmengine 0.x format) the optimizer is
``optim_wrapper.optimizer`` and the learning-rate schedule is
``param_scheduler``: one scheduler, or a list with the warm-up first. The
epoch count is ``train_cfg.max_epochs`` and the per-GPU batch is
``train_dataloader.batch_size``. Augmentations are the training pipeline's
transforms plus ``model.train_cfg.augments`` (Mixup, CutMix). The older
mmcls 0.x format (``optimizer``, ``lr_config``, ``runner``, ``data``) is
read as a fallback.

Examples
--------
>>> schedule_name([{"type": "LinearLR", "end": 5}, {"type": "CosineAnnealingLR", "begin": 5}])
('linear warmup + cosine', {'warmup_epochs': 5, 'warmup_type': 'LinearLR', 'lr_scheduler': 'CosineAnnealingLR'})
>>> gpus_from_name("resnet50_8xb32_in1k")
(8, 32)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import regex

from efficientdl.extractors.repos.config_values import finite_number
from efficientdl.extractors.repos.mmengine_config import ResolvedConfig

#: mmengine scheduler type to the lr_schedule vocabulary.
_MAIN_SCHEDULES = {
    "CosineAnnealingLR": "cosine",
    "CosineAnnealingParamScheduler": "cosine",
    "CosineRestartLR": "cosine",
    "MultiStepLR": "multistep",
    "StepLR": "step",
    "LinearLR": "linear decay",
    "PolyLR": "polynomial",
    "ExponentialLR": "exponential",
    "OneCycleLR": "one-cycle",
    "ConstantLR": "constant",
    "ReduceOnPlateauLR": "reduce on plateau",
}

#: Scheduler types that act as a warm-up when they come first in a list of several.
_WARMUP_TYPES = ("LinearLR", "ConstantLR", "QuadraticWarmupLR", "ExponentialLR")

#: mmcls 0.x ``lr_config.policy`` to the lr_schedule vocabulary.
_OLD_POLICIES = {
    "step": "step",
    "cosineannealing": "cosine",
    "cosinerestart": "cosine",
    "poly": "polynomial",
    "exp": "exponential",
    "onecycle": "one-cycle",
    "fixed": "constant",
}

#: Training-pipeline transform types to the data_augmentation vocabulary.
_TRANSFORM_AUGMENTATIONS = {
    "RandomResizedCrop": "random resized crop",
    "EfficientNetRandomCrop": "random resized crop",
    "RandomResizedCropAndInterpolationWithTwoPic": "random resized crop",
    "RandomCrop": "random crop",
    "RandomFlip": "flip",
    "RandAugment": "RandAugment",
    "AutoAugment": "AutoAugment",
    "RandomErasing": "random erasing",
    "ColorJitter": "color jitter",
    "Lighting": "PCA lighting",
    "GaussianBlur": "Gaussian blur",
    "RandomGrayscale": "grayscale",
    "Solarize": "solarization",
    "TrivialAugmentWide": "TrivialAugment",
    "AugMix": "AugMix",
}

#: Transforms that load, resize or pack data without randomness: not augmentations.
_DETERMINISTIC_TRANSFORMS = frozenset({
    "LoadImageFromFile", "LoadImageFromNDArray", "PackInputs", "PackClsInputs", "PackMultiTaskInputs",
    "PackSelfSupInputs", "ResizeEdge", "Resize", "CenterCrop", "EfficientNetCenterCrop", "Normalize",
    "ImageToTensor", "ToTensor", "Collect", "ToNumpy", "Transpose", "Pad",
})

#: ``model.train_cfg.augments`` types (batch augmentations) to the vocabulary.
_BATCH_AUGMENTATIONS = {"Mixup": "mixup", "BatchMixup": "mixup", "CutMix": "CutMix", "BatchCutMix": "CutMix"}

_NAME_BATCH = regex.compile(r"(?:^|[_\-])(\d+)xb(\d+)(?=$|[_\-])")


@dataclass
class ConfigRecipe:
    """Fields, details and field sources read from one resolved config."""

    fields: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)
    field_sources: dict[str, str] = field(default_factory=dict)
    unmapped: list[str] = field(default_factory=list)


def gpus_from_name(name: str) -> tuple[int, int] | None:
    """Return (GPU count, per-GPU batch) from mmpretrain's ``<N>xb<M>`` name part, or None."""
    match = _NAME_BATCH.search(name)
    return (int(match[1]), int(match[2])) if match else None


def schedule_name(schedulers: Any) -> tuple[str | None, dict[str, Any]]:
    """Name the learning-rate schedule of ``param_scheduler`` and describe its warm-up.

    Parameters
    ----------
    schedulers : dict or list of dict
        mmengine parameter schedulers in order; momentum schedulers are ignored.

    Returns
    -------
    name : str or None
        A value of the lr_schedule vocabulary, or the raw type when unknown.
    details : dict
        ``warmup_epochs`` or ``warmup_iters``, ``warmup_type`` and the main
        ``lr_scheduler`` type.
    """
    items = schedulers if isinstance(schedulers, (list, tuple)) else [schedulers]
    items = [s for s in items if isinstance(s, dict) and isinstance(s.get("type"), str) and "Momentum" not in s["type"]]
    if not items:
        return None, {}

    details: dict[str, Any] = {}
    warmup = items[0] if len(items) > 1 and items[0]["type"] in _WARMUP_TYPES else None
    main = items[-1]
    if warmup is not None:
        length = _scheduler_length(warmup)
        if length is not None:
            unit = "warmup_epochs" if warmup.get("by_epoch", True) else "warmup_iters"
            details[unit] = int(length) if float(length).is_integer() else length
        details["warmup_type"] = warmup["type"]
    details["lr_scheduler"] = main["type"]

    name = _MAIN_SCHEDULES.get(main["type"], main["type"])
    if warmup is not None and warmup["type"] == "LinearLR" and name in ("cosine", "linear decay"):
        name = f"linear warmup + {name}"
    return name, details


def _scheduler_length(scheduler: dict) -> float | None:
    end = finite_number(scheduler.get("end"))
    begin = finite_number(scheduler.get("begin", 0)) or 0.0
    return None if end is None else end - begin


def _old_schedule(lr_config: dict) -> tuple[str | None, dict[str, Any]]:
    """Name an mmcls 0.x ``lr_config`` schedule (``policy='CosineAnnealing', warmup='linear'``)."""
    policy = str(lr_config.get("policy", "")).lower()
    name = _OLD_POLICIES.get(policy, policy or None)
    if policy == "step" and isinstance(lr_config.get("step"), (list, tuple)) and len(lr_config["step"]) > 1:
        name = "multistep"
    details: dict[str, Any] = {"lr_policy": lr_config.get("policy")}
    if lr_config.get("warmup"):
        details["warmup_type"] = lr_config["warmup"]
        length = finite_number(lr_config.get("warmup_iters"))
        if length is not None:
            details["warmup_epochs" if lr_config.get("warmup_by_epoch") else "warmup_iters"] = length
        if lr_config["warmup"] == "linear" and name == "cosine":
            name = "linear warmup + cosine"
    return name, details


class _RecipeReader:
    """Read one config into a :class:`ConfigRecipe`, recording where each value was found."""

    def __init__(self, config: ResolvedConfig, label: str, root: Path | None) -> None:
        self.config = config
        self.label = label
        self.root = root
        self.recipe = ConfigRecipe()

    def first(self, *keys: str) -> tuple[str | None, Any]:
        for key in keys:
            value = self.config.get(key)
            if value is not None:
                return key, value
        return None, None

    def source(self, key: str) -> str:
        origin = self.config.source_of(key)
        text = f"config {self.label}: {key}"
        if origin is not None and Path(origin) != self.config.path:
            text += f" (set in {self._relative(origin)})"
        return text

    def _relative(self, path: str) -> str:
        if self.root is not None:
            try:
                return str(Path(path).relative_to(self.root))
            except ValueError:
                pass
        return Path(path).name

    def set(self, name: str, value: Any, key: str) -> None:
        self.recipe.fields[name] = value
        self.recipe.field_sources[name] = self.source(key)

    def add(self, name: str, value: str, key: str) -> None:
        items = self.recipe.fields.setdefault(name, [])
        if value not in items:
            items.append(value)
        sources = self.recipe.field_sources.get(name)
        entry = self.source(key)
        self.recipe.field_sources[name] = entry if sources is None else f"{sources}; {entry}"


def read_recipe(config: ResolvedConfig, *, label: str, name: str, root: Path | None = None) -> ConfigRecipe:
    """Read the training recipe of ``config``.

    Parameters
    ----------
    config : ResolvedConfig
        The resolved config.
    label : str
        How field sources name the config (its path relative to the checkout).
    name : str
        Config or model name whose ``<N>xb<M>`` part gives the GPU count
        that turns the per-GPU batch into the total batch size.
    root : Path, optional
        Checkout root, for relative file names in field sources.
    """
    reader = _RecipeReader(config, label, root)
    _optimizer(reader)
    _schedule(reader)
    _epochs_and_batch(reader, name)
    _augmentations(reader)
    _regularization(reader)

    key, num_classes = reader.first("model.head.num_classes", "data_preprocessor.num_classes")
    if finite_number(num_classes):
        reader.set("num_classes", num_classes, key)
    if config.unresolved:
        reader.recipe.details["config_unresolved"] = [u.expression for u in config.unresolved[:10]]
    return reader.recipe


def _optimizer(reader: _RecipeReader) -> None:
    key, optimizer = reader.first("optim_wrapper.optimizer", "optimizer")
    if not isinstance(optimizer, dict):
        return
    raw_type = optimizer.get("type")
    if isinstance(raw_type, str):
        kind = raw_type.rsplit(".", 1)[-1]
        momentum = finite_number(optimizer.get("momentum")) or 0.0
        if kind.lower() == "sgd":
            if optimizer.get("nesterov"):
                kind = "Nesterov"
            elif momentum > 0:
                kind = "SGD momentum"
            else:
                kind = "SGD"
        reader.set("optimizer", kind, f"{key}.type")
        reader.recipe.details["optimizer_type"] = raw_type

    lr = finite_number(optimizer.get("lr"))
    if lr is not None:
        reader.set("learning_rate", lr, f"{key}.lr")
    for detail in ("momentum", "weight_decay", "betas", "eps"):
        value = optimizer.get(detail)
        if value is not None and not isinstance(value, dict):
            reader.recipe.details[detail] = list(value) if isinstance(value, tuple) else value
    if (finite_number(optimizer.get("weight_decay")) or 0.0) > 0:
        reader.add("regularization", "weight decay", f"{key}.weight_decay")

    clip_key, clip = reader.first("optim_wrapper.clip_grad", "optimizer_config.grad_clip")
    if isinstance(clip, dict) and finite_number(clip.get("max_norm")):
        reader.add("regularization", "gradient clipping", f"{clip_key}.max_norm")
        reader.recipe.details["gradient_clip_max_norm"] = clip["max_norm"]


def _schedule(reader: _RecipeReader) -> None:
    schedulers = reader.config.get("param_scheduler")
    if schedulers is not None:
        name, details = schedule_name(schedulers)
        key = "param_scheduler"
    else:
        lr_config = reader.config.get("lr_config")
        if not isinstance(lr_config, dict):
            return
        name, details = _old_schedule(lr_config)
        key = "lr_config"
    if name is not None:
        reader.set("lr_schedule", name, key)
    reader.recipe.details.update(details)


def _epochs_and_batch(reader: _RecipeReader, name: str) -> None:
    key, epochs = reader.first("train_cfg.max_epochs", "runner.max_epochs", "total_epochs")
    if finite_number(epochs):
        reader.set("epochs", epochs, key)
    max_iters = reader.config.get("train_cfg.max_iters")
    if finite_number(max_iters):
        reader.recipe.details["max_iters"] = max_iters

    key, per_gpu = reader.first("train_dataloader.batch_size", "data.samples_per_gpu")
    if not isinstance(per_gpu, int) or isinstance(per_gpu, bool):
        return
    reader.recipe.details["per_gpu_batch_size"] = per_gpu
    gpus = gpus_from_name(name) or gpus_from_name(reader.config.path.stem)
    if gpus is not None:
        reader.set("batch_size", per_gpu * gpus[0], key)
        reader.recipe.field_sources["batch_size"] += f" x {gpus[0]} GPUs from the name {gpus[0]}xb{gpus[1]}"
        reader.recipe.details["config_gpus"] = gpus[0]


def _train_pipeline(reader: _RecipeReader) -> tuple[str | None, list]:
    """Find the training pipeline: in the dataloader's dataset, wrapped datasets, or the old ``data.train``."""
    for key in ("train_dataloader.dataset", "data.train"):
        dataset = reader.config.get(key)
        depth = 0
        while isinstance(dataset, dict) and depth < 5:
            if isinstance(dataset.get("pipeline"), list):
                return f"{key}.pipeline", dataset["pipeline"]
            inner = dataset.get("dataset")
            if inner is None and isinstance(dataset.get("datasets"), list) and dataset["datasets"]:
                inner = dataset["datasets"][0]
            dataset, key, depth = inner, f"{key}.dataset", depth + 1
    pipeline = reader.config.get("train_pipeline")
    return ("train_pipeline", pipeline) if isinstance(pipeline, list) else (None, [])


def _transforms(pipeline: list) -> list[dict]:
    """Flatten a pipeline, descending into RandomApply/RandomChoice wrappers."""
    found: list[dict] = []
    for step in pipeline:
        if isinstance(step, dict):
            found.append(step)
            nested = step.get("transforms")
            if isinstance(nested, list):
                found.extend(_transforms(nested))
        elif isinstance(step, list):
            found.extend(_transforms(step))
    return found


def _augmentations(reader: _RecipeReader) -> None:
    key, pipeline = _train_pipeline(reader)
    unmapped = []
    for step in _transforms(pipeline):
        kind = step.get("type")
        if not isinstance(kind, str):
            continue
        if kind in _TRANSFORM_AUGMENTATIONS:
            reader.add("data_augmentation", _TRANSFORM_AUGMENTATIONS[kind], f"{key}[type={kind}]")
            size = step.get("scale", step.get("size", step.get("crop_size")))
            if kind in ("RandomResizedCrop", "EfficientNetRandomCrop") and "input_size" not in reader.recipe.fields:
                side = size[0] if isinstance(size, (list, tuple)) and size else size
                if finite_number(side):
                    reader.set("input_size", side, f"{key}[type={kind}].scale")
        elif kind not in _DETERMINISTIC_TRANSFORMS and kind not in unmapped:
            unmapped.append(kind)
    if unmapped:
        reader.recipe.details["unmapped_transforms"] = unmapped
        reader.recipe.unmapped.extend(unmapped)

    augments = reader.config.get("model.train_cfg.augments")
    for index, augment in enumerate(augments if isinstance(augments, list) else [augments]):
        kind = augment.get("type") if isinstance(augment, dict) else None
        if kind in _BATCH_AUGMENTATIONS:
            reader.add("data_augmentation", _BATCH_AUGMENTATIONS[kind], f"model.train_cfg.augments[{index}]")
            reader.recipe.details[f"{_BATCH_AUGMENTATIONS[kind].lower()}_alpha"] = augment.get("alpha")
        elif isinstance(kind, str):
            reader.recipe.unmapped.append(kind)

    sampler = reader.config.get("train_dataloader.sampler.type")
    if sampler == "RepeatAugSampler":
        reader.add("data_augmentation", "repeated augmentation", "train_dataloader.sampler.type")


def _regularization(reader: _RecipeReader) -> None:
    loss = reader.config.get("model.head.loss")
    if isinstance(loss, dict):
        smoothing = finite_number(loss.get("label_smooth_val"))
        if loss.get("type") == "LabelSmoothLoss" or (smoothing or 0) > 0:
            reader.add("regularization", "label smoothing", "model.head.loss")
            if smoothing is not None:
                reader.recipe.details["label_smoothing"] = smoothing

    drop_path = finite_number(reader.config.get("model.backbone.drop_path_rate"))
    if drop_path is not None:
        reader.recipe.details["drop_path_rate"] = drop_path
        if drop_path > 0:
            reader.add("regularization", "stochastic depth", "model.backbone.drop_path_rate")
    dropout = finite_number(reader.config.get("model.backbone.drop_rate"))
    if dropout:
        reader.recipe.details["dropout_rate"] = dropout
        reader.add("regularization", "dropout", "model.backbone.drop_rate")

    hooks = reader.config.get("custom_hooks")
    for index, hook in enumerate(hooks if isinstance(hooks, list) else []):
        if isinstance(hook, dict) and hook.get("type") == "EMAHook":
            reader.add("regularization", "EMA", f"custom_hooks[{index}]")
            reader.recipe.details["ema_momentum"] = hook.get("momentum")
