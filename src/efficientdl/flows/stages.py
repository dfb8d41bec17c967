"""Prefect flows, one per stage, over the plain stage functions.

The flows hold no logic: each task opens the warehouse, calls a function
from :mod:`efficientdl.pipeline` or :mod:`efficientdl.search`, closes the
warehouse and returns a JSON-ready summary. DuckDB allows one read-write
process per file, so parallel work (parsing PDFs) runs in tasks that never
touch the warehouse and hand their results to one writing task.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.task_runners import ThreadPoolTaskRunner

from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

#: Retry delays (seconds) of tasks that talk to online sources.
NETWORK_RETRY_DELAYS = [5, 30, 120]


@task(name="load-seed")
def load_seed_task(db: str) -> dict[str, Any]:
    from efficientdl.pipeline.seed import load_seed

    with Warehouse(db) as wh:
        return load_seed(wh).as_dict()


@task(name="ingest-source")
def ingest_source_task(db: str, kind: str, path: str) -> dict[str, Any]:
    from efficientdl.pipeline.load import ingest_path

    with Warehouse(db) as wh:
        return ingest_path(wh, kind, path).as_dict()


@flow(name="ingest", log_prints=False)
def ingest_flow(db: str, sources_dir: str | None = None, seed: bool = True) -> list[dict[str, Any]]:
    """Load the embedded seed and, when given, every source under ``sources_dir``."""
    from efficientdl.pipeline.seed import source_inputs

    reports = [load_seed_task(db)] if seed else []
    if sources_dir:
        for kind, path in source_inputs(Path(sources_dir)):
            reports.append(ingest_source_task(db, kind, str(path)))
    return reports


@task(name="snowball", retries=len(NETWORK_RETRY_DELAYS), retry_delay_seconds=NETWORK_RETRY_DELAYS)
def snowball_task(db: str, seeds: list[str], sources: list[str], depth: int, max_papers: int) -> dict[str, Any]:
    from efficientdl.pipeline.snowball import Snowball, SnowballSettings
    from efficientdl.pipeline.sources import SourceSettings, build_source

    settings = SourceSettings()
    with Warehouse(db) as wh:
        built = [build_source(spec, settings) for spec in sources]
        snowball = Snowball(wh, built, SnowballSettings(max_depth=depth, max_papers=max_papers), source_specs=sources)
        return snowball.run(seeds).as_dict()


@flow(name="discover")
def discover_flow(db: str, seeds: list[str], sources: list[str], depth: int = 2, max_papers: int = 200) -> dict[str, Any]:
    """Snowball from ``seeds`` over ``sources`` (``openalex``, ``local:DIR``, ...)."""
    return snowball_task(db, seeds, sources, depth, max_papers)


def _pdf_cache_key(context: Any, parameters: dict[str, Any]) -> str:
    from efficientdl.pipeline.extract import EXTRACTOR_VERSION, pdf_job

    job = pdf_job(parameters["path"], parameters["page_limit"])
    return f"pdf-{job.sha256}-{parameters['page_limit']}-{EXTRACTOR_VERSION}"


@task(name="parse-pdf", cache_key_fn=_pdf_cache_key, cache_expiration=timedelta(days=30), persist_result=True)
def parse_pdf_task(path: str, page_limit: int, time_limit: float) -> Any:
    """Parse one PDF in an isolated worker process (no warehouse access); cached by the file's SHA-256."""
    from efficientdl.pipeline.extract import pdf_job, read_pdf

    return read_pdf(pdf_job(path, page_limit), time_limit)


@task(name="store-extractions")
def store_extractions_task(db: str, results: list[Any], settled: list[Any]) -> dict[str, Any]:
    from efficientdl.pipeline.extract import ExtractReport, store_result

    report = ExtractReport(papers=list(settled))
    with Warehouse(db) as wh:
        for job, outcome in results:
            report.papers.append(store_result(wh, job, outcome))
    return report.as_dict()


