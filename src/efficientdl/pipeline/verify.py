"""Verification: train a recommended configuration and compare measured with predicted Top-1.

The stage takes a recommendation's best configuration (or a configuration
given directly) and replaces its data components with those profiled from
the data set it is verified on. It turns the result into a timm recipe
(:mod:`efficientdl.verify.recipe`), trains it within a wall-clock budget
(:mod:`efficientdl.verify.train`) and stores

* one ``verifications`` row: the configuration verified, the recipe as
  run, what was scaled down, device, wall time, measured and predicted
  Top-1 with the prediction interval;
* one ``configurations`` row (source ``verification``) describing the run
  as made (the model, epochs, batch size and learning rate actually used),
  so measurements feed back into the predictor's data.

Idempotency: a verification is identified by the recommendation id, the
configuration, the data set location, the seed and the budget. Running the
same verification again returns the stored result without training and
writes nothing. ``force=True`` trains again and replaces both rows in
place (same ``verification_id`` and ``config_id``), so the warehouse never
holds two rows for one verification.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import pandas as pd

from efficientdl.extractors.records import RawRecord
from efficientdl.pipeline.ingest import ingest_items
from efficientdl.schema.components import ALL_FIELDS
from efficientdl.schema.normalize import normalize
from efficientdl.schema.tables import VerificationModel
from efficientdl.verify.datasets import load_dataset
from efficientdl.verify.profile import profile_data
from efficientdl.verify.recipe import build_recipe
from efficientdl.verify.train import TrainProgress, TrainResult, train_recipe
from efficientdl.warehouse.db import Warehouse, from_json, stable_id, to_json

logger = logging.getLogger(__name__)

EXTRACTOR = "verify/1"

#: Columns of ``verifications`` this stage writes.
VERIFICATION_COLUMNS = (
    "verification_id", "recommendation_id", "config_id", "dataset", "config", "recipe", "scaled_down", "device",
    "wall_seconds", "measured_top1", "predicted_top1", "interval_low", "interval_high", "seed", "budget_minutes",
    "predictor_id", "prediction_source", "recommended_top1",
)


class RecommendationNotFoundError(KeyError):
    """Raised when a recommendation id is not in the warehouse."""


@dataclass
class VerificationResult:
    """Measured and predicted Top-1 of one verification, with how the run was made.

    ``predicted_top1`` and ``interval`` come from the newest trained
    predictor applied to the configuration as run (``prediction_source`` is
    ``predictor``). Without a predictor they are the recommendation's own
    prediction (``recommendation``), made for the data it was recommended
    for, or None when the configuration came without a recommendation.
    ``prediction_warnings`` lists the predictor's warnings (outside the
    applicability domain, values never seen in training); they are not
    stored. ``reused`` is True when the stored result of an identical
    verification was returned without training.
    """

    verification_id: str
    recommendation_id: str | None
    config_id: str | None
    dataset: str
    config: dict[str, Any]
    recipe: dict[str, Any]
    scaled_down: dict[str, Any]
    device: str
    wall_seconds: float
    measured_top1: float
    predicted_top1: float | None
    interval: tuple[float, float] | None
    prediction_source: str | None
    predictor_id: str | None
    recommended_top1: float | None
    seed: int
    budget_minutes: float
    reused: bool = False
    run_config: dict[str, Any] | None = None
    ingest: dict[str, Any] = field(default_factory=dict)
    prediction_warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["interval"] = list(self.interval) if self.interval else None
        return data


def canonical_config(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Normalise a configuration given as raw values (a YAML file, ``--set key=value``).

    Raises
    ------
    KeyError
        For a key that is neither a component nor an identity field.
    ValueError
        For a value that cannot be read, or an unknown value of a closed
        vocabulary (a misspelt optimizer name).
    """
    config: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in ALL_FIELDS:
            raise KeyError(f"{name!r} is not a component; known components: {', '.join(ALL_FIELDS)}")
        if value is None:
            continue
        result = normalize(name, value)
        vocabulary = ALL_FIELDS[name].vocabulary
        if result.unknown and vocabulary is not None and vocabulary.closed:
            raise ValueError(
                f"{name}: unknown value {', '.join(map(repr, result.unknown))}; known values: {', '.join(vocabulary.values)}"
            )
        if result.unknown and isinstance(result.value, list):
            config[name] = sorted(set(result.value) | set(result.unknown))
        elif result.unknown:
            config[name] = result.unknown[0]
        else:
            config[name] = result.value
    return config


def load_recommendation(wh: Warehouse, recommendation_id: str) -> dict[str, Any]:
    """Return a recommendation's best entry: ``config``, ``predicted_top1`` and ``interval``.

    Raises
    ------
    RecommendationNotFoundError
        When the id is not in ``recommendations``.
    ValueError
        When its ``best`` entry contains no configuration.
    """
    row = wh.con.execute(
        "SELECT best FROM recommendations WHERE recommendation_id = ?", [recommendation_id]
    ).fetchone()
    if row is None:
        known = [r[0] for r in wh.con.execute(
            "SELECT recommendation_id FROM recommendations ORDER BY created_at DESC LIMIT 5"
        ).fetchall()]
        hint = f"recent ids: {', '.join(known)}" if known else "the warehouse holds none yet; run efficientdl recommend first"
        raise RecommendationNotFoundError(f"recommendation {recommendation_id!r} not found in {wh.path}; {hint}")
    best = from_json(row[0]) or {}
    if not isinstance(best.get("config"), dict):
        raise ValueError(f"recommendation {recommendation_id!r} stores no best configuration (best={row[0]!r}); recommend again")
    return best


