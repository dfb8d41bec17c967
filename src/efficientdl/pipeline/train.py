"""Train stage: fit, evaluate and register the random-forest Top-1 predictor.

Steps, all on the rows of ``configurations`` that report a Top-1:

1. grouped folds (:func:`efficientdl.models.evaluate.grouped_folds`): no paper
   and no architecture family of one source on both sides of a split;
2. grid search of the forest on those folds (its refit is the final forest);
3. cross-validation of the forest and every baseline on the same folds
   (optionally with a nested grid search per fold), giving the metrics table,
   the held-out permutation importance and the interval calibration;
4. the applicability-domain threshold from held-out distances;
5. the bundle saved in the registry.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from efficientdl.models.crossval import FOREST_METHOD, cross_validate, heldout_domain_distances
from efficientdl.models.domain import ApplicabilityDomain
from efficientdl.models.encoding import ENCODER_VERSION, FeatureEncoder
from efficientdl.models.evaluate import ALL_DATASETS, BASELINE_METHODS, fold_ids, group_keys, grouped_folds, metrics_table
from efficientdl.models.forest import DEFAULT_GRID, ForestPredictor, tune_forest
from efficientdl.models.importance import rank_importance
from efficientdl.models.intervals import SpreadCalibrator, cross_fitted_coverage
from efficientdl.models.registry import resolve_artifact_path, save_predictor
from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

#: Called as ``progress(step, completed, total)`` while training.
ProgressCallback = Callable[[str, int, int], None]


@dataclass
class TrainResult:
    """Result of one training run.

    Attributes
    ----------
    predictor_id : str
    rows : int
        Training rows (configurations with a Top-1).
    metrics : DataFrame
        Grouped cross-validation metrics per method and dataset (see
        :func:`~efficientdl.models.evaluate.metrics_table`).
    interval_coverage : dict
        ``nominal`` level, ``measured`` overall coverage of held-out rows,
        ``per_dataset`` coverage.
    importance : DataFrame
        Held-out permutation importance per component.
    heldout : DataFrame
        Per row: ``dataset``, ``measured``, the forest's held-out
        ``predicted``, ``low``, ``high`` and ``fold``.
    parameters : dict
        Forest hyper-parameters and training settings.
    artifact_path : Path
    seconds : float
        Wall-clock training time.
    """

    predictor_id: str
    rows: int
    metrics: pd.DataFrame
    interval_coverage: dict[str, Any]
    importance: pd.DataFrame
    heldout: pd.DataFrame
    parameters: dict[str, Any]
    artifact_path: Path
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON form printed by ``efficientdl train --json``."""
        metrics = self.metrics.drop(columns=["n"]).astype(object).where(self.metrics.notna(), None)
        return {
            "predictor_id": self.predictor_id,
            "rows": self.rows,
            "metrics": metrics.to_dict(orient="records"),
            "interval_coverage": {k: self.interval_coverage[k] for k in ("nominal", "measured")},
            "parameters": self.parameters,
            "importance": self.importance[["component", "importance", "rank"]].to_dict(orient="records"),
            "artifact_path": str(self.artifact_path),
            "seconds": round(self.seconds, 1),
        }


def load_training_rows(wh: Warehouse) -> pd.DataFrame:
    """Return the ``configurations`` rows with a Top-1, ordered by ``config_id``."""
    return wh.con.execute("SELECT * FROM configurations WHERE top1 IS NOT NULL ORDER BY config_id").df()


def data_snapshot(frame: pd.DataFrame) -> str:
    """Return a SHA-256 over the ids and content hashes of the training rows."""
    digest = hashlib.sha256()
    for config_id, content_hash in zip(frame["config_id"], frame["content_hash"]):
        digest.update(f"{config_id}\x1f{content_hash}\n".encode())
    return digest.hexdigest()


