"""Validate-and-load: raw records from any extractor into ``configurations``.

The stage normalises each raw value with :mod:`efficientdl.schema.normalize`,
validates the rows with the pandera schema of the table, upserts the valid
rows (idempotent by ``source`` and ``source_key``) and quarantines the rest
with every error. An unknown value of a closed vocabulary (an optimizer
nobody has heard of) makes the row invalid; an unknown value of an open
vocabulary (a new dataset, an augmentation not yet listed) is kept raw in
its column and listed in the row's ``flags``.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Iterable

import pandas as pd

from efficientdl.extractors.records import ExtractorItem, Problem, RawRecord, Skipped
from efficientdl.schema.components import ALL_FIELDS, COMPONENTS, Kind
from efficientdl.schema.datasets import dataset_facts
from efficientdl.schema.normalize import NormalizationError, normalize
from efficientdl.schema.tables import configuration_schema, split_valid
from efficientdl.warehouse.db import Warehouse, stable_id, to_json
from efficientdl.warehouse.quarantine import QuarantineEntry, add_to_quarantine
from efficientdl.warehouse.upsert import UpsertCounts, upsert_frame

logger = logging.getLogger(__name__)

#: Columns written to ``configurations`` besides the fields, in table order.
_META_COLUMNS = ("config_id", "source", "source_file", "source_key", "extractor", "paper_id", "paper_title", "paper_url")


@dataclass
class IngestReport:
    """Counts of one ingest run, for the CLI summary and the flow logs."""

    source: str
    read: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    skipped: int = 0
    flagged: int = 0
    skip_reasons: Counter = field(default_factory=Counter)
    quarantine_reasons: Counter = field(default_factory=Counter)

    @property
    def nothing_read(self) -> bool:
        """True when the input produced no usable row at all."""
        return self.loaded + self.updated + self.unchanged == 0

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "read": self.read,
            "loaded": self.loaded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "skipped": self.skipped,
            "flagged": self.flagged,
            "skip_reasons": dict(self.skip_reasons),
            "quarantine_reasons": dict(self.quarantine_reasons.most_common(10)),
        }


@dataclass
class _Normalized:
    row: dict[str, Any]
    errors: list[str]
    flags: dict[str, list[str]]


def normalize_record(record: RawRecord) -> _Normalized:
    """Normalise every field of ``record`` into one ``configurations`` row (not yet validated)."""
    row: dict[str, Any] = {name: None for name in ALL_FIELDS}
    errors: list[str] = []
    flags: dict[str, list[str]] = {}

    for name, raw in record.fields.items():
        if name == "paper_id":
            continue  # a meta column: records_to_frame copies it as it is
        if name not in ALL_FIELDS:
            errors.append(f"{name}: not a component or identity field")
            continue
        if raw is None or (isinstance(raw, float) and pd.isna(raw)) or (isinstance(raw, str) and not raw.strip()):
            continue
        component = ALL_FIELDS[name]
        try:
            result = normalize(name, raw)
        except NormalizationError as exc:
            errors.append(f"{name}: {exc}")
            continue

        if result.unknown:
            closed = component.vocabulary is not None and component.vocabulary.closed
            if closed:
                known = ", ".join(component.vocabulary.values)
                errors.append(
                    f"{name}: unknown value {', '.join(map(repr, result.unknown))}; known values: {known}. "
                    "Fix the source or add a synonym to efficientdl/schema/vocabulary.py"
                )
                continue
            flags[name] = result.unknown
            if component.kind is Kind.CHOICE:
                result.value = result.unknown[0]
            else:
                result.value = sorted(set(result.value) | set(result.unknown))
        row[name] = result.value

    _fill_dataset_facts(row)
    return _Normalized(row, errors, flags)


def _fill_dataset_facts(row: dict[str, Any]) -> None:
    """Fill train/test size and class count from the dataset registry when the source omits them."""
    facts = dataset_facts(row.get("dataset"))
    if facts is None:
        return
    for name, value in facts.items():
        if row.get(name) is None and value is not None:
            row[name] = float(value)


def _row_provenance(record: RawRecord, row: dict[str, Any]) -> dict[str, Any]:
    """Say where the record and each of its non-empty fields came from."""
    present = [name for name, value in row.items() if value is not None]
    return {
        "source": record.source,
        "file": record.source_file,
        "key": record.source_key,
        "extractor": record.extractor,
        "fields": {
            name: record.field_sources.get(name, name if name in record.fields else "dataset facts")
            for name in present
        },
    }


def records_to_frame(records: list[RawRecord]) -> tuple[pd.DataFrame, dict[int, list[str]], list[dict[str, list[str]]]]:
    """Normalise ``records`` into a frame; return it with normalisation errors and flags per row."""
    rows = []
    errors: dict[int, list[str]] = {}
    flags: list[dict[str, list[str]]] = []
    for index, record in enumerate(records):
        normalized = normalize_record(record)
        row = normalized.row
        paper_id = record.fields.get("paper_id")
        meta = {
            "config_id": stable_id(record.source, record.source_key),
            "source": record.source,
            "source_file": record.source_file,
            "source_key": record.source_key,
            "extractor": record.extractor,
            "paper_id": paper_id,
            "paper_title": record.paper_title,
            "paper_url": record.paper_url,
        }
        content = {
            **meta,
            **row,
            "details": to_json(record.details or None),
            "provenance": to_json(_row_provenance(record, row)),
            "flags": to_json(normalized.flags or None),
        }
        content["content_hash"] = stable_id(to_json({k: v for k, v in content.items()}), length=32)
        rows.append(content)
        flags.append(normalized.flags)
        if normalized.errors:
            errors[index] = normalized.errors
    columns = [*_META_COLUMNS, *ALL_FIELDS, "details", "provenance", "flags", "content_hash"]
    return pd.DataFrame(rows, columns=columns), errors, flags


def _summarise(errors: list[str]) -> str:
    first = errors[0]
    return first if len(errors) == 1 else f"{first} (and {len(errors) - 1} more)"


def ingest_items(wh: Warehouse, items: Iterable[ExtractorItem], *, source: str) -> IngestReport:
    """Normalise, validate and load the output of one extractor run.

    Parameters
    ----------
    wh : Warehouse
        Open read-write warehouse.
    items : iterable of RawRecord, Problem or Skipped
        What the extractor yielded.
    source : str
        Source kind, for the report.

    Returns
    -------
    IngestReport
        Loaded, updated, unchanged, quarantined and skipped counts.
    """
    report = IngestReport(source)
    records: list[RawRecord] = []
    entries: list[QuarantineEntry] = []

    for item in items:
        if isinstance(item, RawRecord):
            records.append(item)
        elif isinstance(item, Problem):
            entries.append(
                QuarantineEntry(item.source, item.source_file, item.source_key, "extract", item.reason, [item.reason], item.raw)
            )
        elif isinstance(item, Skipped):
            report.skipped += 1
            report.skip_reasons[item.reason] += 1
    report.read = len(records) + len(entries) + report.skipped

    records = _last_record_per_key(records)
    frame, normalize_errors, flags = records_to_frame(records)

    valid_mask = ~frame.index.isin(list(normalize_errors))
    valid, validation_errors = split_valid(frame[valid_mask], configuration_schema())
    for index, messages in {**normalize_errors, **validation_errors}.items():
        record = records[index]
        stage = "normalize" if index in normalize_errors else "validate"
        entries.append(
            QuarantineEntry(
                record.source,
                record.source_file,
                record.source_key,
                stage,
                _summarise(messages),
                messages,
                {"fields": record.fields, "details": record.details},
            )
        )

    counts = upsert_frame(wh, "configurations", valid, key="config_id") if not valid.empty else UpsertCounts()
    report.loaded, report.updated, report.unchanged = counts.inserted, counts.updated, counts.unchanged
    report.flagged = sum(1 for index in valid.index if flags[index])

    add_to_quarantine(wh, entries)
    report.quarantined = len(entries)
    for entry in entries:
        report.quarantine_reasons[entry.reason.split(":")[0]] += 1

    logger.info("ingested %s: %s", source, report.as_dict())
    return report


def _last_record_per_key(records: list[RawRecord]) -> list[RawRecord]:
    """Keep the last record of each (source, source_key); sources listing a model twice update it."""
    by_key: dict[tuple[str, str], RawRecord] = {}
    for record in records:
        key = (record.source, record.source_key)
        if key in by_key:
            logger.warning("%s lists %s twice; the later entry wins", record.source_file, record.source_key)
        by_key[key] = record
    return list(by_key.values())


__all__ = ["IngestReport", "ingest_items", "normalize_record", "records_to_frame", "COMPONENTS"]
