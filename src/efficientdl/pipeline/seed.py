"""The embedded seed dataset: configurations derived from the public model-zoo sources.

``build_seed`` runs the repository extractors over a sources folder (the
layout of ``../shared/sources``: ``timm-results/``, ``mmpretrain-metafiles/``,
``efficientdl-example/*.xlsx``) into a scratch warehouse and exports its
``configurations`` table, provenance columns included, to a Parquet file
shipped inside the package. ``load_seed`` upserts that file into a
warehouse, so a machine without the sources still gets the same rows with
the same ids as a full ingest.
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from efficientdl.pipeline.ingest import IngestReport
from efficientdl.pipeline.load import ingest_path
from efficientdl.warehouse.db import Warehouse
from efficientdl.warehouse.upsert import upsert_frame

logger = logging.getLogger(__name__)

SEED_FILE = "configurations.parquet"


def seed_path() -> Path:
    """Return the path of the seed file shipped inside the package."""
    return Path(str(resources.files("efficientdl") / "data" / "seed" / SEED_FILE))


def source_inputs(sources_dir: Path) -> list[tuple[str, Path]]:
    """Return the ``(kind, path)`` pairs found in a sources folder, in ingest order."""
    inputs: list[tuple[str, Path]] = []
    if (sources_dir / "timm-results").is_dir():
        inputs.append(("timm", sources_dir / "timm-results"))
    if (sources_dir / "mmpretrain-metafiles").is_dir():
        inputs.append(("mmpretrain", sources_dir / "mmpretrain-metafiles"))
    for sheet in sorted((sources_dir / "efficientdl-example").glob("*.xlsx")):
        inputs.append(("sheet", sheet))
    return inputs


def ingest_sources(wh: Warehouse, sources_dir: str | Path) -> list[IngestReport]:
    """Ingest every source found in ``sources_dir`` and return one report per input.

    Raises
    ------
    FileNotFoundError
        When the folder contains none of the known sources.
    """
    sources_dir = Path(sources_dir)
    inputs = source_inputs(sources_dir)
    if not inputs:
        raise FileNotFoundError(
            f"{sources_dir} contains no timm-results/, mmpretrain-metafiles/ or efficientdl-example/*.xlsx"
        )
    reports = []
    for kind, path in inputs:
        logger.info("ingesting %s from %s", kind, path)
        reports.append(ingest_path(wh, kind, path))
    return reports


@dataclass
class SeedBuild:
    """Result of :func:`build_seed`."""

    path: Path
    rows: int
    reports: list[IngestReport]


def build_seed(sources_dir: str | Path, out: str | Path | None = None) -> SeedBuild:
    """Rebuild the seed file from ``sources_dir`` and return where it was written."""
    out = Path(out) if out else seed_path()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as scratch:
        with Warehouse(Path(scratch) / "seed.duckdb") as wh:
            reports = ingest_sources(wh, sources_dir)
            rows = wh.count("configurations")
            wh.execute(
                "COPY (SELECT * EXCLUDE (ingested_at, updated_at) FROM configurations ORDER BY config_id) "
                f"TO '{out.as_posix()}' (FORMAT parquet, COMPRESSION zstd)"
            ).fetchall()
    logger.info("seed: %d configurations written to %s", rows, out)
    return SeedBuild(out, rows, reports)


def load_seed(wh: Warehouse, path: str | Path | None = None) -> IngestReport:
    """Upsert the seed configurations into ``wh``; already stored rows stay unchanged.

    Raises
    ------
    FileNotFoundError
        When the seed file is missing (rebuild it with ``make seed``).
    """
    path = Path(path) if path else seed_path()
    if not path.exists():
        raise FileNotFoundError(f"seed file {path} is missing; rebuild it with `make seed`")
    frame = wh.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()
    counts = upsert_frame(wh, "configurations", frame, key="config_id")
    report = IngestReport("seed", read=len(frame))
    report.loaded, report.updated, report.unchanged = counts.inserted, counts.updated, counts.unchanged
    return report
