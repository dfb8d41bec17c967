"""``efficientdl run`` (the main job), ``efficientdl serve`` (scheduled flows) and ``flows runs``."""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from efficientdl.cli.console import console, error_console

logger = logging.getLogger(__name__)


def prefect_home(db: Path) -> Path:
    """Return ``$PREFECT_HOME``, else ``.prefect/`` beside the warehouse file."""
    return Path(os.environ.get("PREFECT_HOME") or (db.resolve().parent / ".prefect"))


def _configure_prefect_logging() -> None:
    # Stage modules log through `logging`; Prefect forwards these loggers to the flow-run logs.
    os.environ.setdefault("PREFECT_LOGGING_EXTRA_LOGGERS", "efficientdl")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, list):
        return ", ".join(_fmt(v) for v in value) or "none"
    return "" if value is None else str(value)


def print_main_job(summary: dict[str, Any], runs: list[dict[str, Any]], api_url: str) -> None:
    """Print the recommendation, the verification and the flow runs of a main job."""
    recommendation = summary["recommend"]
    best = recommendation["best"]
    table = Table(title=f"recommendation {recommendation['recommendation_id']} ({recommendation['method']}, "
                  f"{recommendation['evaluations']} evaluations)")
    table.add_column("component")
    table.add_column("value")
    for name, value in best["config"].items():
        table.add_row(name, _fmt(value))
    console.print(table)
    low, high = best["interval"]
    console.print(f"predicted Top-1 on the literature's terms: {best['predicted_top1']:.2f} % (80 % interval {low:.2f} to {high:.2f})")
    distance = best.get("domain_distance")
    if distance is not None and distance > 1.0:
        console.print(
            f"[yellow]warning:[/yellow] this configuration is {distance:.1f} times the applicability threshold away "
            "from the published results, so the prediction is an extrapolation"
        )

    verification = summary["verify"]
    check = Table(title="verification: predicted against measured")
    for column in ("dataset", "device", "model run", "wall time", "predicted Top-1", "measured Top-1"):
        check.add_column(column)
    predicted = verification.get("predicted_top1")
    check.add_row(
        str(verification.get("dataset")),
        str(verification.get("device")),
        str(verification.get("model_run") or verification.get("recipe", {}).get("model_name", "")),
        f"{verification.get('wall_seconds', 0):.0f} s",
        "n/a" if predicted is None else f"{predicted:.2f} %",
        f"{verification['measured_top1']:.2f} %",
    )
    console.print(check)
    if verification.get("scaled_down"):
        console.print(f"scaled down for the budget: {_fmt(list(verification['scaled_down']))}")

    flow_table = Table(title=f"flow runs recorded by the Prefect API at {api_url}")
    for column in ("flow", "run", "state"):
        flow_table.add_column(column)
    for run in runs:
        flow_table.add_row(run["flow"], run["name"], str(run["state"]))
    console.print(flow_table)


@click.command("run")
@click.option("--shared", "shared_dir", type=click.Path(file_okay=False), default=None,
              help="Shared data folder (sources/ and corpus/pdf/). Default: ../shared when it exists.")
@click.option("--pdf-dir", type=click.Path(exists=True, file_okay=False), default=None, help="Paper folder to mine. Default: <shared>/corpus/pdf.")
@click.option("--budget", type=int, default=200, show_default=True, help="Predictor evaluations of the recommendation search.")
@click.option("--verify-minutes", type=float, default=1.0, show_default=True, help="Wall-clock budget of the verification run, minutes.")
@click.option("--auto-accept", type=float, default=0.9, show_default=True, help="Accept extracted values at or above this confidence without review.")
@click.option("--dask-workers", type=click.IntRange(min=0), default=0, show_default=True,
              help="Parse the PDFs on a local Dask cluster with this many workers (0: Prefect's thread pool).")