@flow(name="extract", task_runner=ThreadPoolTaskRunner(max_workers=2))
def extract_flow(db: str, paths: list[str], page_limit: int = 60, time_limit: float = 120.0) -> dict[str, Any]:
    """Parse PDFs in parallel tasks and store them through one writing task.

    PDFs whose SHA-256 the warehouse has already read are not parsed again.
    The parse task is also cached by SHA-256, so a re-run after a crash
    between parsing and storing does not parse again either.
    """
    from efficientdl.pipeline.extract import collect_pdfs, pending_pdfs

    with Warehouse(db) as wh:
        jobs, settled = pending_pdfs(wh, collect_pdfs(paths), page_limit)
    futures = [parse_pdf_task.submit(job.path, page_limit, time_limit) for job in jobs]
    return store_extractions_task(db, [future.result() for future in futures], settled)


def extract_flow_with_dask(n_workers: int = 2, address: str | None = None):
    """Return :func:`extract_flow` running its parse tasks on Dask.

    Without ``address`` a local cluster of ``n_workers`` threads is started;
    each parse task still runs the PDF in its own child process, so threads
    give real parallelism. With ``address`` the tasks go to that scheduler.
    """
    from prefect_dask import DaskTaskRunner

    if address:
        runner = DaskTaskRunner(address=address)
    else:
        runner = DaskTaskRunner(cluster_kwargs={"n_workers": 1, "threads_per_worker": n_workers, "processes": False})
    return extract_flow.with_options(task_runner=runner)


@task(name="auto-review")
def auto_review_task(db: str, min_confidence: float, reviewer: str) -> dict[str, Any]:
    from efficientdl.pipeline.review import accept_batch

    with Warehouse(db) as wh:
        outcome = accept_batch(wh, min_confidence, reviewer=reviewer)
    assembly = outcome.assembly.as_dict() if outcome.assembly is not None else None
    return {"accepted": len(outcome.changed), "failed": len(outcome.failed), "reviewer": reviewer, "assembly": assembly}


#: Forest setting of a quick retraining. It is the full grid's best cell on the seed data
#: (unlimited depth, leaves of 1, 0.67 of the features) with 100 trees instead of 200,
#: so the main job fits one forest per fold instead of sixteen.
QUICK_GRID: dict[str, list[Any]] = {
    "n_estimators": [100],
    "max_depth": [None],
    "min_samples_leaf": [1],
    "max_features": [0.67],
}


@task(name="train-predictor")
def train_task(db: str, quick: bool = False) -> dict[str, Any]:
    from efficientdl.pipeline.train import train_predictor

    options: dict[str, Any] = {"grid": QUICK_GRID, "n_repeats": 1} if quick else {}
    with Warehouse(db) as wh:
        return train_predictor(wh, n_jobs=2, **options).as_dict()


@flow(name="train")
def train_flow(db: str, quick: bool = False) -> dict[str, Any]:
    """Train, evaluate and register a new predictor on the warehouse.

    ``quick`` skips the grid search (one forest setting, one permutation
    repeat); the metrics are still measured on grouped held-out folds.
    """
    return train_task(db, quick)


@task(name="recommend")
def recommend_task(db: str, fixed: dict[str, Any], search: list[str] | None, method: str, budget: int, seed: int) -> dict[str, Any]:
    from efficientdl.search.recommend import recommend
    from efficientdl.search.request import RecommendationRequest

    request = RecommendationRequest(fixed=fixed, search=search)
    with Warehouse(db) as wh:
        return recommend(wh, request, method=method, budget=budget, seed=seed).as_json()


@flow(name="recommend")
def recommend_flow(
    db: str, fixed: dict[str, Any], search: list[str] | None = None, method: str = "eps-bo", budget: int = 200, seed: int = 0
) -> dict[str, Any]:
    """Recommend values for the components ``fixed`` leaves open."""
    return recommend_task(db, fixed, search, method, budget, seed)


@task(name="verify")
def verify_task(db: str, recommendation_id: str, dataset: str, budget_minutes: float, seed: int) -> dict[str, Any]:
    from efficientdl.pipeline.verify import verify_recommendation

    with Warehouse(db) as wh:
        return verify_recommendation(wh, recommendation_id, dataset=dataset, budget_minutes=budget_minutes, seed=seed).as_dict()


@flow(name="verify")
def verify_flow(db: str, recommendation_id: str, dataset: str = "digits", budget_minutes: float = 2.0, seed: int = 0) -> dict[str, Any]:
    """Train a recommendation's best configuration for real and store measured against predicted."""
    return verify_task(db, recommendation_id, dataset, budget_minutes, seed)
