"""Configurations become timm recipes, and recipes become the timm objects they name."""

from __future__ import annotations

import json

import pytest
import torch
from timm.data import Mixup
from timm.data.auto_augment import AutoAugment, RandAugment
from timm.data.random_erasing import RandomErasing
from timm.loss import LabelSmoothingCrossEntropy, SoftTargetCrossEntropy
from timm.optim import Lamb
from timm.scheduler import CosineLRScheduler, MultiStepLRScheduler, PolyLRScheduler, StepLRScheduler
from torchvision import transforms

from efficientdl.verify.architectures import choose_model
from efficientdl.verify.build import build_training, create_train_transform
from efficientdl.verify.mapping import OPTIMIZERS, SCHEDULE_APPROXIMATIONS, SCHEDULES
from efficientdl.verify.recipe import TrainingRecipe, build_recipe, fit_patch_size

DIGITS_SHAPE = {"num_classes": 10, "input_size": 32, "train_size": 1347}


def _recipe(**config):
    return build_recipe({"model_name": "test_resnet", **config}, **DIGITS_SHAPE)


def _transform_types(recipe):
    return [type(t) for t in create_train_transform(recipe).transforms]


def test_adamw_cosine_warmup_mixup_objects():
    recipe = _recipe(
        optimizer="AdamW", lr_schedule="linear warmup + cosine", epochs=300, batch_size=128, learning_rate=1e-3,
        data_augmentation=["flip", "random resized crop", "RandAugment", "mixup", "CutMix"],
        regularization=["label smoothing", "weight decay"],
    )
    objects = build_training(recipe, total_updates=100)

    assert isinstance(objects.optimizer, torch.optim.AdamW)
    assert max(group["weight_decay"] for group in objects.optimizer.param_groups) == 0.05
    assert isinstance(objects.scheduler, CosineLRScheduler)
    assert objects.scheduler.warmup_t == 2
    assert isinstance(objects.mixup, Mixup)
    assert objects.mixup.mixup_alpha == 0.8
    assert objects.mixup.cutmix_alpha == 1.0
    assert objects.mixup.label_smoothing == 0.1
    assert isinstance(objects.loss, SoftTargetCrossEntropy)
    assert RandAugment in _transform_types(recipe)
    assert transforms.RandomHorizontalFlip in _transform_types(recipe)


def test_sgd_step_autoaugment_erasing_objects():
    recipe = _recipe(
        optimizer="SGD momentum", lr_schedule="step", epochs=90, batch_size=64, learning_rate=0.1,
        data_augmentation=["AutoAugment", "random erasing", "color jitter"], regularization=["weight decay"],
    )
    objects = build_training(recipe, total_updates=90)

    assert isinstance(objects.optimizer, torch.optim.SGD)
    assert objects.optimizer.defaults["momentum"] == 0.9
    assert objects.optimizer.defaults["nesterov"] is False
    assert isinstance(objects.scheduler, StepLRScheduler)
    assert objects.scheduler.decay_t == 30
    assert objects.mixup is None
    assert isinstance(objects.loss, torch.nn.CrossEntropyLoss)
    assert AutoAugment in _transform_types(recipe)
    assert RandomErasing in _transform_types(recipe)
    assert transforms.RandomHorizontalFlip not in _transform_types(recipe)
    assert any("color jitter" in line for line in recipe.unsupported)


def test_lamb_multistep_label_smoothing_objects():
    recipe = _recipe(optimizer="LAMB", lr_schedule="multistep", epochs=90, batch_size=128,
                     data_augmentation=["flip"], regularization=["label smoothing"])
    objects = build_training(recipe, total_updates=90)

    assert isinstance(objects.optimizer, Lamb)
    assert isinstance(objects.scheduler, MultiStepLRScheduler)
    assert objects.scheduler.decay_t == [30, 60, 80]
    assert isinstance(objects.loss, LabelSmoothingCrossEntropy)
    assert recipe.weight_decay == 0.0


def test_nesterov_and_poly_objects():
    recipe = _recipe(optimizer="Nesterov", lr_schedule="linear warmup + linear decay", epochs=100, batch_size=32)
    objects = build_training(recipe, total_updates=50)

    assert objects.optimizer.defaults["nesterov"] is True
    assert isinstance(objects.scheduler, PolyLRScheduler)
    assert objects.scheduler.power == 1.0


def test_exponential_schedule_ends_at_one_percent():
    recipe = _recipe(optimizer="SGD", lr_schedule="exponential", learning_rate=0.1, batch_size=64)
    objects = build_training(recipe, total_updates=40)
    objects.scheduler.step_update(num_updates=40)

    assert objects.optimizer.param_groups[0]["lr"] == pytest.approx(0.001)


