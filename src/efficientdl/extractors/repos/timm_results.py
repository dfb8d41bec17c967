"""Extractor for timm's validation results tables (``results-*.csv``).

Each file contains one evaluation set, and a row is one pretrained checkpoint with
its input size, Top-1 and parameter count (millions, written with thousands
separators such as ``"1,014.45"``). ``model_metadata-in1k.csv`` names the
pretraining data of the older checkpoints whose tags do not.

Examples
--------
>>> dataset_of_results_file("results-imagenetv2-matched-frequency.csv")
'ImageNetV2'
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path

from efficientdl.extractors.records import ExtractorItem, Problem, RawRecord
from efficientdl.extractors.repos.naming import architecture_family, pretraining_from_tag
from efficientdl.extractors.repos.published_facts import apply_published_facts

logger = logging.getLogger(__name__)

EXTRACTOR = "timm-results/2"
SOURCE = "timm"

#: Results-file stem (after ``results-``) to the dataset it evaluates.
_DATASETS = {
    "imagenet": "ImageNet-1k",
    "imagenet-real": "ImageNet-ReaL",
    "imagenetv2-matched-frequency": "ImageNetV2",
    "sketch": "ImageNet-Sketch",
    "imagenet-a": "ImageNet-A",
    "imagenet-r": "ImageNet-R",
}

_REQUIRED_COLUMNS = ("model", "img_size", "top1", "param_count")

#: Pretraining labels of ``model_metadata-in1k.csv``, mapped onto the vocabulary.
_METADATA_PRETRAIN = {
    "in1k": "none",
    "in1k-adv": "ImageNet-1k adversarial",
    "in1k-ap": "ImageNet-1k adversarial",
    "in1k-dist": "none",
    "in21k": "ImageNet-21k",
    "in21k-selfsl": "ImageNet-21k",
    "jft300m-ns": "JFT-300M",
    "ig1b-swsl": "Instagram-940M",
    "ig1b-wsl": "Instagram-940M",
    "yfc-semisl": "YFCC100M",
}


def dataset_of_results_file(name: str) -> str | None:
    """Return the dataset a ``results-<name>.csv`` file evaluates, or None."""
    stem = Path(name).stem
    if not stem.startswith("results-"):
        return None
    return _DATASETS.get(stem[len("results-"):])


def read_metadata(directory: Path) -> dict[str, str]:
    """Read ``model_metadata-in1k.csv`` into architecture name to raw pretraining label."""
    path = directory / "model_metadata-in1k.csv"
    if not path.exists():
        return {}
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["model"]: row["pretrain"] for row in csv.DictReader(handle) if row.get("model")}


def extract_timm_results(directory: str | Path) -> Iterator[ExtractorItem]:
    """Yield one record per checkpoint and evaluation set found in ``directory``.

    Raises
    ------
    FileNotFoundError
        When ``directory`` contains no ``results-*.csv`` file.
    """
    directory = Path(directory)
    files = sorted(directory.glob("results-*.csv"))
    if not files:
        raise FileNotFoundError(
            f"no results-*.csv file found in {directory}; point it at timm's results/ folder"
        )
    metadata = read_metadata(directory)

    for path in files:
        dataset = dataset_of_results_file(path.name)
        if dataset is None:
            yield Problem(SOURCE, str(path), path.name, f"{path.name}: unknown evaluation set; expected one of "
                          + ", ".join(f"results-{k}.csv" for k in _DATASETS))
            continue
        yield from _extract_file(path, dataset, metadata)


def _extract_file(path: Path, dataset: str, metadata: dict[str, str]) -> Iterator[ExtractorItem]:
    with path.open(newline="", encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if header is None:
            yield Problem(SOURCE, str(path), path.name, f"{path.name} is empty")
            return
        missing = [c for c in _REQUIRED_COLUMNS if c not in header]
        if missing:
            yield Problem(SOURCE, str(path), path.name, f"{path.name} lacks the column(s) {missing}", header)
            return

        for line_number, cells in enumerate(reader, start=2):
            if not cells:
                continue
            if len(cells) != len(header):
                yield Problem(
                    SOURCE,
                    str(path),
                    f"{path.name}:{line_number}",
                    f"line {line_number} has {len(cells)} fields, the header has {len(header)}; "
                    "the file may be truncated or hand-edited",
                    cells,
                )
                continue
            row = dict(zip(header, cells))
            yield _record(path, dataset, row, metadata)


def _record(path: Path, dataset: str, row: dict[str, str], metadata: dict[str, str]) -> RawRecord:
    name = row["model"].strip()
    architecture, _, tag = name.partition(".")
    if tag:
        pretraining = pretraining_from_tag(tag)
    else:
        pretraining = _METADATA_PRETRAIN.get(metadata.get(architecture, ""), metadata.get(architecture))

    fields = {
        "model_name": name,
        "architecture_family": architecture_family(name),
        "dataset": dataset,
        "pretraining_data": pretraining,
        "top1": row["top1"],
        "parameters": row["param_count"],
        "input_size": row["img_size"],
        "framework": "PyTorch",
    }
    details = {
        key: row[key]
        for key in ("top5", "crop_pct", "interpolation", "top1_diff", "rank_diff")
        if row.get(key) not in (None, "")
    }
    if tag:
        details["pretrained_tag"] = tag
    field_sources = {
        "model_name": "model",
        "architecture_family": "model (name rule)",
        "pretraining_data": "model tag" if tag else "model_metadata-in1k.csv",
        "top1": "top1",
        "parameters": "param_count",
        "input_size": "img_size",
        "framework": "timm is a PyTorch library",
        "dataset": f"file name {path.name}",
    }
    apply_published_facts(fields, field_sources, name, details)
    return RawRecord(
        source=SOURCE,
        source_file=str(path),
        source_key=f"{dataset}:{name}@{row['img_size'].strip()}",
        extractor=EXTRACTOR,
        fields=fields,
        details=details,
        field_sources=field_sources,
    )
