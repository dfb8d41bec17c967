"""Grouped folds, metrics table and baselines."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from efficientdl.models.evaluate import MedianBaseline, group_keys, grouped_folds, metrics_table


def test_group_prefers_paper():
    frame = pd.DataFrame({"paper_id": ["p1", None], "source": ["pdf", "timm"], "architecture_family": ["resnet", "resnet"]})
    assert group_keys(frame).tolist() == ["paper:p1", "timm:resnet"]


def test_same_family_other_source_separate():
    frame = pd.DataFrame({"source": ["timm", "mmpretrain"], "architecture_family": ["vit", "vit"]})
    assert group_keys(frame).nunique() == 2


def test_folds_never_share_group():
    groups = np.repeat([f"timm:f{i}" for i in range(20)], 6)
    for train, test in grouped_folds(groups, n_splits=5):
        assert not set(groups[train]) & set(groups[test])


def test_folds_cover_every_row_once():
    groups = np.repeat([f"g{i}" for i in range(12)], 3)
    held_out = np.concatenate([test for _, test in grouped_folds(groups, n_splits=4)])
    assert sorted(held_out.tolist()) == list(range(36))


def test_too_few_groups_rejected():
    with pytest.raises(ValueError, match="only 2 paper/family groups"):
        grouped_folds(["a", "a", "b"], n_splits=5)


def test_metrics_table_has_all_row():
    table = metrics_table(np.array([70.0, 80.0, 60.0, 65.0]), ["A", "A", "B", "B"], {"m": np.array([71.0, 79.0, 61.0, 66.0])})
    assert table["dataset"].tolist() == ["all", "A", "B"]
    assert table.loc[0, "mae"] == pytest.approx(1.0)


def test_median_family_backs_off_to_dataset():
    train = pd.DataFrame({"dataset": ["A", "A", "A"], "architecture_family": ["x", "x", "y"]})
    model = MedianBaseline(by=("dataset", "architecture_family")).fit(train, np.array([70.0, 72.0, 90.0]))
    test = pd.DataFrame({"dataset": ["A", "A", "B"], "architecture_family": ["x", "z", "x"]})
    assert model.predict(test).tolist() == [71.0, 72.0, 72.0]


def test_family_across_sources_shares_group():
    frame = pd.DataFrame({"source": ["timm", "mmpretrain"], "architecture_family": ["vit", "ViT"]})
    assert group_keys(frame, across_sources=True).nunique() == 1
