"""``efficientdl train``, ``predict`` and ``importance``: the Top-1 predictor from the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import click
import yaml
from rich.table import Table

from efficientdl.cli.console import console, progress_bar
from efficientdl.models.forest import CONFIG_FIELDS
from efficientdl.schema.components import ALL_FIELDS, Kind
from efficientdl.schema.normalize import NormalizationError, normalize
from efficientdl.warehouse.db import Warehouse

_JSON = click.option("--json", "as_json", is_flag=True, help="Print one JSON object on stdout instead of tables.")


def _number(value: Any) -> Any:
    return None if isinstance(value, float) and math.isnan(value) else value


@click.command("train")
@_JSON
@click.option("--plots", "plots_dir", type=click.Path(file_okay=False), default=None, help="Write the predicted-vs-measured scatter and the importance bar chart (PNG) to this directory.")
@click.option("--nested", is_flag=True, help="Grid-search inside every fold too (honest forest metrics, about 5 times slower).")
@click.option("--folds", "n_splits", type=click.IntRange(2, 20), default=5, show_default=True, help="Grouped cross-validation folds.")
@click.option("--level", "interval_level", type=click.FloatRange(0.5, 0.99), default=0.8, show_default=True, help="Nominal coverage of the prediction intervals.")
@click.option("--jobs", "n_jobs", type=int, default=-1, show_default=True, help="Cores for the forest (-1: all).")
@click.option("--grid", "grid_json", default=None, metavar="JSON", help='Forest grid as a JSON object of parameter lists, e.g. \'{"n_estimators": [200], "min_samples_leaf": [1, 5]}\'. Default: 16 candidates.')
@click.pass_context
def train_command(ctx: click.Context, as_json: bool, plots_dir: str | None, nested: bool, n_splits: int, interval_level: float, n_jobs: int, grid_json: str | None) -> None:
    """Train the random-forest Top-1 predictor on the warehouse's configurations, evaluate it on
    grouped folds against the baselines and register it."""
    from efficientdl.pipeline.train import train_predictor

    grid = _parse_grid(grid_json)
    with Warehouse(ctx.obj["db"]) as wh, progress_bar() as progress:
        task = progress.add_task("training", total=n_splits + 3)

        def report(step: str, completed: int, total: int) -> None:
            progress.update(task, description=step, completed=completed, total=total)

        result = train_predictor(wh, grid=grid, n_splits=n_splits, nested=nested, interval_level=interval_level, n_jobs=n_jobs, progress=report)

    plots = []
    if plots_dir is not None:
        from efficientdl.models.plots import plot_importance, plot_predicted_vs_measured

        directory = Path(plots_dir)
        plots = [plot_predicted_vs_measured(result.heldout, directory / "predicted_vs_measured.png"), plot_importance(result.importance, directory / "importance.png")]

    if as_json:
        payload = result.as_dict()
        payload["plots"] = [str(path) for path in plots]
        click.echo(json.dumps(payload, default=_number))
        return

    table = Table(title=f"predictor {result.predictor_id}: grouped {n_splits}-fold cross-validation on {result.rows} rows (Top-1 points)")
    for column in ("method", "dataset", "n", "MAE", "RMSE", "R2", "Spearman"):
        table.add_column(column, justify="left" if column in ("method", "dataset") else "right")
    for row in result.metrics.itertuples():
        table.add_row(row.method, row.dataset, str(row.n), f"{row.mae:.2f}", f"{row.rmse:.2f}", f"{row.r2:.3f}", f"{row.spearman:.3f}")
    console.print(table)
    coverage = result.interval_coverage
    console.print(f"{coverage['nominal']:.0%} intervals cover {coverage['measured']:.1%} of held-out rows (mean width {coverage['mean_width']:.1f} points)")
    console.print(f"forest: {result.parameters['forest']}; {result.seconds:.0f} s; artifact {result.artifact_path}")
    for path in plots:
        console.print(f"plot: {path}")


def _parse_grid(text: str | None) -> dict[str, list[Any]] | None:
    if text is None:
        return None
    try:
        grid = json.loads(text)
    except json.JSONDecodeError as exc:
        raise click.BadParameter(f"not valid JSON: {exc}", param_hint="--grid") from exc
    if not isinstance(grid, dict) or not all(isinstance(values, list) and values for values in grid.values()):
        raise click.BadParameter("give an object of non-empty lists, e.g. {\"n_estimators\": [200]}", param_hint="--grid")
    return grid


def parse_config(config_file: str | None, assignments: tuple[str, ...]) -> dict[str, Any]:
    """Read a configuration from a YAML mapping and ``key=value`` pairs, normalised to canonical values.

    ``--set`` pairs override the file. Set components take comma-separated
    values (``data_augmentation=RandAugment,mixup``).

    Raises
    ------
    click.BadParameter
        For an unknown key (naming the known components) or an unreadable value.
    """
    raw: dict[str, Any] = {}
    if config_file is not None:
        try:
            loaded = yaml.safe_load(Path(config_file).read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise click.BadParameter(f"{config_file} is not valid YAML: {exc}", param_hint="CONFIG_FILE") from exc
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise click.BadParameter(f"{config_file} must contain a mapping of component to value, found {type(loaded).__name__}")
        raw.update(loaded)
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        if not separator:
            raise click.BadParameter(f"{assignment!r} is not key=value", param_hint="--set")
        raw[key.strip()] = value.strip()

    config: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in CONFIG_FIELDS:
            raise click.BadParameter(f"unknown component {key!r}; known components: {', '.join(CONFIG_FIELDS)}")
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            normalized = normalize(key, value)
        except NormalizationError as exc:
            raise click.BadParameter(f"{key}: {exc}") from exc
        field = ALL_FIELDS[key]
        if field.kind is Kind.NUMBER and field.bounds is not None:
            low, high = field.bounds
            if not low <= normalized.value <= high:
                raise click.BadParameter(f"{key}={normalized.value:g} is outside the valid range {low:g} to {high:g}")
        if field.kind is Kind.SET:
            config[key] = sorted(set(normalized.value) | set(normalized.unknown))
        elif field.kind is Kind.CHOICE and normalized.value is None:
            config[key] = normalized.unknown[0]
        else:
            config[key] = normalized.value
    return config


def fill_from_model_name(wh: Warehouse, config: dict[str, Any]) -> str | None:
    """Fill ``architecture_family`` and ``parameters`` from the warehouse rows of ``model_name``.

    The predictor does not read ``model_name`` itself (a held-out model has no
    name it could learn from), so a named model is described by its family and
    size. Returns a message saying what was filled, or why nothing was.
    """
    from efficientdl.search.build import load_rows, match_model
    from efficientdl.search.space import SearchSpaceError

    name = config.get("model_name")
    if not name or ("architecture_family" in config and "parameters" in config):
        return None
    rows = load_rows(wh)
    try:
        matched = rows[match_model(rows, str(name))]
    except SearchSpaceError as exc:
        return f"{exc}; model_name itself is not a predictor input, so give architecture_family and parameters"

    filled = []
    if "architecture_family" not in config and matched["architecture_family"].notna().any():
        config["architecture_family"] = matched["architecture_family"].mode().iloc[0]
        filled.append(f"architecture_family={config['architecture_family']}")
    if "parameters" not in config and matched["parameters"].notna().any():
        config["parameters"] = float(matched["parameters"].median())
        filled.append(f"parameters={config['parameters']:.2f}")
    if not filled:
        return None
    return f"filled from the warehouse rows of {name}: {', '.join(filled)}"


@click.command("predict")
@click.argument("config_file", required=False, type=click.Path(exists=True, dir_okay=False))
@click.option("--set", "assignments", multiple=True, metavar="KEY=VALUE", help="A component value; repeat for more. Overrides CONFIG_FILE.")
@click.option("--predictor", "predictor_id", default=None, help="Predictor id; default: the newest.")
@_JSON
@click.pass_context
def predict_command(ctx: click.Context, config_file: str | None, assignments: tuple[str, ...], predictor_id: str | None, as_json: bool) -> None:
    """Predict the Top-1 (percent) of the configuration in CONFIG_FILE (YAML) and/or --set pairs."""
    from efficientdl.models.registry import load_predictor

    if config_file is None and not assignments:
        raise click.UsageError("give a CONFIG_FILE or at least one --set key=value")
    config = parse_config(config_file, assignments)
    with Warehouse(ctx.obj["db"], read_only=True) as wh:
        predictor = load_predictor(wh, predictor_id)
        filled_from_model = fill_from_model_name(wh, config)
    prediction = predictor.predict(config)
    if filled_from_model:
        prediction.warnings.insert(0, filled_from_model)

    if as_json:
        payload = prediction.as_dict()
        payload["predictor_id"] = predictor.predictor_id
        payload["interval_level"] = predictor.interval_level
        click.echo(json.dumps(payload))
        return
    low, high = prediction.interval
    console.print(f"predicted Top-1: [bold]{prediction.predicted_top1:.2f}%[/bold] ({predictor.interval_level:.0%} interval {low:.2f} to {high:.2f}); predictor {predictor.predictor_id}")
    if prediction.missing:
        console.print(f"not given (filled by the forest): {', '.join(prediction.missing)}")
    for warning in prediction.warnings:
        console.print(f"[yellow]warning:[/yellow] {warning}")


@click.command("importance")
@click.option("--top", type=click.IntRange(min=1), default=10, show_default=True, help="Components to list.")
@click.option("--predictor", "predictor_id", default=None, help="Predictor id; default: the newest.")
@_JSON
@click.pass_context
def importance_command(ctx: click.Context, top: int, predictor_id: str | None, as_json: bool) -> None:
    """List the components by held-out permutation importance (growth of the MAE, Top-1 points)."""
    from efficientdl.models.registry import load_predictor

    with Warehouse(ctx.obj["db"], read_only=True) as wh:
        predictor = load_predictor(wh, predictor_id)
    ranked = predictor.importance().head(top)

    if as_json:
        click.echo(json.dumps({
            "predictor_id": predictor.predictor_id,
            "importance": ranked.to_dict(orient="records"),
            "default_search_components": predictor.default_search_components(top),
        }))
        return
    table = Table(title=f"permutation importance, predictor {predictor.predictor_id} (MAE growth, Top-1 points)")
    for column in ("rank", "component", "importance", "std"):
        table.add_column(column, justify="left" if column == "component" else "right")
    for row in ranked.itertuples():
        table.add_row(str(row.rank), row.component, f"{row.importance:.3f}", f"{row.std:.3f}")
    console.print(table)


def register(cli: click.Group) -> None:
    cli.add_command(train_command)
    cli.add_command(predict_command)
    cli.add_command(importance_command)
