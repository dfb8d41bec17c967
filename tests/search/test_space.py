"""Search spaces: dimensions, transform, sampling, constraints and impossible requests."""

from __future__ import annotations

import numpy as np
import pytest

from efficientdl.search.build import build_space, load_rows
from efficientdl.search.request import RecommendationRequest, normalize_fixed
from efficientdl.search.sampling import check_feasible, mutate, sample_feasible
from efficientdl.search.constraints import forbidden, max_value
from efficientdl.search.space import (
    ChoiceDimension,
    InfeasibleSpaceError,
    NumberDimension,
    SearchSpace,
    SearchSpaceError,
    SetDimension,
)
from efficientdl.search.transform import SpaceTransform


def small_space(constraints=()):
    return SearchSpace(
        {"dataset": "ImageNet-1k", "parameters": 25.6},
        [
            NumberDimension("epochs", 50, 600, log_scale=True, grid=(100, 200, 300)),
            NumberDimension("learning_rate", 1e-4, 1.0, log_scale=True),
            ChoiceDimension("optimizer", ("SGD", "AdamW")),
            SetDimension("data_augmentation", ("flip", "mixup", "CutMix"), max_size=2),
        ],
        list(constraints),
    )


def test_number_snap_integer():
    dim = NumberDimension("batch_size", 32, 4096, log_scale=True, integer=True)
    assert dim.snap(100.4) == 100.0


def test_number_snap_grid():
    dim = NumberDimension("epochs", 50, 600, log_scale=True, grid=(100, 200, 300))
    assert dim.snap(260) == 300.0


def test_set_count_matches_enumeration():
    dim = SetDimension("data_augmentation", ("flip", "mixup", "CutMix"), max_size=2)
    assert dim.count() == len(list(dim.values()))


def test_transform_roundtrip():
    space = small_space()
    transform = SpaceTransform(space)
    candidate = {"epochs": 200.0, "learning_rate": 0.01, "optimizer": "AdamW", "data_augmentation": ["CutMix", "mixup"]}
    decoded = transform.decode(transform.encode(candidate))
    assert decoded["data_augmentation"] == ["CutMix", "mixup"]
    assert decoded["optimizer"] == "AdamW"
    assert decoded["learning_rate"] == pytest.approx(0.01)


def test_transform_unit_cube():
    space = small_space()
    vectors = SpaceTransform(space).encode_many(sample_feasible(space, np.random.default_rng(0), 50))
    assert vectors.min() >= 0.0
    assert vectors.max() <= 1.0


def test_sampling_respects_set_size():
    space = small_space()
    samples = sample_feasible(space, np.random.default_rng(1), 200)
    assert max(len(c["data_augmentation"]) for c in samples) <= 2


def test_mutation_changes_one_component():
    space = small_space()
    rng = np.random.default_rng(2)
    parent = sample_feasible(space, rng, 1)[0]
    for _ in range(50):
        child = mutate(space, parent, rng)
        changed = [name for name in space.names if space.key({**parent, name: child[name]}) != space.key(parent)]
        assert len(changed) <= 1


def test_forbidden_pair_rejects():
    rule = forbidden({"optimizer": "SGD", "data_augmentation": "mixup"})
    assert not rule({"optimizer": "SGD", "data_augmentation": ["mixup", "flip"]})


def test_forbidden_pair_allows_other():
    rule = forbidden({"optimizer": "SGD", "data_augmentation": "mixup"})
    assert rule({"optimizer": "AdamW", "data_augmentation": ["mixup"]})


def test_fixed_and_searched_rejected():
    with pytest.raises(SearchSpaceError, match="optimizer"):
        SearchSpace({"optimizer": "SGD"}, [ChoiceDimension("optimizer", ("SGD", "AdamW"))])


def test_infeasible_fixed_names_constraint():
    space = small_space([max_value("parameters", 10)])
    with pytest.raises(InfeasibleSpaceError, match="parameters <= 10"):
        check_feasible(space, np.random.default_rng(0))


def test_infeasible_sampling_names_constraint():
    space = small_space([max_value("epochs", 50)])
    with pytest.raises(InfeasibleSpaceError, match="epochs <= 50"):
        check_feasible(space, np.random.default_rng(0), tries=200)


