"""Extractor for spreadsheets in the EfficientDL column format (.xlsx or .csv).

The format has one row per published result and its own column names,
misspellings included ("paraeters", "Framwork", "Data Augmentagion"). Sets
are comma-separated text, Top-1 is a fraction (0.813), hardware is free
text ("Tesla V100 PCIe 32 GB") with the device count in a "Number" column.
The format repeats "Number" and "Top-1" at the end of the row; the first
occurrence is read and a disagreeing repeat is noted in the record details.

Examples
--------
>>> column_field("Data Augmentagion")
'data_augmentation'
>>> split_sheet_set("resizing, cropping, mixup，and flipping")
['resizing', 'cropping', 'mixup', 'flipping']
"""

from __future__ import annotations

import csv
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import regex

from efficientdl.extractors.records import ExtractorItem, Problem, RawRecord, Skipped
from efficientdl.extractors.repos.naming import architecture_family

logger = logging.getLogger(__name__)

EXTRACTOR = "efficientdl-sheet/1"
SOURCE = "sheet"

#: Sheet column (folded: lower case, single spaces) to component or identity field.
_COLUMNS: dict[str, str] = {
    "model": "model_name",
    "normalization": "normalization",
    "initialization": "initialization",
    "convolutions": "convolution",
    "skip connections": "skip_connection",
    "activation functions": "activation",
    "pooling operations": "pooling",
    "regularization": "regularization",
    "data augmentagion": "data_augmentation",
    "data augmentation": "data_augmentation",
    "feedforward networks": "feedforward",
    "attention mechanisms": "attention",
    "attention modules": "attention",
    "learning rate schedules": "lr_schedule",
    "training algorithm": "optimizer",
    "output functions": "output_function",
    "dataset": "dataset",
    "train_size": "train_size",
    "test_size": "test_size",
    "number_label": "num_classes",
    "cos": "cosine_similarity",
    "js": "js_divergence",
    "l2": "l2_distance",
    "input_size": "input_size",
    "framwork": "framework",
    "framework": "framework",
    "paraeters": "parameters",
    "parameters": "parameters",
    "batch size": "batch_size",
    "learning rate": "learning_rate",
    "epochs": "epochs",
    "hardware": "gpu_type",
    "number": "gpu_count",
    # NOTE: the loader reads a Top-1 of at most 1 as a fraction, so a sheet stating 0.5 % as 0.5 loads as 50 %.
    "top-1": "top1",
}

#: Columns kept in the record details because no component stores them.
_DETAIL_COLUMNS = {"position embeddings": "position_embeddings", "test_input": "test_input_size"}

#: Columns whose text lists several values.
_SET_FIELDS = {
    "normalization", "convolution", "skip_connection", "activation", "pooling",
    "regularization", "data_augmentation", "feedforward", "attention",
}


def _fold(name: Any) -> str:
    return regex.sub(r"\s+", " ", str(name or "").strip().lower())


def column_field(column: str) -> str | None:
    """Return the component or identity field a sheet column holds, or None."""
    return _COLUMNS.get(_fold(column))


def split_sheet_set(text: Any) -> list[str]:
    """Split a comma-separated sheet cell (ASCII or full-width commas) into items."""
    items = regex.split(r"[,，;、]", str(text))
    cleaned = [regex.sub(r"^(?:and|&)\s+", "", item.strip(), flags=regex.IGNORECASE) for item in items]
    return [item for item in cleaned if item]


def read_rows(path: Path) -> tuple[list[str], list[tuple[int, list[Any]]]]:
    """Read the header and the numbered data rows of an .xlsx (first sheet) or .csv file.

    Raises
    ------
    ValueError
        When the file type is not supported or the file cannot be parsed.
    """
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several unrelated types for a broken file
            raise ValueError(f"{path} is not a readable .xlsx workbook: {exc}") from exc
        sheet = workbook.worksheets[0]
        rows = [list(row) for row in sheet.iter_rows(values_only=True)]
        workbook.close()
    elif suffix == ".csv":
        with path.open(newline="", encoding="utf-8-sig", errors="replace") as handle:
            rows = [list(row) for row in csv.reader(handle)]
    else:
        raise ValueError(f"{path}: unsupported spreadsheet type {suffix!r}; use .xlsx or .csv")
    if not rows:
        raise ValueError(f"{path} is empty")
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    return header, [(number, row) for number, row in enumerate(rows[1:], start=2)]


def extract_sheet(path: str | Path) -> Iterator[ExtractorItem]:
    """Yield one record per data row of an EfficientDL-format spreadsheet.

    Rows with fewer cells than the header (a truncated file) become
    problems; blank rows are skipped silently because spreadsheets end with
    them.
    """
    path = Path(path)
    try:
        header, rows = read_rows(path)
    except ValueError as exc:
        yield Problem(SOURCE, str(path), path.name, str(exc))
        return

    known = [c for c in header if column_field(c)]
    if "model_name" not in {column_field(c) for c in header} or "top1" not in {column_field(c) for c in header}:
        yield Problem(
            SOURCE, str(path), path.name,
            f"{path.name} lacks a 'Model' or 'Top-1' column; columns found: {header}. "
            "Is it in the EfficientDL sheet format?",
        )
        return
    logger.debug("%s: %d known columns of %d", path, len(known), len(header))

    for number, cells in rows:
        if all(cell is None or str(cell).strip() == "" for cell in cells):
            continue
        if len(cells) < len(header) and path.suffix.lower() == ".csv":
            yield Problem(
                SOURCE, str(path), f"row{number}",
                f"row {number} has {len(cells)} cells, the header has {len(header)}; the file may be truncated",
                cells,
            )
            continue
        yield _record(path, header, number, cells)


def _record(path: Path, header: list[str], number: int, cells: list[Any]) -> ExtractorItem:
    fields: dict[str, Any] = {}
    field_sources: dict[str, str] = {}
    details: dict[str, Any] = {}

    for column, cell in zip(header, cells):
        if cell is None or str(cell).strip() == "":
            continue
        folded = _fold(column)
        if folded in _DETAIL_COLUMNS:
            details[_DETAIL_COLUMNS[folded]] = cell
            continue
        name = column_field(column)
        if name is None:
            continue
        if name in _SET_FIELDS:
            fields[name] = [*fields.get(name, []), *split_sheet_set(cell)]
            field_sources[name] = ", ".join(filter(None, [field_sources.get(name), column]))
        elif name in fields:
            if str(fields[name]) != str(cell):
                details[f"repeated_{name}"] = cell
        else:
            fields[name] = cell
            field_sources[name] = column

    if "model_name" not in fields:
        return Skipped(SOURCE, str(path), f"row{number}", "row has no model name")

    architecture = next((cell for column, cell in zip(header, cells) if _fold(column) == "architecture" and cell), None)
    family_text = str(architecture or fields["model_name"])
    fields["architecture_family"] = architecture_family(regex.sub(r"\s+", "_", family_text.strip()))
    field_sources["architecture_family"] = "Architecture (name rule)" if architecture else "Model (name rule)"
    if "gpu_type" in fields and "gpu_count" in fields:
        details["hardware"] = fields["gpu_type"]

    return RawRecord(
        source=SOURCE,
        source_file=str(path),
        source_key=f"{path.name}:row{number}:{fields['model_name']}",
        extractor=EXTRACTOR,
        fields=fields,
        details=details,
        field_sources=field_sources,
    )
