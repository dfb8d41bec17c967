"""Budgeted training runs on the digits: tiny models, small images, a few seconds each."""

from __future__ import annotations

import pytest

from efficientdl.verify.datasets import load_dataset
from efficientdl.verify.recipe import build_recipe
from efficientdl.verify.train import TrainProgress, train_recipe


@pytest.fixture(scope="module")
def digits16():
    return load_dataset("digits", image_size=16)


def _recipe(data, **config):
    return build_recipe(config, num_classes=len(data.classes), input_size=data.image_size, train_size=len(data.train))


def test_short_run_measures_top1(digits16):
    recipe = _recipe(digits16, model_name="test_resnet", optimizer="AdamW", learning_rate=2e-3,
                     batch_size=64, epochs=1, data_augmentation=["flip"], regularization=[])
    events: list[TrainProgress] = []
    result = train_recipe(recipe, digits16, budget_minutes=0.5, seed=0, on_progress=events.append)

    assert result.stop_reason == "completed"
    assert result.updates == 21
    assert 0.0 <= result.top1 <= 100.0
    assert result.device == "cpu"
    assert result.recipe.epochs == 1.0
    assert {event.stage for event in events} == {"plan", "train", "evaluate"}


def test_budget_scales_epochs_down(digits16):
    recipe = _recipe(digits16, model_name="test_resnet", batch_size=64, epochs=300, data_augmentation=["flip", "mixup"])
    result = train_recipe(recipe, digits16, budget_minutes=0.05, seed=0, min_epochs=0.1)

    assert result.updates < 300 * 21
    assert result.recipe.scaled_down["epochs"]["original"] == 300
    assert result.recipe.epochs < 300
    assert result.wall_seconds < 0.05 * 60 + 5


def test_slow_model_replaced_by_stand_in(digits16):
    recipe = _recipe(digits16, architecture_family="resnet", parameters=5.0, batch_size=64, epochs=1000)
    assert recipe.model_name == "resnet10t"
    result = train_recipe(recipe, digits16, budget_minutes=0.05, seed=0, min_epochs=1000)

    assert result.recipe.model_name == "test_resnet"
    assert result.recipe.scaled_down["model"]["original"] == "resnet10t"
    assert result.recipe.requested_model == "resnet10t"


def test_rejects_non_positive_budget(digits16):
    recipe = _recipe(digits16, model_name="test_resnet")

    with pytest.raises(ValueError, match="budget"):
        train_recipe(recipe, digits16, budget_minutes=0)