def train_predictor(
    wh: Warehouse,
    *,
    grid: Mapping[str, Sequence[Any]] | None = None,
    n_splits: int = 5,
    nested: bool = False,
    interval_level: float = 0.8,
    min_count: int = 20,
    n_repeats: int = 3,
    random_state: int = 0,
    n_jobs: int | None = -1,
    artifacts_dir: str | Path | None = None,
    progress: ProgressCallback | None = None,
) -> TrainResult:
    """Train, evaluate and register a forest predictor on the warehouse's configurations.

    Parameters
    ----------
    wh : Warehouse
        Read-write warehouse; the new ``predictors`` row is written to it.
    grid : dict, optional
        Forest grid; default :data:`~efficientdl.models.forest.DEFAULT_GRID`.
    n_splits : int
        Grouped folds.
    nested : bool
        Re-run the grid search inside each fold, so the forest's metrics do
        not profit from choosing its hyper-parameters on the scored rows
        (about ``n_splits`` times slower).
    interval_level : float
        Nominal coverage of the prediction intervals.
    min_count : int
        Rare-value pooling threshold of the encoder.
    n_repeats : int
        Shuffles per component for permutation importance.
    artifacts_dir : path, optional
        Default ``<warehouse dir>/artifacts/predictors``.
    progress : callable, optional
        Receives ``(step, completed, total)``.

    Raises
    ------
    ValueError
        When the warehouse has too few configurations with a Top-1 to form
        the folds.
    """
    started = time.perf_counter()
    total_steps = n_splits + 3
    report = progress or (lambda step, completed, total: None)
    grid = dict(DEFAULT_GRID if grid is None else grid)

    frame = load_training_rows(wh)
    if len(frame) < 2 * n_splits:
        raise ValueError(
            f"{wh.path} contains {len(frame)} configurations with a Top-1; at least {2 * n_splits} are needed. "
            "Load results first, e.g. efficientdl ingest timm DIR"
        )
    y = frame["top1"].to_numpy(dtype=float)
    groups = group_keys(frame).to_numpy()
    folds = grouped_folds(groups, n_splits=n_splits, random_state=random_state)
    logger.info("training on %d rows in %d groups", len(frame), len(np.unique(groups)))

    report("grid search", 0, total_steps)
    encoder = FeatureEncoder(min_count=min_count).fit(frame)
    X = encoder.transform(frame)
    search = tune_forest(X.to_numpy(dtype=float), y, folds, grid, random_state=random_state, n_jobs=n_jobs)
    best_params = dict(search.best_params_)

    def fold_done(fold: int) -> None:
        step = f"cross-validation fold {fold + 2}/{n_splits}" if fold + 1 < n_splits else "cross-validation done"
        report(step, fold + 2, total_steps)

    report(f"cross-validation fold 1/{n_splits}", 1, total_steps)
    cv = cross_validate(
        frame, y, folds,
        forest_params=None if nested else best_params,
        grid=grid, groups=groups, baselines=BASELINE_METHODS, min_count=min_count,
        n_repeats=n_repeats, random_state=random_state, n_jobs=n_jobs, on_fold=fold_done,
    )

    report("intervals and applicability domain", n_splits + 1, total_steps)
    datasets = frame["dataset"].fillna("unknown").to_numpy()
    metrics = metrics_table(y, datasets, cv.predictions)
    mean, std = cv.predictions[FOREST_METHOD], cv.forest_std
    heldout_folds = fold_ids(folds, len(frame))
    covered = cross_fitted_coverage(y, mean, std, heldout_folds, level=interval_level)
    calibrator = SpreadCalibrator(interval_level).fit(y, mean, std)
    low, high = calibrator.interval(mean, std)
    coverage = {
        "nominal": interval_level,
        "measured": float(covered.mean()),
        "per_dataset": {ALL_DATASETS: float(covered.mean()), **pd.Series(covered).groupby(datasets).mean().to_dict()},
        "mean_width": float(np.mean(high - low)),
    }
    distances = heldout_domain_distances(X.to_numpy(dtype=float), folds)
    domain = ApplicabilityDomain().fit(X.to_numpy(dtype=float)).calibrate(distances)
    importance = rank_importance(cv.importance)

    report("saving", n_splits + 2, total_steps)
    snapshot = data_snapshot(frame)
    parameters = {
        "forest": best_params,
        "grid": grid,
        "grid_best_mae": float(-search.best_score_),
        "fold_forest_params": cv.forest_params if nested else None,
        "nested": nested,
        "n_splits": n_splits,
        "interval_level": interval_level,
        "min_count": min_count,
        "n_repeats": n_repeats,
        "random_state": random_state,
        "encoder_version": ENCODER_VERSION,
        "groups": int(len(np.unique(groups))),
        "domain_threshold": domain.threshold_,
    }
    overall = metrics[metrics["dataset"] == ALL_DATASETS].set_index("method")
    stored_metrics = {
        "table": metrics.astype(object).where(metrics.notna(), None).to_dict(orient="records"),
        "interval_coverage": coverage,
        "forest_mae": float(overall.loc[FOREST_METHOD, "mae"]),
    }
    predictor = ForestPredictor(
        encoder, search.best_estimator_, calibrator, domain, importance,
        metadata={"data_snapshot": snapshot, "parameters": parameters, "metrics": stored_metrics},
    )
    predictor_id = save_predictor(
        wh, predictor, data_snapshot=snapshot, n_rows=len(frame), metrics=stored_metrics,
        parameters=parameters, artifacts_dir=artifacts_dir,
    )
    stored_path = wh.con.execute("SELECT artifact_path FROM predictors WHERE predictor_id = ?", [predictor_id]).fetchone()[0]
    report("done", total_steps, total_steps)

    heldout = pd.DataFrame(
        {"dataset": datasets, "measured": y, "predicted": mean, "low": low, "high": high, "fold": heldout_folds},
        index=frame.index,
    )
    return TrainResult(
        predictor_id=predictor_id,
        rows=len(frame),
        metrics=metrics,
        interval_coverage=coverage,
        importance=importance,
        heldout=heldout,
        parameters=parameters,
        artifact_path=resolve_artifact_path(wh, stored_path),
        seconds=time.perf_counter() - started,
    )
