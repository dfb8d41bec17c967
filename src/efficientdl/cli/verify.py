"""``efficientdl verify`` and ``efficientdl profile-dataset``: train a recommendation, profile a data set."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
import yaml
from rich.table import Table

from efficientdl.cli.console import console, progress_bar
from efficientdl.warehouse.db import Warehouse

_STAGE_LABELS = {"profile": "profiling images", "plan": "timing updates", "train": "training", "evaluate": "evaluating"}


def parse_assignments(assignments: tuple[str, ...]) -> dict[str, Any]:
    """Read ``key=value`` pairs; values are parsed as YAML scalars or lists (``[flip, mixup]``).

    >>> parse_assignments(("epochs=30", "optimizer=AdamW", "data_augmentation=[flip, mixup]"))
    {'epochs': 30, 'optimizer': 'AdamW', 'data_augmentation': ['flip', 'mixup']}
    """
    values: dict[str, Any] = {}
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{assignment!r} is not key=value, e.g. optimizer=AdamW", param_hint="--set")
        try:
            values[key.strip()] = yaml.safe_load(raw)
        except yaml.YAMLError as exc:
            raise click.BadParameter(f"{assignment!r}: the value is not valid YAML ({exc})", param_hint="--set") from None
    return values


def read_config_file(path: str) -> dict[str, Any]:
    """Read a YAML mapping of component values, or the ``config`` mapping inside it."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise click.BadParameter(f"{path} is not valid YAML: {exc}", param_hint="--config") from None
    if isinstance(data, dict) and isinstance(data.get("config"), dict):
        data = data["config"]
    if not isinstance(data, dict):
        raise click.BadParameter(f"{path} contains no mapping of components, e.g. 'optimizer: AdamW'", param_hint="--config")
    return data


def _format(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_verification(result) -> None:
    """Print the run and a predicted-vs-measured table."""
    recipe = result.recipe
    scaled = result.scaled_down or {}

    run = Table(title=f"verification {result.verification_id}" + (" (stored)" if result.reused else ""), show_header=False)
    run.add_row("dataset", result.dataset)
    run.add_row("device", result.device)
    run.add_row("model", _scaled_text(recipe.get("model_name"), scaled.get("model")))
    for name in ("epochs", "batch_size", "learning_rate", "input_size", "patch_size"):
        if name in scaled or name in ("epochs", "batch_size", "learning_rate"):
            run.add_row(name.replace("_", " "), _scaled_text(recipe.get(name), scaled.get(name)))
    applied = recipe.get("applied", {})
    run.add_row("optimizer", f"{applied.get('optimizer')} (timm {recipe.get('optimizer')!r}, weight decay {recipe.get('weight_decay')})")
    run.add_row("schedule", f"{applied.get('lr_schedule')} (timm {recipe.get('lr_schedule')!r})")
    run.add_row("augmentation", ", ".join(applied.get("data_augmentation", [])) or "none")
    run.add_row("regularization", ", ".join(applied.get("regularization", [])) or "none")
    run.add_row("loss", str(recipe.get("loss")))
    run.add_row("wall time", f"{result.wall_seconds:.1f} s")
    console.print(run)

    for quantity, entry in scaled.items():
        console.print(f"  scaled {quantity}: {entry['original']} -> {entry['actual']} ({entry['reason']})")
    for line in recipe.get("unsupported", []):
        console.print(f"  [yellow]not applied[/yellow] {line}")
    for line in recipe.get("approximations", []):
        console.print(f"  approximated {line}")

    comparison = Table(title="Top-1 (%)")
    for column in ("measured", "predicted", "interval", "prediction from", "recommendation's prediction"):
        comparison.add_column(column)
    interval = f"{result.interval[0]:.1f} - {result.interval[1]:.1f}" if result.interval else "-"
    source = result.prediction_source or "no predictor"
    if result.predictor_id:
        source = f"{source} {result.predictor_id}"
    comparison.add_row(
        _format(result.measured_top1), _format(result.predicted_top1), interval, source, _format(result.recommended_top1)
    )
    console.print(comparison)
    for warning in result.prediction_warnings:
        console.print(f"  [yellow]prediction warning[/yellow] {warning}")


def _scaled_text(actual: Any, entry: dict | None) -> str:
    if entry is None:
        return str(actual)
    return f"{actual} (configured {entry['original']})"


@click.command("verify")
@click.option("--recommendation", "recommendation_id", default=None, help="Recommendation id whose best configuration is trained.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False), default=None,
              help="YAML file of component values; overrides the recommendation's.")
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE",
              help="Override one component, e.g. --set optimizer=AdamW --set 'data_augmentation=[flip, mixup]'. Repeatable.")
