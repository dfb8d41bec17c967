"""Scheduled deployments of the stage flows, served by ``efficientdl serve``.

Schedules (cron, UTC): discovery weekly on Monday at 03:00, extraction
nightly at 01:00, retraining nightly at 04:00 (after extraction has had
time to finish). The main job is deployed without a schedule so it can be
started from the Prefect API or UI on demand.
"""

from __future__ import annotations

from typing import Any

from efficientdl.flows.main_job import DEFAULT_SEEDS, literature_to_recommendation
from efficientdl.flows.stages import discover_flow, extract_flow, train_flow

WEEKLY_DISCOVERY_CRON = "0 3 * * 1"
NIGHTLY_EXTRACTION_CRON = "0 1 * * *"
NIGHTLY_RETRAINING_CRON = "0 4 * * *"


def build_deployments(db: str, pdf_dir: str | None, sources: list[str] | None = None, seeds: list[str] | None = None) -> list[Any]:
    """Return the runner deployments for ``prefect.serve``.

    ``sources`` defaults to the local paper folder when one is given, so
    the scheduled discovery runs offline unless online sources are named.
    """
    sources = sources or ([f"local:{pdf_dir}"] if pdf_dir else [])
    deployments = [
        train_flow.to_deployment(name="nightly-retraining", cron=NIGHTLY_RETRAINING_CRON, parameters={"db": db}),
        literature_to_recommendation.to_deployment(name="main-job", parameters={"db": db}),
    ]
    if pdf_dir:
        deployments.append(
            extract_flow.to_deployment(name="nightly-extraction", cron=NIGHTLY_EXTRACTION_CRON, parameters={"db": db, "paths": [pdf_dir]})
        )
    if sources:
        deployments.append(
            discover_flow.to_deployment(
                name="weekly-discovery",
                cron=WEEKLY_DISCOVERY_CRON,
                parameters={"db": db, "seeds": seeds or DEFAULT_SEEDS, "sources": sources},
            )
        )
    return deployments
