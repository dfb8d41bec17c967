"""The predictor registry: one ``predictors`` row and one joblib artifact per trained predictor.

The artifact lives at ``<warehouse dir>/artifacts/predictors/<id>.joblib``
unless another directory is given. Its SHA-256 is stored in the row and
checked before the file is unpickled, so a replaced or damaged artifact is
rejected instead of loaded. The predictor id is derived from the training
data snapshot, the encoder version and the parameters, so training again on
unchanged data with unchanged settings replaces the same row.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path
from typing import Any

import joblib
import pandas as pd

from efficientdl.models.encoding import ENCODER_VERSION
from efficientdl.models.forest import ForestPredictor
from efficientdl.schema.tables import PredictorModel
from efficientdl.warehouse.db import Warehouse, WarehouseError, from_json, stable_id, to_json

logger = logging.getLogger(__name__)

ARTIFACTS_SUBDIR = Path("artifacts") / "predictors"


class PredictorRegistryError(WarehouseError):
    """Raised when no predictor is trained, an id is unknown or an artifact fails its check."""


def default_artifacts_dir(wh: Warehouse) -> Path:
    """Return ``<warehouse dir>/artifacts/predictors``."""
    return wh.path.resolve().parent / ARTIFACTS_SUBDIR


def file_sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def predictor_id_for(data_snapshot: str, parameters: dict[str, Any]) -> str:
    """Return the id of a predictor trained on ``data_snapshot`` with ``parameters``."""
    return stable_id("predictor", data_snapshot, ENCODER_VERSION, to_json(parameters))


def save_predictor(
    wh: Warehouse,
    predictor: ForestPredictor,
    *,
    data_snapshot: str,
    n_rows: int,
    metrics: Any,
    parameters: dict[str, Any],
    artifacts_dir: str | os.PathLike | None = None,
) -> str:
    """Write the artifact and its ``predictors`` row; return the predictor id.

    The predictor's ``predictor_id`` is set before it is written. An earlier
    row with the same id (same data, same parameters) is replaced.
    """
    predictor_id = predictor_id_for(data_snapshot, parameters)
    predictor.predictor_id = predictor_id
    directory = Path(artifacts_dir) if artifacts_dir is not None else default_artifacts_dir(wh)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{predictor_id}.joblib"
    partial = path.with_suffix(".joblib.partial")
    joblib.dump(predictor, partial, compress=3)
    os.replace(partial, path)
    sha256 = file_sha256(path)

    row = pd.DataFrame(
        [
            {
                "predictor_id": predictor_id,
                "data_snapshot": data_snapshot,
                "n_rows": int(n_rows),
                "features": to_json({"encoder_version": ENCODER_VERSION, "components": predictor.encoder.feature_components_}),
                "metrics": to_json(metrics),
                "parameters": to_json(parameters),
                "artifact_path": _stored_path(wh, path),
                "artifact_sha256": sha256,
            }
        ]
    )
    PredictorModel.validate(row)
    wh.con.execute("BEGIN TRANSACTION")
    try:
        wh.con.execute("DELETE FROM predictors WHERE predictor_id = ?", [predictor_id])
        wh.con.register("new_predictor", row)
        wh.con.execute(f"INSERT INTO predictors ({', '.join(row.columns)}) SELECT * FROM new_predictor")
        wh.con.unregister("new_predictor")
        wh.con.execute("COMMIT")
    except Exception:
        wh.con.execute("ROLLBACK")
        raise
    logger.info("saved predictor %s (%d rows) to %s", predictor_id, n_rows, path)
    return predictor_id


def list_predictors(wh: Warehouse) -> pd.DataFrame:
    """Return the ``predictors`` rows, newest first (metrics and parameters parsed from JSON)."""
    frame = wh.con.execute(
        "SELECT predictor_id, created_at, data_snapshot, n_rows, metrics, parameters, artifact_path, artifact_sha256 "
        "FROM predictors ORDER BY created_at DESC, predictor_id"
    ).df()
    for column in ("metrics", "parameters"):
        frame[column] = frame[column].map(from_json)
    return frame


def load_predictor(wh: Warehouse, predictor_id: str | None = None) -> ForestPredictor:
    """Load a predictor's artifact after checking its SHA-256; the newest when ``predictor_id`` is None.

    Raises
    ------
    PredictorRegistryError
        When no predictor is trained, the id is unknown, the artifact is
        missing or does not match its stored hash, or it was written by
        another version of the feature encoder.
    """
    if predictor_id is None:
        row = wh.con.execute(
            "SELECT predictor_id, artifact_path, artifact_sha256 FROM predictors ORDER BY created_at DESC, predictor_id LIMIT 1"
        ).fetchone()
        if row is None:
            raise PredictorRegistryError(f"no predictor is trained in {wh.path} yet; run efficientdl train first")
    else:
        row = wh.con.execute(
            "SELECT predictor_id, artifact_path, artifact_sha256 FROM predictors WHERE predictor_id = ?", [predictor_id]
        ).fetchone()
        if row is None:
            known = [r[0] for r in wh.con.execute("SELECT predictor_id FROM predictors ORDER BY created_at DESC").fetchall()]
            raise PredictorRegistryError(
                f"predictor {predictor_id!r} not found in {wh.path}; known: {', '.join(known) or 'none, run efficientdl train first'}"
            )

    found_id, stored_path, expected = row
    path = resolve_artifact_path(wh, stored_path)
    if not path.is_file():
        raise PredictorRegistryError(f"artifact of predictor {found_id} is missing at {path}; run efficientdl train again")
    actual = file_sha256(path)
    if actual != expected:
        raise PredictorRegistryError(
            f"artifact {path} of predictor {found_id} failed its hash check (expected sha256 {expected}, "
            f"found {actual}); it was changed after training, so it is not loaded. Run efficientdl train again"
        )

    predictor = joblib.load(path)
    if not isinstance(predictor, ForestPredictor):
        raise PredictorRegistryError(f"artifact {path} contains a {type(predictor).__name__}, not a ForestPredictor")
    version = getattr(predictor.encoder, "version_", None)
    if version != ENCODER_VERSION:
        raise PredictorRegistryError(
            f"predictor {found_id} was encoded with feature encoder version {version}, but this code uses version "
            f"{ENCODER_VERSION}; run efficientdl train again"
        )
    predictor.predictor_id = found_id
    return predictor


def _stored_path(wh: Warehouse, path: Path) -> str:
    """Store artifact paths under the warehouse directory relative to it, so the pair can move together."""
    base = wh.path.resolve().parent
    try:
        return str(path.resolve().relative_to(base))
    except ValueError:
        return str(path.resolve())


def resolve_artifact_path(wh: Warehouse, stored: str) -> Path:
    """Return the artifact file of a stored ``artifact_path`` (relative ones are under the warehouse directory)."""
    path = Path(stored)
    return path if path.is_absolute() else wh.path.resolve().parent / path