def verify_recommendation(
    wh: Warehouse,
    recommendation_id: str | None = None,
    config: Mapping[str, Any] | None = None,
    dataset: str | Path = "digits",
    budget_minutes: float = 2.0,
    seed: int = 0,
    on_progress: Callable[[TrainProgress], None] | None = None,
    *,
    force: bool = False,
    image_size: int | None = None,
    min_epochs: float = 10.0,
) -> VerificationResult:
    """Train a recommended configuration on ``dataset`` and store measured next to predicted Top-1.

    Parameters
    ----------
    wh : Warehouse
        Open read-write warehouse.

        NOTE: the connection stays open while the model trains, so no
        other process can write to the warehouse for ``budget_minutes``.
    recommendation_id : str, optional
        Recommendation whose best configuration is verified.
    config : mapping, optional
        Component values; with a recommendation they override its
        configuration, without one they are the configuration.
    dataset : str or path
        ``"digits"`` or an image folder (see :func:`efficientdl.verify.datasets.load_dataset`).
    budget_minutes : float
        Wall-clock budget of the training run (planning, training, evaluation).
    seed : int
        Seed of the run.
    on_progress : callable, optional
        Receives :class:`~efficientdl.verify.train.TrainProgress` reports,
        stage ``profile`` first, then those of the training run.
    force : bool
        Train again even when this verification is stored.
    image_size : int, optional
        Side the images are fed at; default per data set.
    min_epochs : float
        See :func:`efficientdl.verify.train.train_recipe`.

    Returns
    -------
    VerificationResult
    """
    if recommendation_id is None and not config:
        raise ValueError("nothing to verify: give a recommendation id, a configuration, or both")
    best = load_recommendation(wh, recommendation_id) if recommendation_id else {}
    requested = canonical_config({**best.get("config", {}), **(config or {})})

    data = load_dataset(dataset, image_size=image_size)
    verification_id = stable_id("verification", recommendation_id, to_json(requested), data.location, seed, float(budget_minutes))
    if not force:
        stored = _stored_result(wh, verification_id)
        if stored is not None:
            logger.info("verification %s is stored; returning it without training", verification_id)
            return stored

    report = on_progress or (lambda _progress: None)
    total_images = len(data.train) + len(data.test)
    profiled = 0

    def on_image() -> None:
        nonlocal profiled
        profiled += 1
        report(TrainProgress("profile", profiled, total_images, data.name))

    profile = profile_data(data, on_image)
    verified = {**requested, **profile.components(), "dataset": profile.name}

    recipe = build_recipe(verified, num_classes=profile.num_classes, input_size=profile.input_size, train_size=profile.train_size)
    configured_side = requested.get("input_size")
    if configured_side is not None and int(configured_side) != profile.input_size:
        recipe.record_scaling("input_size", int(configured_side), profile.input_size, f"the images of {profile.name} are fed at this side")
    run = train_recipe(recipe, data, budget_minutes=budget_minutes, seed=seed, min_epochs=min_epochs, on_progress=on_progress)

    run_config = _run_config(verified, run)
    recommended = best.get("predicted_top1")
    prediction = _predict(wh, run_config)
    if prediction is None and recommended is not None:
        interval = best.get("interval")
        prediction = _Prediction("recommendation", None, float(recommended), tuple(interval) if interval else None)
    prediction = prediction or _Prediction(None, None, None, None)

    config_id, ingest = _ingest_run(wh, verification_id, data.location, run_config, run, recommendation_id)
    result = VerificationResult(
        verification_id=verification_id,
        recommendation_id=recommendation_id,
        config_id=config_id,
        dataset=profile.name,
        config=verified,
        recipe=run.recipe.to_dict(),
        scaled_down=run.recipe.scaled_down,
        device=run.device_name if run.device == "cpu" else f"{run.device} ({run.device_name})",
        wall_seconds=run.wall_seconds,
        measured_top1=run.top1,
        predicted_top1=prediction.top1,
        interval=prediction.interval,
        prediction_source=prediction.source,
        predictor_id=prediction.predictor_id,
        recommended_top1=float(recommended) if recommended is not None else None,
        seed=seed,
        budget_minutes=float(budget_minutes),
        run_config=run_config,
        ingest=ingest,
        prediction_warnings=prediction.warnings,
    )
    _write_verification(wh, result)
    return result