def test_normalize_fixed_dataset():
    assert normalize_fixed({"dataset": "ImageNet"}) == {"dataset": "ImageNet-1k"}


def test_normalize_fixed_gpu():
    assert normalize_fixed({"gpu_type": "RTX3090"}) == {"gpu_type": "RTX 3090"}


def test_unknown_component_named():
    with pytest.raises(SearchSpaceError, match="optimiser_kind"):
        normalize_fixed({"optimiser_kind": "SGD"})


def test_value_outside_vocabulary_named():
    with pytest.raises(SearchSpaceError, match="optimizer='Adamax9'"):
        normalize_fixed({"optimizer": "Adamax9"})


def test_build_unknown_searched_component(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet"}, search=["epochz"])
    with pytest.raises(SearchSpaceError, match="epochz"):
        build_space(load_rows(filled_warehouse), request, forest_predictor)


def test_build_unknown_model_named(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"model_name": "resnet5000"}, search=["epochs"])
    with pytest.raises(SearchSpaceError, match="resnet5000"):
        build_space(load_rows(filled_warehouse), request, forest_predictor)


def test_build_unseen_number_asks_grid(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet"}, search=["learning_rate"])
    with pytest.raises(SearchSpaceError, match="--grid learning_rate"):
        build_space(load_rows(filled_warehouse), request, forest_predictor)


def test_build_ranges_from_warehouse(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet", "model_name": "resnet50"}, search=["epochs", "optimizer"])
    space, _ = build_space(load_rows(filled_warehouse), request, forest_predictor)
    epochs = space.dimension("epochs")
    assert epochs.low >= 50
    assert epochs.high <= 600
    assert set(space.dimension("optimizer").choices) <= {"SGD momentum", "AdamW", "LAMB", "RMSProp"}


def test_build_baseline_has_model_variant(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet", "model_name": "resnet50"}, search=["epochs"])
    _, baseline = build_space(load_rows(filled_warehouse), request, forest_predictor)
    assert baseline["model_name"] == "resnet50.a1_in1k"


def test_build_default_search_uses_importance(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet", "model_name": "resnet50"}, n_searched=2)
    space, _ = build_space(load_rows(filled_warehouse), request, forest_predictor)
    ranked = [c for c in forest_predictor.importance()["component"] if c not in ("parameters", "dataset")]
    assert space.names == ranked[:2]


def test_build_grid_override(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet"}, search=["epochs"], grid={"epochs": [100, 300]})
    space, _ = build_space(load_rows(filled_warehouse), request, forest_predictor)
    assert space.dimension("epochs").grid == (100.0, 300.0)


def test_build_forbid_value_normalised(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet"}, search=["optimizer"], forbid=[{"optimizer": "adam w"}])
    space, _ = build_space(load_rows(filled_warehouse), request, forest_predictor)
    assert space.constraints[0].name == "not (optimizer=AdamW)"


def test_contains_rejects_off_grid():
    assert not small_space().contains({"epochs": 250.0, "learning_rate": 0.01, "optimizer": "SGD", "data_augmentation": []})


def test_contains_accepts_member():
    assert small_space().contains({"epochs": 200.0, "learning_rate": 0.01, "optimizer": "SGD", "data_augmentation": ["flip"]})


def test_project_snaps_and_trims():
    projected = small_space().project(
        {"epochs": 260.0, "learning_rate": 5.0, "optimizer": "SGD", "data_augmentation": ["flip", "mixup", "CutMix", "AutoAugment"]}
    )
    assert projected["epochs"] == 300.0
    assert projected["learning_rate"] == 1.0
    assert projected["data_augmentation"] == ["flip", "mixup"]


def test_project_unknown_choice_none():
    assert small_space().project({"epochs": 100.0, "learning_rate": 0.01, "optimizer": "LARS", "data_augmentation": []}) is None


def test_build_grid_on_choice_rejected(filled_warehouse, forest_predictor):
    request = RecommendationRequest(fixed={"dataset": "ImageNet"}, search=["optimizer"], grid={"optimizer": [1.0]})
    with pytest.raises(SearchSpaceError, match="'optimizer', which is not a number"):
        build_space(load_rows(filled_warehouse), request, forest_predictor)
