"""Assemble reviewed PDF extractions into ``configurations`` rows.

A configuration from a paper is one model evaluated on one dataset. It
exists once a curator has accepted (or edited) a Top-1 for that model and
dataset; the other accepted values of the paper fill its components:

* a value tied to the model and the dataset wins over one tied to the model
  only, which wins over one tied to the dataset only, which wins over a
  paper-wide value (``model_name`` and ``dataset`` NULL), so a paper-wide
  value fills every model that has no value of its own;
* among values of equal scope, an edited value wins over an accepted one,
  then the higher confidence, then the larger extraction id. Equally scoped
  values that disagree with the winner are listed under
  ``details["conflicts"]``;
* a Top-1 without a dataset belongs to the one dataset named for its model
  (a ``dataset`` extraction with that model) or else for the paper; when
  there are several it starts no configuration, and the report gives the reason.

The records go through :func:`efficientdl.pipeline.ingest.ingest_items`, so
the same normalisation, validation and quarantine apply as for every other
source. Rows assembled earlier whose key no longer assembles (an undo
removed their Top-1) or whose record failed validation are deleted.
Running the assembly again on unchanged reviews changes nothing.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, Iterable

from efficientdl.extractors.records import RawRecord
from efficientdl.pipeline.ingest import ingest_items, records_to_frame
from efficientdl.schema.components import ALL_FIELDS
from efficientdl.schema.tables import configuration_schema, split_valid
from efficientdl.warehouse.db import Warehouse, from_json

logger = logging.getLogger(__name__)

ASSEMBLY_EXTRACTOR = "review-assembly/1"
ACCEPTED_STATUSES = ("accepted", "edited")
SOURCE = "pdf"

#: Components that form the key of a configuration instead of filling a column.
_KEY_COMPONENTS = ("model_name", "dataset")


@dataclass(frozen=True)
class AcceptedValue:
    """One accepted or edited extraction, as the assembly reads it."""

    extraction_id: str
    paper_id: str
    model_name: str | None
    dataset: str | None
    component: str
    value: Any
    page: int | None
    status: str
    confidence: float

    @property
    def scope(self) -> tuple[bool, bool]:
        """Whether the value names its model and its dataset; larger sorts first."""
        return (self.model_name is not None, self.dataset is not None)


@dataclass
class AssemblyReport:
    """Counts of one assembly run."""

    papers: int = 0
    records: int = 0
    loaded: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    removed: int = 0
    skipped: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "papers": self.papers,
            "records": self.records,
            "loaded": self.loaded,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "quarantined": self.quarantined,
            "removed": self.removed,
            "skipped": list(self.skipped),
        }


def canonical_dataset(name: str | None) -> str | None:
    """Return the canonical dataset name, or the stripped text when the vocabulary lacks it.

    >>> canonical_dataset("ILSVRC-2012")
    'ImageNet-1k'
    >>> canonical_dataset("  My Birds ")
    'My Birds'
    """
    if name is None or not str(name).strip():
        return None
    text = str(name).strip()
    return ALL_FIELDS["dataset"].vocabulary.lookup(text) or text


def _clean_model(name: str | None) -> str | None:
    if name is None or not str(name).strip():
        return None
    return str(name).strip()


def _rank(value: AcceptedValue) -> tuple:
    return (*value.scope, value.status == "edited", value.confidence, value.extraction_id)


def _pick(candidates: list[AcceptedValue]) -> tuple[AcceptedValue, list[str]]:
    """Return the winning value and the ids of equally scoped values that disagree with it."""
    best = max(candidates, key=_rank)
    conflicts = sorted(
        c.extraction_id for c in candidates if c is not best and c.scope == best.scope and c.value != best.value
    )
    return best, conflicts


def _source_of(value: AcceptedValue) -> str:
    return f"extraction {value.extraction_id} page {value.page}"


def _datasets_named(values: list[AcceptedValue]) -> tuple[list[str], dict[str, list[str]]]:
    """Return the datasets of the paper and those named for single models.

    The paper's datasets are the dataset columns of its values plus the
    paper-wide ``dataset`` extractions; a ``dataset`` extraction with a model
    names that model's dataset.
    """
    paper: set[str] = {v.dataset for v in values if v.dataset is not None}
    by_model: dict[str, set[str]] = defaultdict(set)
    for value in values:
        if value.component != "dataset" or not isinstance(value.value, str):
            continue
        name = canonical_dataset(value.value)
        if name is None:
            continue
        if value.model_name is None:
            paper.add(name)
        else:
            by_model[value.model_name].add(name)
    return sorted(paper), {model: sorted(names) for model, names in by_model.items()}


def build_records(paper: dict[str, Any], values: list[AcceptedValue]) -> tuple[list[RawRecord], list[str]]:
    """Build one record per model and dataset with an accepted Top-1.

    Parameters
    ----------
    paper : dict
        The ``papers`` row (``paper_id``, ``title``, ``url``, ``pdf_path``);
        only ``paper_id`` is required.
    values : list of AcceptedValue
        The accepted and edited extractions of that paper.

    Returns
    -------
    records : list of RawRecord
        Sorted by model and dataset.
    skipped : list of str
        Why an accepted Top-1 started no configuration.
    """
    paper_id = paper["paper_id"]
    paper_datasets, model_datasets = _datasets_named(values)
    skipped: list[str] = []

    # A Top-1 without a dataset belongs to the only dataset named for its model, else for the paper.
    top1_by_key: dict[tuple[str, str], list[AcceptedValue]] = defaultdict(list)
    for value in values:
        if value.component != "top1":
            continue
        if value.model_name is None:
            skipped.append(f"extraction {value.extraction_id}: the Top-1 names no model, so it starts no configuration")
            continue
        options = model_datasets.get(value.model_name) or paper_datasets
        dataset = value.dataset or (options[0] if len(options) == 1 else None)
        if dataset is None:
            skipped.append(
                f"extraction {value.extraction_id}: the Top-1 of {value.model_name} names no dataset and the paper "
                f"names {len(options)} datasets ({', '.join(options) or 'none'}), so it starts no configuration; "
                "accept a dataset extraction for it"
            )
            continue
        top1_by_key[(value.model_name, dataset)].append(value)

    records = []
    for model, dataset in sorted(top1_by_key):
        top1, top1_conflicts = _pick(top1_by_key[(model, dataset)])
        fields: dict[str, Any] = {"paper_id": paper_id, "model_name": model, "dataset": dataset, "top1": top1.value}
        sources = {name: _source_of(top1) for name in ("model_name", "dataset", "top1")}
        conflicts = {"top1": top1_conflicts} if top1_conflicts else {}

        by_component: dict[str, list[AcceptedValue]] = defaultdict(list)
        for value in values:
            if value.component in ("top1", *_KEY_COMPONENTS):
                continue
            if value.model_name not in (model, None) or value.dataset not in (dataset, None):
                continue
            by_component[value.component].append(value)
        for component in sorted(by_component):
            best, others = _pick(by_component[component])
            fields[component] = best.value
            sources[component] = _source_of(best)
            if others:
                conflicts[component] = others

        records.append(
            RawRecord(
                source=SOURCE,
                source_file=paper.get("pdf_path") or f"paper {paper_id}",
                source_key=f"{paper_id}:{model}:{dataset}",
                extractor=ASSEMBLY_EXTRACTOR,
                fields=fields,
                details={"conflicts": conflicts} if conflicts else {},
                field_sources=sources,
                paper_title=paper.get("title"),
                paper_url=paper.get("url"),
            )
        )
    return records, skipped


def _papers_in_scope(wh: Warehouse, paper_ids: Iterable[str] | None) -> list[str]:
    if paper_ids is not None:
        return sorted(set(paper_ids))
    rows = wh.con.execute(
        "SELECT paper_id FROM extractions UNION "
        "SELECT paper_id FROM configurations WHERE source = ? AND extractor = ? AND paper_id IS NOT NULL",
        [SOURCE, ASSEMBLY_EXTRACTOR],
    ).fetchall()
    return sorted(row[0] for row in rows)


def accepted_values(wh: Warehouse, paper_ids: list[str]) -> dict[str, list[AcceptedValue]]:
    """Return the accepted and edited extractions of ``paper_ids``, by paper."""
    rows = wh.con.execute(
        "SELECT extraction_id, paper_id, model_name, dataset, component, value, page, status, confidence "
        "FROM extractions WHERE status IN (SELECT unnest(?)) AND paper_id IN (SELECT unnest(?)) "
        "ORDER BY paper_id, extraction_id",
        [list(ACCEPTED_STATUSES), paper_ids],
    ).fetchall()
    by_paper: dict[str, list[AcceptedValue]] = defaultdict(list)
    for extraction_id, paper_id, model, dataset, component, value, page, status, confidence in rows:
        by_paper[paper_id].append(
            AcceptedValue(
                extraction_id=extraction_id,
                paper_id=paper_id,
                model_name=_clean_model(model),
                dataset=canonical_dataset(dataset),
                component=component,
                value=from_json(value),
                page=page,
                status=status,
                confidence=float(confidence) if confidence is not None else 0.0,
            )
        )
    return by_paper


def _paper_rows(wh: Warehouse, paper_ids: list[str]) -> dict[str, dict[str, Any]]:
    cursor = wh.con.execute(
        "SELECT paper_id, title, url, pdf_path FROM papers WHERE paper_id IN (SELECT unnest(?))", [paper_ids]
    )
    names = [d[0] for d in cursor.description]
    return {row[0]: dict(zip(names, row)) for row in cursor.fetchall()}


def remove_stale_configurations(wh: Warehouse, paper_ids: list[str], expected: dict[str, str]) -> int:
    """Delete assembled rows of ``paper_ids`` that are not in ``expected`` with the same content hash.

    ``expected`` maps the ``config_id`` of every record just assembled to its
    ``content_hash``. A stored row outside it lost its Top-1; a stored row
    with another hash belongs to a record that failed validation this time.
    Rows from other extractors are never touched. Returns the number deleted.
    """
    if not paper_ids:
        return 0
    stored = wh.con.execute(
        "SELECT config_id, content_hash FROM configurations "
        "WHERE source = ? AND extractor = ? AND paper_id IN (SELECT unnest(?))",
        [SOURCE, ASSEMBLY_EXTRACTOR, paper_ids],
    ).fetchall()
    stale = [config_id for config_id, content_hash in stored if expected.get(config_id) != content_hash]
    if stale:
        wh.con.execute("DELETE FROM configurations WHERE config_id IN (SELECT unnest(?))", [stale])
        logger.info("removed %d assembled configuration(s) that no longer assemble: %s", len(stale), stale)
    return len(stale)


def _valid_hashes(records: list[RawRecord]) -> dict[str, str]:
    """Return ``config_id`` to ``content_hash`` of the records that pass normalisation and validation."""
    # NOTE: this repeats the loader's checks, because ingest_items reports counts, not which keys it loaded.
    frame, normalize_errors, _ = records_to_frame(records)
    checkable = frame[~frame.index.isin(list(normalize_errors))]
    if checkable.empty:
        return {}
    valid, _ = split_valid(checkable, configuration_schema())
    return dict(zip(valid["config_id"], valid["content_hash"]))


def assemble_configurations(wh: Warehouse, paper_ids: Iterable[str] | None = None) -> AssemblyReport:
    """Assemble the reviewed values of ``paper_ids`` (default: every paper) and load them.

    Parameters
    ----------
    wh : Warehouse
        Open read-write warehouse.
    paper_ids : iterable of str, optional
        Papers to assemble; the review actions pass the papers they touched.

    Returns
    -------
    AssemblyReport
        Records built, the ingest counts, rows removed and skipped Top-1s.
    """
    scope = _papers_in_scope(wh, paper_ids)
    report = AssemblyReport(papers=len(scope))
    if not scope:
        return report

    values = accepted_values(wh, scope)
    papers = _paper_rows(wh, scope)
    records: list[RawRecord] = []
    for paper_id in scope:
        paper_records, skipped = build_records(papers.get(paper_id, {"paper_id": paper_id}), values.get(paper_id, []))
        records.extend(paper_records)
        report.skipped.extend(skipped)
    for reason in report.skipped:
        logger.warning("assembly: %s", reason)
    report.records = len(records)

    if records:
        ingested = ingest_items(wh, records, source=SOURCE)
        report.loaded, report.updated, report.unchanged = ingested.loaded, ingested.updated, ingested.unchanged
        report.quarantined = ingested.quarantined
        expected = _valid_hashes(records)
    else:
        expected = {}

    report.removed = remove_stale_configurations(wh, scope, expected)
    logger.info("assembly: %s", report.as_dict())
    return report