@click.option("--full-training", is_flag=True, help="Grid-search the forest (several minutes more) instead of one setting.")
@click.option("--keep-server", is_flag=True, help="Leave the local Prefect server running after the job.")
@click.option("--json", "as_json", is_flag=True, help="Print the job summary as one JSON object.")
@click.pass_context
def run_command(ctx: click.Context, shared_dir: str | None, pdf_dir: str | None, budget: int, verify_minutes: float,
                auto_accept: float, dask_workers: int, full_training: bool, keep_server: bool, as_json: bool) -> None:
    """Run the main job: build the warehouse, mine the papers, train, recommend for the worked
    example and verify the recommendation with a real training run."""
    _configure_prefect_logging()
    from efficientdl.flows.main_job import literature_to_recommendation
    from efficientdl.flows.server import list_flow_runs, prefect_api

    db: Path = ctx.obj["db"]
    if shared_dir is None and Path("../shared").is_dir():
        shared_dir = "../shared"
    started = time.monotonic()

    with error_console.status("starting the Prefect API"):
        api_context = prefect_api(prefect_home(db), keep_running=keep_server)
        api = api_context.__enter__()
    try:
        error_console.print(f"Prefect API: {api.url}" + (" (started here)" if api.started_here else ""))
        summary = literature_to_recommendation(
            db=str(db), shared_dir=shared_dir, pdf_dir=pdf_dir, auto_accept_confidence=auto_accept,
            budget=budget, verify_minutes=verify_minutes, quick_training=not full_training, dask_workers=dask_workers,
        )
        runs = list_flow_runs(api.url)
    finally:
        api_context.__exit__(None, None, None)

    if as_json:
        click.echo(json.dumps({**summary, "flow_runs": runs, "prefect_api": api.url}, default=str))
        return
    print_main_job(summary, runs, api.url)
    console.print(f"main job finished in {time.monotonic() - started:.0f} s; warehouse {db}")
    if api.started_here and not keep_server:
        console.print(f"the flow runs stay in {api.home}; see them again with `efficientdl flows runs`")


@click.command("serve")
@click.option("--pdf-dir", type=click.Path(exists=True, file_okay=False), default=None, help="Paper folder for nightly extraction and offline discovery.")
@click.option("--source", "sources", multiple=True, help="Discovery source (openalex, semanticscholar, scholar, arxiv, local:DIR); repeatable.")
@click.option("--seed", "seeds", multiple=True, help="Discovery seed (arxiv:ID, doi:DOI, a title); repeatable.")
@click.pass_context
def serve_command(ctx: click.Context, pdf_dir: str | None, sources: tuple[str, ...], seeds: tuple[str, ...]) -> None:
    """Serve the scheduled flows (weekly discovery, nightly extraction and retraining) until stopped.

    Uses the Prefect server at PREFECT_API_URL, or starts one on 127.0.0.1."""
    _configure_prefect_logging()
    from prefect import serve

    from efficientdl.flows.deployments import build_deployments
    from efficientdl.flows.server import prefect_api

    db: Path = ctx.obj["db"]
    with prefect_api(prefect_home(db)) as api:
        deployments = build_deployments(str(db.resolve()), pdf_dir, list(sources) or None, list(seeds) or None)
        console.print(f"serving {len(deployments)} deployments against {api.url}; stop with Ctrl-C")
        serve(*deployments)


@click.group("flows")
def flows_group() -> None:
    """Inspect flow runs recorded by the Prefect API."""


@flows_group.command("runs")
@click.option("--limit", type=int, default=30, show_default=True, help="Newest runs to list.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list.")
@click.pass_context
def flows_runs(ctx: click.Context, limit: int, as_json: bool) -> None:
    """List the newest flow runs (from PREFECT_API_URL, else a local server over .prefect/)."""
    from efficientdl.flows.server import list_flow_runs, prefect_api

    with prefect_api(prefect_home(ctx.obj["db"])) as api:
        runs = list_flow_runs(api.url, limit=limit)
    if as_json:
        click.echo(json.dumps(runs, default=str))
        return
    table = Table(title=f"flow runs at {api.url}")
    for column in ("flow", "run", "state", "start_time"):
        table.add_column(column)
    for run in runs:
        table.add_row(run["flow"], run["name"], str(run["state"]), str(run["start_time"]))
    console.print(table)


def register(cli: click.Group) -> None:
    cli.add_command(run_command)
    cli.add_command(serve_command)
    cli.add_command(flows_group)