def test_unsupported_values_are_reported():
    recipe = _recipe(optimizer="SAM", lr_schedule="one-cycle",
                     data_augmentation=["flip", "TrivialAugment", "moiré shuffle"], regularization=["EMA", "dropout"])

    assert recipe.optimizer == "momentum"
    assert any(line.startswith("optimizer 'SAM'") for line in recipe.unsupported)
    assert any("TrivialAugment" in line for line in recipe.unsupported)
    assert any("moiré shuffle" in line for line in recipe.unsupported)
    assert any("EMA" in line for line in recipe.unsupported)
    assert any(line.startswith("lr_schedule 'one-cycle'") for line in recipe.approximations)
    assert recipe.applied["data_augmentation"] == ["flip"]
    assert recipe.applied["regularization"] == ["dropout"]
    assert recipe.model_kwargs["drop_rate"] == 0.2


def test_missing_components_use_recorded_defaults():
    recipe = build_recipe({}, **DIGITS_SHAPE)

    assert recipe.model_name == "resnet50"
    assert recipe.defaults["optimizer"] == "SGD momentum"
    assert recipe.defaults["lr_schedule"] == "cosine"
    assert recipe.defaults["epochs"] == 100.0
    assert recipe.defaults["data_augmentation"] == ["flip", "random resized crop"]


def test_batch_and_lr_scaled_down_recorded():
    recipe = _recipe(optimizer="SGD momentum", batch_size=1024, learning_rate=0.4, input_size=224)

    assert recipe.batch_size == 128
    assert recipe.scaled_down["batch_size"]["original"] == 1024
    assert recipe.learning_rate == pytest.approx(0.05)
    assert recipe.scaled_down["learning_rate"]["original"] == 0.4
    assert recipe.scaled_down["input_size"] == {
        "original": 224, "actual": 32, "reason": "the data set is fed at this side",
    }


def test_adaptive_lr_uses_square_root_scaling():
    recipe = _recipe(optimizer="AdamW", batch_size=512, learning_rate=0.002)

    assert recipe.learning_rate == pytest.approx(0.001)


def test_mixup_batch_is_even():
    recipe = build_recipe({"model_name": "test_resnet", "batch_size": 7, "data_augmentation": ["mixup"]},
                          num_classes=3, input_size=16, train_size=1000)

    assert recipe.batch_size == 8


def test_vit_patch_shrinks_for_small_images():
    recipe = build_recipe({"architecture_family": "vit", "parameters": 5.7}, **DIGITS_SHAPE)

    assert recipe.model_name == "vit_tiny_patch16_224"
    assert recipe.model_kwargs["patch_size"] == 4
    assert recipe.scaled_down["patch_size"]["original"] == 16


def test_fit_patch_size_after_stand_in():
    recipe = build_recipe({"architecture_family": "vit", "parameters": 5.7}, **DIGITS_SHAPE)
    recipe.model_name = "test_resnet"
    fit_patch_size(recipe)

    assert "patch_size" not in recipe.model_kwargs
    assert "patch_size" not in recipe.scaled_down


@pytest.mark.parametrize(
    ("family", "parameters", "expected"),
    [("resnet", 11.7, "resnet18"), ("vit", 86.0, "vit_base_patch16_224"), ("convnext", 28.6, "convnext_tiny"),
     ("efficientnet", 5.3, "efficientnet_b0"), ("deit", 22.0, "deit_small_patch16_224")],
)
def test_family_parameters_choose_model(family, parameters, expected):
    assert choose_model(family, parameters).timm_name == expected


def test_unknown_family_falls_back_with_note():
    choice = choose_model("hypernet", 25.0)

    assert choice.family == "resnet"
    assert "hypernet" in choice.notes[0]


def test_timm_model_name_used_directly():
    choice = choose_model("resnet", 25.6, model_name="resnet34d.ra2_in1k")

    assert choice.timm_name == "resnet34d"
    assert "resnet18" in choice.stand_ins


def test_recipe_json_round_trip():
    recipe = _recipe(optimizer="AdamW", data_augmentation=["mixup", "RandAugment"], batch_size=1024)
    text = json.dumps(recipe.to_dict())

    assert TrainingRecipe.from_dict(json.loads(text)).to_dict() == json.loads(text)


def test_recipe_rejects_single_class():
    with pytest.raises(ValueError, match="at least 2 classes"):
        build_recipe({}, num_classes=1, input_size=32, train_size=100)


@pytest.mark.parametrize("optimizer", sorted(OPTIMIZERS))
def test_every_optimizer_builds(optimizer):
    recipe = _recipe(optimizer=optimizer, regularization=["weight decay"])
    objects = build_training(recipe, total_updates=10)

    assert objects.optimizer.param_groups[0]["lr"] == pytest.approx(recipe.learning_rate)


@pytest.mark.parametrize("schedule", sorted({*SCHEDULES, *SCHEDULE_APPROXIMATIONS}))
def test_every_schedule_builds(schedule):
    recipe = _recipe(lr_schedule=schedule, learning_rate=0.1, batch_size=64)
    objects = build_training(recipe, total_updates=20)
    objects.scheduler.step_update(num_updates=10)

    assert 0.0 <= objects.optimizer.param_groups[0]["lr"] <= 0.1
