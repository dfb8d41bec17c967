"""Warehouse side of discovery: papers merged across sources, citations, runs and their frontier.

A reported paper is first looked up among the stored papers by arXiv id,
DOI, PDF SHA-256 and normalised title (:class:`PaperIndex`). A match keeps
its ``paper_id`` and gets its empty fields filled. Otherwise a new id comes
from :func:`paper_id_for`. Rows are validated with the pandera
``PaperModel`` and ``CitationModel`` before they are written; a row that
fails is quarantined (source ``discover``) and skipped.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

import pandas as pd

from efficientdl.pipeline.sources.base import PaperRecord, paper_id_for
from efficientdl.schema.tables import CitationModel, PaperModel, split_valid
from efficientdl.warehouse.db import Warehouse, from_json, to_json
from efficientdl.warehouse.quarantine import QuarantineEntry, add_to_quarantine

logger = logging.getLogger(__name__)

_PAPER_FIELDS = ("title", "arxiv_id", "doi", "year", "venue", "abstract", "url", "pdf_url", "pdf_path", "pdf_sha256")
PAPER_SCHEMA = PaperModel.to_schema()
CITATION_SCHEMA = CitationModel.to_schema()


def quarantine(wh: Warehouse, key: str, reason: str, raw: Any = None, errors: list[str] | None = None) -> None:
    """Store one discovery failure in the quarantine (source and stage ``discover``)."""
    add_to_quarantine(
        wh, [QuarantineEntry("discover", None, key, "discover", reason, errors or [reason], raw)]
    )


class PaperIndex:
    """Stored paper ids by arXiv id, DOI and normalised title."""

    def __init__(self) -> None:
        self.by_arxiv: dict[str, str] = {}
        self.by_doi: dict[str, str] = {}
        self.by_title: dict[str, str] = {}
        self.by_sha256: dict[str, str] = {}
        self.arxiv_of: dict[str, str] = {}

    @classmethod
    def load(cls, wh: Warehouse) -> "PaperIndex":
        index = cls()
        rows = wh.con.execute("SELECT paper_id, arxiv_id, doi, title, pdf_sha256 FROM papers").fetchall()
        for paper_id, arxiv_id, doi, title, pdf_sha256 in rows:
            index.add(paper_id, PaperRecord(title=title, arxiv_id=arxiv_id, doi=doi, pdf_sha256=pdf_sha256))
        return index

    def add(self, paper_id: str, record: PaperRecord) -> None:
        if record.arxiv_id:
            self.by_arxiv.setdefault(record.arxiv_id, paper_id)
            self.arxiv_of.setdefault(paper_id, record.arxiv_id)
        if record.doi:
            self.by_doi.setdefault(record.doi, paper_id)
        if record.norm_title:
            self.by_title.setdefault(record.norm_title, paper_id)
        if record.pdf_sha256:
            self.by_sha256.setdefault(record.pdf_sha256, paper_id)

    def resolve(self, record: PaperRecord) -> str | None:
        """Return the stored id of the paper ``record`` names (arXiv id, DOI, PDF SHA-256, title), or None."""
        if record.arxiv_id and record.arxiv_id in self.by_arxiv:
            return self.by_arxiv[record.arxiv_id]
        if record.doi and record.doi in self.by_doi:
            return self.by_doi[record.doi]
        if record.pdf_sha256 and record.pdf_sha256 in self.by_sha256:
            return self.by_sha256[record.pdf_sha256]
        paper_id = self.by_title.get(record.norm_title) if record.norm_title else None
        if paper_id is None:
            return None
        # Two arXiv ids under one title are two papers (e.g. a v2 paper reusing a title).
        stored_arxiv = self.arxiv_of.get(paper_id)
        if record.arxiv_id and stored_arxiv and stored_arxiv != record.arxiv_id:
            return None
        return paper_id


def load_record(wh: Warehouse, paper_id: str) -> PaperRecord | None:
    """Return the stored paper as a record (with its source ids), or None."""
    row = wh.con.execute(
        f"SELECT {', '.join(_PAPER_FIELDS)}, source, external_ids FROM papers WHERE paper_id = ?", [paper_id]
    ).fetchone()
    if row is None:
        return None
    values = dict(zip(_PAPER_FIELDS + ("source", "external_ids"), row))
    ids = from_json(values.pop("external_ids")) or {}
    return PaperRecord(**values, ids=ids)


def validate_records(wh: Warehouse, records: list[PaperRecord]) -> list[PaperRecord]:
    """Return the records whose identifiers pass ``PaperModel``; quarantine the others.

    One pandera validation covers the whole list, which is much faster than
    one per paper.
    """
    if not records:
        return []
    frame = pd.DataFrame(
        [
            {"paper_id": f"row{i}", "title": r.title, "arxiv_id": r.arxiv_id, "doi": r.doi, "year": r.year, "pdf_sha256": r.pdf_sha256}
            for i, r in enumerate(records)
        ]
    )
    frame["year"] = frame["year"].astype("Int64")
    _, errors = split_valid(frame, PAPER_SCHEMA)
    for row, messages in errors.items():
        record = records[int(row)]
        quarantine(wh, record.label(), f"paper failed validation: {'; '.join(messages)}", record.as_dict(), messages)
    return [r for i, r in enumerate(records) if i not in errors]


def upsert_paper(
    wh: Warehouse, index: PaperIndex, record: PaperRecord, *, relevant: bool, status: str, validated: bool = False
) -> tuple[str | None, bool]:
    """Store ``record`` as a new paper or merge it into the stored one.

    ``validated`` skips the ``PaperModel`` check of a new row when
    :func:`validate_records` already passed it.

    Returns
    -------
    paper_id : str or None
        The stored id; None when the row failed validation (it is quarantined).
    is_new : bool
        Whether a row was inserted.
    """
    paper_id = index.resolve(record)
    if paper_id is not None:
        stored = load_record(wh, paper_id)
        if stored is not None:
            merged = copy.deepcopy(stored).merge(record)
            _update_paper(wh, paper_id, stored, merged, relevant)
            index.add(paper_id, merged)
            return paper_id, False

    paper_id = paper_id or paper_id_for(record.arxiv_id, record.doi, record.title, record.pdf_sha256)
    row = {name: getattr(record, name) for name in _PAPER_FIELDS}
    row.update(paper_id=paper_id, source=record.source, relevant=relevant, status=status, external_ids=to_json(record.ids))
    if not validated and not validate_records(wh, [record]):
        return None, False

    columns = list(row)
    wh.con.execute(
        f"INSERT INTO papers ({', '.join(columns)}) VALUES ({', '.join('?' for _ in columns)}) ON CONFLICT (paper_id) DO NOTHING",
        [_plain(row[c]) for c in columns],
    )
    index.add(paper_id, record)
    return paper_id, True


def _plain(value: Any) -> Any:
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _update_paper(wh: Warehouse, paper_id: str, stored: PaperRecord, merged: PaperRecord, relevant: bool) -> None:
    changes: dict[str, Any] = {}
    for name in _PAPER_FIELDS:
        if getattr(merged, name) != getattr(stored, name):
            changes[name] = getattr(merged, name)
    if merged.ids != stored.ids:
        changes["external_ids"] = to_json(merged.ids)

    if changes.keys() & {"arxiv_id", "doi", "year", "pdf_sha256"}:
        check = pd.DataFrame([{"paper_id": paper_id, **{n: getattr(merged, n) for n in ("title", "arxiv_id", "doi", "year", "pdf_sha256")}}])
        check["year"] = check["year"].astype("Int64")
        _, errors = split_valid(check, PAPER_SCHEMA)
        if errors:
            logger.warning("paper %s: merged values fail validation (%s); kept the stored row", paper_id, errors)
            return

    # A paper kept by any run stays kept; off-topic rows can become relevant.
    if relevant:
        wh.con.execute("UPDATE papers SET relevant = true WHERE paper_id = ? AND relevant IS NOT true", [paper_id])
        wh.con.execute("UPDATE papers SET status = 'kept' WHERE paper_id = ? AND status = 'off_topic'", [paper_id])
    if changes:
        assignments = ", ".join(f"{name} = ?" for name in changes)
        wh.con.execute(
            f"UPDATE papers SET {assignments}, updated_at = current_timestamp WHERE paper_id = ?",
            [*changes.values(), paper_id],
        )


def add_citations(wh: Warehouse, edges: list[tuple[str, str, str]]) -> int:
    """Store citation edges ``(citing_id, cited_id, source)``; return how many were new.

    The batch is validated once with ``CitationModel``; failing edges (a
    paper citing itself) are quarantined.
    """
    if not edges:
        return 0
    frame = pd.DataFrame(edges, columns=["citing_id", "cited_id", "source"]).drop_duplicates()
    frame = frame.reset_index(drop=True)
    valid, errors = split_valid(frame, CITATION_SCHEMA)
    for row, messages in errors.items():
        edge = frame.loc[row]
        quarantine(
            wh, f"{edge.source}:{edge.citing_id}->{edge.cited_id}", f"citation failed validation: {'; '.join(messages)}",
            edge.to_dict(), messages,
        )
    if valid.empty:
        return 0

    wh.con.register("incoming_citations", valid[["citing_id", "cited_id", "source"]])
    try:
        new = wh.con.execute(
            "SELECT count(*) FROM incoming_citations i ANTI JOIN citations c USING (citing_id, cited_id, source)"
        ).fetchone()[0]
        wh.con.execute(
            "INSERT INTO citations (citing_id, cited_id, source) SELECT citing_id, cited_id, source "
            "FROM incoming_citations ON CONFLICT DO NOTHING"
        )
    finally:
        wh.con.unregister("incoming_citations")
    return int(new)


def record_discovery(
    wh: Warehouse,
    run_id: str,
    paper_id: str,
    *,
    seed: str,
    depth: int,
    via_paper_id: str | None,
    via_source: str | None,
    direction: str,
    relevant: bool,
) -> bool:
    """Store how ``run_id`` first reached ``paper_id``; return False when it was already recorded."""
    exists = wh.con.execute(
        "SELECT 1 FROM paper_discovery WHERE run_id = ? AND paper_id = ?", [run_id, paper_id]
    ).fetchone()
    if exists:
        return False
    wh.con.execute(
        "INSERT INTO paper_discovery (run_id, paper_id, seed, depth, via_paper_id, via_source, direction, relevant) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [run_id, paper_id, seed, depth, via_paper_id, via_source, direction, relevant],
    )
    return True


# -- runs and frontier -------------------------------------------------------------


def run_status(wh: Warehouse, run_id: str) -> str | None:
    row = wh.con.execute("SELECT status FROM discovery_runs WHERE run_id = ?", [run_id]).fetchone()
    return row[0] if row else None


def start_run(wh: Warehouse, run_id: str, settings: dict[str, Any], *, restart: bool) -> bool:
    """Create the run row, or reopen it; return True when the run resumes stored work."""
    status = run_status(wh, run_id)
    if status is not None and restart:
        for table in ("discovery_frontier", "paper_discovery", "discovery_runs"):
            wh.con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])
        status = None
    if status is None:
        wh.con.execute(
            "INSERT INTO discovery_runs (run_id, seeds, sources, max_depth, max_papers, relevance, status) "
            "VALUES (?, ?, ?, ?, ?, ?, 'running')",
            [run_id, to_json(settings["seeds"]), to_json(settings["sources"]), settings["max_depth"], settings["max_papers"], to_json(settings["relevance"])],
        )
        return False
    wh.con.execute("UPDATE discovery_runs SET status = 'running', updated_at = current_timestamp WHERE run_id = ?", [run_id])
    return True


def finish_run(wh: Warehouse, run_id: str, status: str, report: dict[str, Any]) -> None:
    wh.con.execute(
        "UPDATE discovery_runs SET status = ?, report = ?, updated_at = current_timestamp WHERE run_id = ?",
        [status, to_json(report), run_id],
    )


def push_frontier(wh: Warehouse, run_id: str, paper_id: str, depth: int) -> bool:
    """Queue ``paper_id`` for expansion; return False when the run had queued it already."""
    if wh.con.execute("SELECT 1 FROM discovery_frontier WHERE run_id = ? AND paper_id = ?", [run_id, paper_id]).fetchone():
        return False
    seq = wh.con.execute("SELECT coalesce(max(seq), 0) + 1 FROM discovery_frontier WHERE run_id = ?", [run_id]).fetchone()[0]
    wh.con.execute(
        "INSERT INTO discovery_frontier (run_id, paper_id, seq, depth, status) VALUES (?, ?, ?, ?, 'pending')",
        [run_id, paper_id, seq, depth],
    )
    return True


def next_in_frontier(wh: Warehouse, run_id: str, max_attempts: int) -> tuple[str, int] | None:
    """Return ``(paper_id, depth)`` of the next paper to expand (shallowest first), or None."""
    return wh.con.execute(
        "SELECT paper_id, depth FROM discovery_frontier WHERE run_id = ? "
        "AND (status = 'pending' OR (status = 'failed' AND attempts < ?)) ORDER BY depth, seq LIMIT 1",
        [run_id, max_attempts],
    ).fetchone()


def mark_frontier(wh: Warehouse, run_id: str, paper_id: str, status: str, error: str | None = None) -> None:
    wh.con.execute(
        "UPDATE discovery_frontier SET status = ?, attempts = attempts + 1, last_error = ?, updated_at = current_timestamp "
        "WHERE run_id = ? AND paper_id = ?",
        [status, error, run_id, paper_id],
    )


def frontier_counts(wh: Warehouse, run_id: str) -> dict[str, int]:
    rows = wh.con.execute(
        "SELECT status, count(*) FROM discovery_frontier WHERE run_id = ? GROUP BY status", [run_id]
    ).fetchall()
    return {status: int(n) for status, n in rows}


def discovery_counts(wh: Warehouse, run_id: str) -> dict[str, int]:
    """Return the papers a run reached, kept and rejected as off-topic."""
    found, kept = wh.con.execute(
        "SELECT count(*), count(*) FILTER (WHERE relevant) FROM paper_discovery WHERE run_id = ?", [run_id]
    ).fetchone()
    return {"found": int(found), "kept": int(kept), "off_topic": int(found) - int(kept)}
