"""recommend(): repeatability, stored row, evidence, changes, plot and impossible requests."""

from __future__ import annotations

import json

import pytest

from efficientdl.search.recommend import recommend
from efficientdl.warehouse.db import Warehouse
from efficientdl.search.request import RecommendationRequest
from efficientdl.search.space import InfeasibleSpaceError, SearchSpaceError

FAST = {"n_initial": 6, "q": 4, "n_random_candidates": 80, "n_mutations": 8}


def request(**extra):
    fields = {
        "fixed": {"model_name": "resnet50", "dataset": "ImageNet"},
        "search": ["epochs", "batch_size", "optimizer", "data_augmentation"],
    }
    fields.update(extra)
    return RecommendationRequest(**fields)


def run(wh, predictor, tmp_path, req=None, method="eps-bo", budget=40, seed=0):
    return recommend(
        wh, req or request(), method, budget, seed,
        predictor=predictor, searcher_options=FAST if method.startswith(("eps", "ei", "pi", "ucb")) else None,
        plot_dir=tmp_path / "plots",
    )


@pytest.fixture(scope="module")
def shared_warehouse(tmp_path_factory, training_rows, synthetic_loader):
    """Yield one warehouse with the synthetic rows for the whole module."""
    with Warehouse(tmp_path_factory.mktemp("rec") / "warehouse.duckdb") as wh:
        synthetic_loader(wh, training_rows)
        yield wh


@pytest.fixture(scope="module")
def twice(shared_warehouse, forest_predictor, tmp_path_factory):
    """Return two recommendations of the same request and seed."""
    plots = tmp_path_factory.mktemp("plots")
    return run(shared_warehouse, forest_predictor, plots), run(shared_warehouse, forest_predictor, plots)


@pytest.fixture(scope="module")
def rec(twice):
    return twice[0]


def test_same_seed_same_answer(twice):
    first, second = twice
    assert first.best == second.best
    assert first.top == second.top
    assert first.recommendation_id == second.recommendation_id


def test_stored_once(shared_warehouse, twice):
    assert shared_warehouse.count("recommendations", f"recommendation_id = '{twice[0].recommendation_id}'") == 1


def test_stored_best_json(shared_warehouse, rec):
    sql = "SELECT best, top, evidence FROM recommendations WHERE recommendation_id = ?"
    stored = shared_warehouse.con.execute(sql, [rec.recommendation_id]).fetchone()
    assert json.loads(stored[0])["predicted_top1"] == rec.best["predicted_top1"]
    assert len(json.loads(stored[1])) == len(rec.top)
    assert len(json.loads(stored[2])) == 3


def test_json_shape(rec):
    data = rec.as_json()
    assert {"recommendation_id", "method", "evaluations", "seconds", "best", "top", "evidence"} <= set(data)
    assert {"config", "predicted_top1", "interval"} <= set(data["best"])
    assert len(data["best"]["interval"]) == 2
    assert all({"title", "model_name", "top1", "similarity"} == set(e) for e in data["evidence"])
    json.dumps(data)


def test_best_beats_baseline(rec):
    assert rec.best["predicted_top1"] >= rec.baseline["predicted_top1"]


def test_changes_list_searched_only(rec):
    changed = {c["component"] for c in rec.changes}
    assert changed <= {"epochs", "batch_size", "optimizer", "data_augmentation"}


def test_changes_match_values(rec):
    for change in rec.changes:
        assert change["recommended"] == rec.best["config"][change["component"]]


def test_evidence_similarity_range(rec):
    assert len(rec.evidence) == 3
    assert all(0.0 <= e["similarity"] <= 1.0 for e in rec.evidence)


def test_evidence_title_fallback(rec):
    titles = [e["title"] for e in rec.evidence]
    assert all(t.startswith("Synthetic paper") or t.startswith("synthetic: ") for t in titles)


def test_plot_written(rec):
    with open(rec.plot_path, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"


def test_exhaustive_matches_eps_bo_or_better(shared_warehouse, forest_predictor, tmp_path):
    req = request(search=["epochs", "optimizer"])
    best = run(shared_warehouse, forest_predictor, tmp_path, req, method="exhaustive").best["score"]
    found = run(shared_warehouse, forest_predictor, tmp_path, req, method="eps-bo", budget=60).best["score"]
    assert best >= found
    assert best - found <= 0.1


def test_risk_averse_uses_lower_bound(shared_warehouse, forest_predictor, tmp_path):
    rec = run(shared_warehouse, forest_predictor, tmp_path, request(risk_averse=True), budget=20)
    assert rec.best["score"] == pytest.approx(rec.best["interval"][0], abs=1e-3)


def test_max_parameters_impossible(shared_warehouse, forest_predictor, tmp_path):
    with pytest.raises(InfeasibleSpaceError, match="parameters <= 5"):
        run(shared_warehouse, forest_predictor, tmp_path, request(max_parameters=5))


def test_batch_range_impossible(shared_warehouse, forest_predictor, tmp_path):
    with pytest.raises(InfeasibleSpaceError, match="batch_size"):
        run(shared_warehouse, forest_predictor, tmp_path, request(batch_size_range=(20000, 30000)))


def test_unknown_fixed_component(shared_warehouse, forest_predictor, tmp_path):
    with pytest.raises(SearchSpaceError, match="gpu_typo"):
        run(shared_warehouse, forest_predictor, tmp_path, request(fixed={"gpu_typo": "V100"}))


def test_fixed_value_outside_vocabulary(shared_warehouse, forest_predictor, tmp_path):
    with pytest.raises(SearchSpaceError, match="dataset='NotADataset'"):
        run(shared_warehouse, forest_predictor, tmp_path, request(fixed={"dataset": "NotADataset"}))
