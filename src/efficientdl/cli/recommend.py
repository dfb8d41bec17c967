"""``efficientdl recommend``: the best values for the components a user leaves open."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.table import Table

from efficientdl.cli.console import console, progress_bar
from efficientdl.search.baselines import METHODS
from efficientdl.search.recommend import Recommendation, recommend
from efficientdl.search.request import RecommendationRequest, parse_pairs
from efficientdl.search.space import SearchSpaceError
from efficientdl.warehouse.db import Warehouse


def _parse_numbers(option: str, text: str) -> list[float]:
    try:
        return [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(f"{text!r} is not a comma-separated list of numbers", param_hint=option) from None


def build_request(
    fix: tuple[str, ...],
    search: str | None,
    grid: tuple[str, ...],
    max_parameters: float | None,
    max_gpus: int | None,
    batch_size_range: str | None,
    forbid: tuple[str, ...],
    risk_averse: bool,
) -> RecommendationRequest:
    """Turn the command-line options into a :class:`RecommendationRequest`."""
    grids = {}
    for item in grid:
        name, _, values = item.partition("=")
        if not values:
            raise click.BadParameter(f"{item!r} is not NAME=V1,V2,...", param_hint="--grid")
        grids[name.strip()] = _parse_numbers("--grid", values)

    size_range = None
    if batch_size_range:
        bounds = _parse_numbers("--batch-size-range", batch_size_range)
        if len(bounds) != 2:
            raise click.BadParameter(f"{batch_size_range!r} is not LOW,HIGH", param_hint="--batch-size-range")
        size_range = (int(bounds[0]), int(bounds[1]))

    searched = [s.strip() for s in search.split(",") if s.strip()] if search else None
    return RecommendationRequest(
        fixed=parse_pairs(list(fix)),
        search=searched,
        grid=grids,
        max_parameters=max_parameters,
        max_gpus=max_gpus,
        batch_size_range=size_range,
        forbid=[parse_pairs(rule) for rule in forbid],
        risk_averse=risk_averse,
    )


def _format(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "(none)"
    if isinstance(value, float):
        return f"{value:g}"
    return "" if value is None else str(value)


def print_recommendation(rec: Recommendation) -> None:
    """Print the top configurations and what changed against the baseline as tables."""
    searched = rec.request["resolved"]["searched"]
    table = Table(title=f"top configurations ({rec.method}, {rec.evaluations} evaluations, {rec.seconds:.1f} s)")
    table.add_column("#", justify="right")
    for name in searched:
        table.add_column(name, overflow="fold")
    table.add_column("Top-1 %", justify="right")
    table.add_column("interval", justify="right")
    for rank, entry in enumerate(rec.top, start=1):
        low, high = entry["interval"]
        cells = [_format(entry["config"].get(name)) for name in searched]
        table.add_row(str(rank), *cells, f"{entry['predicted_top1']:.2f}", f"{low:.2f} to {high:.2f}")
    console.print(table)

    baseline = rec.baseline
    changes = Table(title=f"changes against the baseline (baseline predicted {baseline['predicted_top1']:.2f} %)")
    changes.add_column("component")
    changes.add_column("baseline", overflow="fold")
    changes.add_column("recommended", overflow="fold")
    for change in rec.changes:
        changes.add_row(change["component"], _format(change["baseline"]), _format(change["recommended"]))
    if not rec.changes:
        changes.add_row("(none)", "", "")
    console.print(changes)

    evidence = Table(title="most similar published configurations")
    for column in ("title", "model", "dataset", "Top-1 %", "similarity"):
        evidence.add_column(column, overflow="fold")
    for item in rec.evidence:
        evidence.add_row(item["title"], item["model_name"], item.get("dataset") or "", f"{item['top1']:.2f}", f"{item['similarity']:.2f}")
    console.print(evidence)
    console.print(f"recommendation {rec.recommendation_id}; convergence plot: {rec.plot_path}")

    held = rec.request["resolved"].get("held") or {}
    if held:
        shown = ", ".join(f"{name}={_format(value)}" for name, value in held.items())
        console.print(f"neither fixed nor searched, so scored at the baseline's values (comparable warehouse rows): {shown}")
    distance = rec.best.get("domain_distance")
    if distance is not None and distance > 1.0:
        console.print(
            f"[yellow]warning:[/yellow] the best configuration is outside the predictor's applicability domain "
            f"(distance {distance:.1f} times the held-out threshold), so its Top-1 is an extrapolation; "
            "the interval does not cover that uncertainty"
        )


@click.command("recommend")
@click.option("--fix", multiple=True, metavar="NAME=VALUE", help="Fix a component or identity field (repeatable), e.g. --fix dataset=ImageNet.")
@click.option("--search", default=None, metavar="A,B,...", help="Components to search; default: the predictor's most important changeable ones.")
@click.option("--budget", type=int, default=200, show_default=True, help="Predictor evaluations allowed.")
@click.option("--method", type=click.Choice(METHODS), default="eps-bo", show_default=True, help="Search method.")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed; the same seed repeats the search.")
@click.option("--grid", multiple=True, metavar="NAME=V1,V2,...", help="Values a searched number may take (repeatable).")
@click.option("--max-parameters", type=float, default=None, help="Maximum model size, millions of parameters.")
@click.option("--max-gpus", type=int, default=None, help="Maximum number of accelerators (GPU count).")
@click.option("--batch-size-range", default=None, metavar="LOW,HIGH", help="Inclusive total batch-size range.")
@click.option("--forbid", multiple=True, metavar="NAME=VALUE,...", help="Forbid a combination of values (repeatable).")
@click.option("--risk-averse", is_flag=True, help="Maximise the lower bound of the prediction interval instead of the mean.")
@click.option("--patience", type=int, default=None, help="Stop a GP-based search after this many evaluations without improvement.")
@click.option("--predictor", "predictor_id", default=None, help="Predictor id; default: the latest trained.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout.")
@click.pass_context
def recommend_command(
    ctx: click.Context,
    fix: tuple[str, ...],
    search: str | None,
    budget: int,
    method: str,
    seed: int,
    grid: tuple[str, ...],
    max_parameters: float | None,
    max_gpus: int | None,
    batch_size_range: str | None,
    forbid: tuple[str, ...],
    risk_averse: bool,
    patience: int | None,
    predictor_id: str | None,
    as_json: bool,
) -> None:
    """Recommend values for the components left open, by searching the predictor's Top-1."""
    try:
        request = build_request(fix, search, grid, max_parameters, max_gpus, batch_size_range, forbid, risk_averse)
        with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
            task = progress.add_task(f"searching with {method}", total=None)

            def advance(evaluated: int, total: int) -> None:
                progress.update(task, completed=evaluated, total=total)

            options = {"patience": patience} if patience is not None and method not in ("random", "tpe", "exhaustive") else None
            rec = recommend(
                wh, request, method, budget, seed,
                predictor_id=predictor_id, searcher_options=options, progress=advance,
            )
            progress.update(task, completed=rec.evaluations, total=rec.evaluations)
    except SearchSpaceError as exc:
        raise click.ClickException(str(exc)) from None

    if as_json:
        click.echo(json.dumps(rec.as_json()))
        return
    print_recommendation(rec)


def register(cli: click.Group) -> None:
    cli.add_command(recommend_command)