@click.option("--dataset", default="digits", show_default=True,
              help="'digits' (scikit-learn's 8x8 digits) or a folder of class subfolders (optionally train/ and val/).")
@click.option("--budget-minutes", type=click.FloatRange(min=0, min_open=True), default=2.0, show_default=True,
              help="Wall-clock budget of the training run, minutes.")
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of weights, data order and augmentation.")
@click.option("--image-size", type=click.IntRange(min=8), default=None, help="Side the images are fed at, pixels. Default: 32 for digits, the median image side for a folder.")
@click.option("--force", is_flag=True, help="Train again even when this verification is stored.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON object.")
@click.pass_context
def verify_command(ctx, recommendation_id, config_path, assignments, dataset, budget_minutes, seed, image_size, force, as_json) -> None:
    """Train a recommended configuration with torch + timm and compare measured with predicted Top-1."""
    from efficientdl.pipeline.verify import verify_recommendation

    overrides = read_config_file(config_path) if config_path else {}
    overrides.update(parse_assignments(assignments))
    if recommendation_id is None and not overrides:
        raise click.UsageError("give --recommendation ID, or a configuration with --config / --set")

    with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
        tasks: dict[str, Any] = {}

        def on_progress(event) -> None:
            if event.stage not in tasks:
                tasks[event.stage] = progress.add_task(_STAGE_LABELS.get(event.stage, event.stage), total=event.total)
            task = tasks[event.stage]
            description = _STAGE_LABELS.get(event.stage, event.stage)
            if event.loss is not None:
                description = f"{description} {event.message} (loss {event.loss:.3f})"
            progress.update(task, completed=event.completed, total=event.total, description=description)

        result = verify_recommendation(
            wh, recommendation_id, overrides, dataset=dataset, budget_minutes=budget_minutes, seed=seed,
            on_progress=on_progress, force=force, image_size=image_size,
        )

    if as_json:
        click.echo(json.dumps(result.as_dict(), default=str))
        return
    print_verification(result)


@click.command("profile-dataset")
@click.argument("dataset")
@click.option("--image-size", type=click.IntRange(min=8), default=None, help="Side the images are fed at, pixels; reported as input_size.")
@click.option("--json", "as_json", is_flag=True, help="Print the profile as one JSON object.")
def profile_command(dataset: str, image_size: int | None, as_json: bool) -> None:
    """Compute the data components of DATASET ('digits' or a folder): sizes, classes and train/test shift."""
    from efficientdl.verify.datasets import load_dataset
    from efficientdl.verify.profile import profile_data

    data = load_dataset(dataset, image_size=image_size)
    with progress_bar() as progress:
        task = progress.add_task("profiling images", total=len(data.train) + len(data.test))
        profile = profile_data(data, lambda: progress.advance(task))

    if as_json:
        click.echo(json.dumps(profile.as_dict()))
        return
    table = Table(title=f"data components of {profile.name}", show_header=False)
    table.add_row("location", profile.location)
    table.add_row("split", profile.split)
    for name, value in profile.components().items():
        table.add_row(name, f"{value:.0f}" if float(value).is_integer() and name.endswith(("size", "classes")) else f"{value:.6g}")
    console.print(table)


def register(cli: click.Group) -> None:
    cli.add_command(verify_command)
    cli.add_command(profile_command)
