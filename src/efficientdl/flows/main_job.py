"""The main job: literature in, a verified recommendation out.

:func:`literature_to_recommendation` runs the stage flows in order as
sub-flows, so each stage is its own flow run in the Prefect API:

1. ingest: the embedded seed, plus the model-zoo sources when a shared
   folder is given;
2. discover: offline snowball over the paper folder (its bibliographies);
3. extract: values and evidence from the paper PDFs;
4. review: values at or above a confidence accepted by an automatic
   reviewer (named in ``review_log``, so a curator can tell them apart and
   undo them), which assembles paper configurations;
5. train: a new predictor on the warehouse;
6. recommend: the worked example;
7. verify: the recommendation trained for real on the digits dataset.

Each stage is idempotent, so a job killed half-way and started again
completes without duplicates.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger

from efficientdl.flows.stages import (
    auto_review_task,
    discover_flow,
    extract_flow,
    extract_flow_with_dask,
    ingest_flow,
    recommend_flow,
    train_flow,
    verify_flow,
)

logger = logging.getLogger(__name__)

#: The worked example: a ResNet-50 style model on CIFAR-10 sized data, searching
#: epochs, batch size and augmentations.
WORKED_EXAMPLE: dict[str, Any] = {
    "fixed": {"architecture_family": "resnet", "model_name": "resnet50", "parameters": 25.6, "dataset": "CIFAR-10", "input_size": 32},
    "search": ["epochs", "batch_size", "data_augmentation"],
}

#: Papers the offline snowball starts from (arXiv ids of the ResNet, ViT and MobileNetV2 papers).
DEFAULT_SEEDS = ["arxiv:1512.03385", "arxiv:2010.11929", "arxiv:1801.04381"]

AUTO_REVIEWER = "auto-review (main job)"


@flow(name="literature_to_recommendation")
def literature_to_recommendation(
    db: str,
    shared_dir: str | None = None,
    pdf_dir: str | None = None,
    seeds: list[str] | None = None,
    auto_accept_confidence: float = 0.9,
    method: str = "eps-bo",
    budget: int = 200,
    verify_dataset: str = "digits",
    verify_minutes: float = 1.0,
    quick_training: bool = True,
    dask_workers: int = 0,
    seed: int = 0,
) -> dict[str, Any]:
    """Run every stage from the sources to a verified recommendation; return each stage's summary.

    Parameters
    ----------
    db : str
        Warehouse file.
    shared_dir : str, optional
        Folder laid out as the shared data (``sources/``, ``corpus/pdf/``);
        without it only the embedded seed is used.
    pdf_dir : str, optional
        Paper folder; default ``<shared_dir>/corpus/pdf`` when present.
    auto_accept_confidence : float
        Extracted values at or above this confidence are accepted without a curator.
    verify_minutes : float
        Wall-clock budget of the verification run.
    quick_training : bool
        Train one forest setting instead of the full grid search.
    dask_workers : int
        Parse PDFs on a local Dask cluster with this many workers; 0 uses
        Prefect's thread pool.
    """
    log = get_run_logger()
    summary: dict[str, Any] = {}

    sources_dir = Path(shared_dir) / "sources" if shared_dir else None
    if sources_dir is not None and not sources_dir.is_dir():
        log.warning("%s not found: using the embedded seed only", sources_dir)
        sources_dir = None
    if pdf_dir is None and shared_dir and (Path(shared_dir) / "corpus" / "pdf").is_dir():
        pdf_dir = str(Path(shared_dir) / "corpus" / "pdf")

    log.info("step 1/7: building the warehouse %s", db)
    summary["ingest"] = ingest_flow(db, str(sources_dir) if sources_dir else None)

    if pdf_dir:
        log.info("step 2/7: snowball discovery over %s", pdf_dir)
        summary["discover"] = discover_flow(db, seeds or DEFAULT_SEEDS, [f"local:{pdf_dir}"], depth=2, max_papers=200)
        log.info("step 3/7: extracting values from the PDFs in %s", pdf_dir)
        extract = extract_flow_with_dask(dask_workers) if dask_workers > 0 else extract_flow
        summary["extract"] = extract(db, [pdf_dir])
        log.info("step 4/7: accepting extracted values with confidence >= %.2f", auto_accept_confidence)
        summary["review"] = auto_review_task(db, auto_accept_confidence, AUTO_REVIEWER)
    else:
        log.info("steps 2-4/7 skipped: no paper folder")

    log.info("step 5/7: training the predictor")
    summary["train"] = train_flow(db, quick_training)

    log.info("step 6/7: recommending for the worked example (%s)", WORKED_EXAMPLE["fixed"])
    summary["recommend"] = recommend_flow(db, WORKED_EXAMPLE["fixed"], WORKED_EXAMPLE["search"], method, budget, seed)

    log.info("step 7/7: verifying the recommendation on %s within %.1f min", verify_dataset, verify_minutes)
    summary["verify"] = verify_flow(db, summary["recommend"]["recommendation_id"], verify_dataset, verify_minutes, seed)
    return summary