def _run_config(verified: dict[str, Any], run: TrainResult) -> dict[str, Any]:
    """Describe the run as made: the model, numbers and techniques actually used, and its Top-1."""
    recipe = run.recipe
    return {
        **{k: v for k, v in verified.items() if k not in recipe.applied},
        **recipe.applied,
        "model_name": recipe.model_name,
        "architecture_family": recipe.architecture_family,
        "parameters": run.parameters_m,
        "epochs": recipe.epochs if recipe.epochs > 0 else None,
        "batch_size": float(recipe.batch_size),
        "learning_rate": recipe.learning_rate,
        "framework": "PyTorch",
        "pretraining_data": "none",
        "gpu_type": run.device_name,
        "gpu_count": 1.0,
        "top1": run.top1,
    }


@dataclass
class _Prediction:
    """A predicted Top-1 (percent) with its interval, where it came from and the predictor's warnings."""

    source: str | None
    predictor_id: str | None
    top1: float | None
    interval: tuple[float, float] | None
    warnings: list[str] = field(default_factory=list)


def _predict(wh: Warehouse, run_config: dict[str, Any]) -> _Prediction | None:
    """Predict the configuration as run with the newest predictor; None when none is available."""
    try:
        from efficientdl.models.registry import PredictorRegistryError, load_predictor
    except ImportError as exc:
        logger.info("no predictor module (%s); predicted Top-1 comes from the recommendation", exc)
        return None
    try:
        predictor = load_predictor(wh)
    except PredictorRegistryError as exc:
        logger.info("no predictor to compare with: %s", exc)
        return None

    features = {k: v for k, v in run_config.items() if k != "top1"}
    prediction = predictor.predict(features)
    for warning in prediction.warnings:
        logger.warning("prediction of the verified configuration: %s", warning)
    low, high = prediction.interval
    return _Prediction(
        "predictor", predictor.predictor_id, float(prediction.predicted_top1), (float(low), float(high)), list(prediction.warnings)
    )


def _ingest_run(wh, verification_id, location, run_config, run: TrainResult, recommendation_id) -> tuple[str | None, dict]:
    """Load the run into ``configurations`` (source ``verification``); return its config_id (None if quarantined)."""
    record = RawRecord(
        source="verification",
        source_file=location,
        source_key=verification_id,
        extractor=EXTRACTOR,
        fields=run_config,
        details={
            "recommendation_id": recommendation_id,
            "requested_model": run.recipe.requested_model,
            "timm_optimizer": run.recipe.optimizer,
            "weight_decay": run.recipe.weight_decay,
            "updates": run.updates,
            "stop_reason": run.stop_reason,
            "wall_seconds": run.wall_seconds,
            "scaled_down": run.recipe.scaled_down,
            "unsupported": run.recipe.unsupported,
        },
        field_sources={name: "verification run" for name in run_config},
    )
    report = ingest_items(wh, [record], source="verification")
    if report.quarantined:
        logger.warning("the verified run was quarantined: %s", dict(report.quarantine_reasons))
        return None, report.as_dict()
    return stable_id("verification", verification_id), report.as_dict()


def _write_verification(wh: Warehouse, result: VerificationResult) -> None:
    """Replace the ``verifications`` row of ``result.verification_id`` in one transaction."""
    row = {
        "verification_id": result.verification_id,
        "recommendation_id": result.recommendation_id,
        "config_id": result.config_id,
        "dataset": result.dataset,
        "config": to_json(result.config),
        "recipe": to_json(result.recipe),
        "scaled_down": to_json(result.scaled_down),
        "device": result.device,
        "wall_seconds": result.wall_seconds,
        "measured_top1": result.measured_top1,
        "predicted_top1": result.predicted_top1,
        "interval_low": result.interval[0] if result.interval else None,
        "interval_high": result.interval[1] if result.interval else None,
        "seed": result.seed,
        "budget_minutes": result.budget_minutes,
        "predictor_id": result.predictor_id,
        "prediction_source": result.prediction_source,
        "recommended_top1": result.recommended_top1,
    }
    frame = VerificationModel.validate(pd.DataFrame([row], columns=list(VERIFICATION_COLUMNS)))
    columns = ", ".join(VERIFICATION_COLUMNS)
    wh.con.register("verification_row", frame)
    try:
        wh.con.execute("BEGIN TRANSACTION")
        try:
            wh.con.execute("DELETE FROM verifications WHERE verification_id = ?", [result.verification_id])
            wh.con.execute(
                f"INSERT INTO verifications ({columns}, updated_at) SELECT {columns}, current_timestamp FROM verification_row"
            )
            wh.con.execute("COMMIT")
        except Exception:
            wh.con.execute("ROLLBACK")
            raise
    finally:
        wh.con.unregister("verification_row")


def _stored_result(wh: Warehouse, verification_id: str) -> VerificationResult | None:
    cursor = wh.con.execute(f"SELECT {', '.join(VERIFICATION_COLUMNS)} FROM verifications WHERE verification_id = ?", [verification_id])
    row = cursor.fetchone()
    if row is None:
        return None
    stored = dict(zip(VERIFICATION_COLUMNS, row))
    low, high = stored.pop("interval_low"), stored.pop("interval_high")
    for column in ("config", "recipe", "scaled_down"):
        stored[column] = from_json(stored[column])
    return VerificationResult(
        **stored,
        interval=(low, high) if low is not None else None,
        reused=True,
    )
