"""FeatureEncoder: columns derived from the component registry."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from efficientdl.models.encoding import ENCODER_VERSION, FeatureEncoder, configs_to_frame, encoded_fields, with_dataset_facts
from efficientdl.schema.components import COMPONENTS, Kind


def sample_value(component, index: int):
    """Return a varying canonical value of ``component`` for row ``index``."""
    if component.kind is Kind.NUMBER:
        low, high = component.bounds
        return float(low + (high - low) * (index + 1) / 10)
    values = component.vocabulary.values if component.vocabulary is not None else (f"v{index % 2}", "w")
    value = values[index % 2]
    return [value] if component.kind is Kind.SET else value


@pytest.fixture
def registry_rows() -> pd.DataFrame:
    rows = [{name: sample_value(component, index) for name, component in COMPONENTS.items()} for index in range(4)]
    return configs_to_frame(rows)


def test_encoder_covers_every_component(registry_rows):
    encoder = FeatureEncoder(min_count=1).fit(registry_rows)
    assert set(encoder.components_used_) == set(COMPONENTS)


def test_encoder_fields_follow_registry():
    names = [field.name for field in encoded_fields()]
    assert names[3:] == list(COMPONENTS)


def test_log_scale_numbers():
    frame = configs_to_frame([{"learning_rate": 0.1, "input_size": 224.0}, {"learning_rate": 0.001, "input_size": 384.0}])
    encoded = FeatureEncoder(min_count=1).fit_transform(frame)
    assert encoded["learning_rate"].tolist() == pytest.approx([-1.0, -3.0])
    assert encoded["input_size"].tolist() == [224.0, 384.0]


def test_missing_number_stays_nan_with_indicator():
    frame = configs_to_frame([{"epochs": 300.0}, {"epochs": None}, {"epochs": 90.0}])
    encoded = FeatureEncoder(min_count=1).fit_transform(frame)
    assert math.isnan(encoded["epochs"].iloc[1])
    assert encoded["epochs:missing"].tolist() == [0.0, 1.0, 0.0]


def test_constant_columns_dropped():
    frame = configs_to_frame([{"framework": "PyTorch", "epochs": 300.0}, {"framework": "PyTorch", "epochs": 90.0}])
    encoder = FeatureEncoder(min_count=1).fit(frame)
    assert encoder.feature_names_ == ["epochs"]


def test_rare_values_pooled_into_other():
    frame = configs_to_frame([{"optimizer": "SGD"}] * 3 + [{"optimizer": "AdamW"}] * 3 + [{"optimizer": "LAMB"}])
    encoder = FeatureEncoder(min_count=2).fit(frame)
    assert encoder.feature_names_ == ["optimizer=AdamW", "optimizer=SGD", "optimizer=other"]
    assert encoder.transform(frame.tail(1))["optimizer=other"].iloc[0] == 1.0


def test_unseen_value_sets_no_column():
    frame = configs_to_frame([{"optimizer": "SGD"}, {"optimizer": "AdamW"}])
    encoder = FeatureEncoder(min_count=1).fit(frame)
    row = encoder.transform(configs_to_frame({"optimizer": "Lion"}))
    assert row.to_numpy().sum() == 0.0
    assert encoder.unseen_values({"optimizer": "Lion"}) == {"optimizer": ["Lion"]}


def test_set_is_multi_hot():
    frame = configs_to_frame([{"data_augmentation": ["RandAugment", "mixup"]}, {"data_augmentation": ["mixup"]}, {"data_augmentation": []}])
    encoded = FeatureEncoder(min_count=1).fit_transform(frame)
    assert encoded["data_augmentation=RandAugment"].tolist() == [1.0, 0.0, 0.0]
    assert encoded["data_augmentation=mixup"].tolist() == [1.0, 1.0, 0.0]


def test_feature_components_map_back(registry_rows):
    encoder = FeatureEncoder(min_count=1).fit(registry_rows)
    assert set(encoder.feature_components_) == set(encoder.feature_names_)
    assert encoder.feature_components_["data_augmentation=" + registry_rows["data_augmentation"].iloc[0][0]] == "data_augmentation"


def test_encoder_records_version(registry_rows):
    assert FeatureEncoder().fit(registry_rows).version_ == ENCODER_VERSION


def test_transform_keeps_fitted_columns(registry_rows):
    encoder = FeatureEncoder(min_count=1).fit(registry_rows)
    encoded = encoder.transform(configs_to_frame({"parameters": 25.0}))
    assert list(encoded.columns) == encoder.feature_names_
    assert np.isnan(encoded["epochs"].iloc[0])


def test_invalid_min_count():
    with pytest.raises(ValueError, match="min_count"):
        FeatureEncoder(min_count=0).fit(configs_to_frame({"epochs": 1.0}))


def test_dataset_facts_fill_empty_sizes():
    frame = with_dataset_facts(configs_to_frame([{"dataset": "CIFAR-10", "test_size": 5.0}, {"dataset": "unknown set"}]))
    assert frame.loc[0, "train_size"] == 50_000.0
    assert frame.loc[0, "test_size"] == 5.0
    assert np.isnan(frame.loc[1, "train_size"])
