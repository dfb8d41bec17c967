"""The curator review queue over ``extractions``.

Extractors store every value they find as a ``pending`` extraction. A
curator lists the queue, looks at a value in its page (:func:`show`), and
accepts, edits or rejects it; :func:`undo` reverts the latest action on an
extraction. Every action is one transaction that updates the extraction and
writes one ``review_log`` row (reviewer, time, status and value before and
after). When an action changes the set of accepted values, the affected
papers are assembled into ``configurations`` again
(:func:`efficientdl.pipeline.assemble.assemble_configurations`).

Extraction ids may be given as unique prefixes, as with git commits.
"""

from __future__ import annotations

import getpass
import logging
import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

import pandas as pd

from efficientdl.pipeline.assemble import ACCEPTED_STATUSES, AssemblyReport, assemble_configurations
from efficientdl.pipeline.page_crop import DEFAULT_MARGIN, CropError, check_bbox, find_highlight, render_crop
from efficientdl.pipeline.review_queue import (
    ReviewError,
    fetch_dicts,
    get_extraction,
    list_extractions,
    resolve_extraction_id,
    validate_value,
)
from efficientdl.warehouse.db import Warehouse, from_json, to_json

logger = logging.getLogger(__name__)

REVIEWER_ENV_VAR = "EFFICIENTDL_REVIEWER"


@dataclass
class ReviewResult:
    """The effect of one action on one extraction.

    ``outcome`` is ``"changed"``, ``"unchanged"`` (it was already in the
    requested state) or ``"failed"`` (``note`` gives the reason).
    """

    extraction_id: str
    action: str
    outcome: str
    status_before: str | None = None
    status_after: str | None = None
    value_before: Any = None
    value_after: Any = None
    log_id: int | None = None
    note: str | None = None


@dataclass
class ReviewOutcome:
    """The results of one review command and the assembly it triggered (None when none ran)."""

    results: list[ReviewResult] = field(default_factory=list)
    assembly: AssemblyReport | None = None

    @property
    def changed(self) -> list[ReviewResult]:
        return [r for r in self.results if r.outcome == "changed"]

    @property
    def failed(self) -> list[ReviewResult]:
        return [r for r in self.results if r.outcome == "failed"]


def default_reviewer(reviewer: str | None = None) -> str:
    """Return ``reviewer``, else ``$EFFICIENTDL_REVIEWER``, else the operating-system user name."""
    name = reviewer or os.environ.get(REVIEWER_ENV_VAR)
    if not name:
        try:
            name = getpass.getuser()
        except OSError:  # no login name and no USER/LOGNAME variable
            name = None
    if not name or not name.strip():
        raise ReviewError(f"no reviewer name: pass --reviewer NAME or set ${REVIEWER_ENV_VAR}")
    return name.strip()


@contextmanager
def _transaction(wh: Warehouse) -> Iterator[None]:
    wh.con.execute("BEGIN TRANSACTION")
    try:
        yield
    except BaseException:
        wh.con.execute("ROLLBACK")
        raise
    wh.con.execute("COMMIT")


@dataclass
class _Change:
    """One extraction's new status and value, to be written and logged."""

    row: dict[str, Any]
    action: str
    status_after: str
    value_after: Any
    reason: str | None = None


def _write_actions(wh: Warehouse, reviewer: str, changes: list[_Change]) -> list[ReviewResult]:
    """Update the extractions and log one row per change, inside the caller's transaction.

    The changes are written with one UPDATE and one INSERT, so a batch of
    thousands costs about as much as a single action. Extraction ids must be
    unique within ``changes``.
    """
    if not changes:
        return []
    frame = pd.DataFrame(
        {
            "position": range(len(changes)),
            "extraction_id": [c.row["extraction_id"] for c in changes],
            "action": [c.action for c in changes],
            "reviewer": reviewer,
            "status_before": [c.row["status"] for c in changes],
            "status_after": [c.status_after for c in changes],
            "value_before": [to_json(c.row["value"]) for c in changes],
            "value_after": [to_json(c.value_after) for c in changes],
            "reason": pd.Series([c.reason for c in changes], dtype="object"),
        }
    )
    wh.con.register("review_changes", frame)
    try:
        wh.con.execute(
            "UPDATE extractions SET status = c.status_after, value = CAST(c.value_after AS VARCHAR)::JSON, "
            "updated_at = current_timestamp FROM review_changes c WHERE extractions.extraction_id = c.extraction_id"
        )
        log_ids = dict(
            wh.con.execute(
                "INSERT INTO review_log (extraction_id, action, reviewer, status_before, status_after, value_before, "
                "value_after, reason) SELECT extraction_id, action, reviewer, status_before, status_after, "
                "CAST(value_before AS VARCHAR)::JSON, CAST(value_after AS VARCHAR)::JSON, CAST(reason AS VARCHAR) "
                "FROM review_changes ORDER BY position RETURNING extraction_id, log_id"
            ).fetchall()
        )
    finally:
        wh.con.unregister("review_changes")

    results = []
    for change in changes:
        row = change.row
        logger.info("%s %s by %s: %s -> %s", change.action, row["extraction_id"], reviewer, row["status"], change.status_after)
        results.append(
            ReviewResult(
                row["extraction_id"],
                change.action,
                "changed",
                row["status"],
                change.status_after,
                row["value"],
                change.value_after,
                int(log_ids[row["extraction_id"]]),
                change.reason,
            )
        )
    return results


def _affects_assembly(result: ReviewResult) -> bool:
    return result.outcome == "changed" and (
        result.status_before in ACCEPTED_STATUSES or result.status_after in ACCEPTED_STATUSES
    )


def _finish(wh: Warehouse, results: list[ReviewResult], paper_of: dict[str, str]) -> ReviewOutcome:
    """Assemble the papers whose accepted values changed; the review transaction is already committed."""
    papers = sorted({paper_of[r.extraction_id] for r in results if _affects_assembly(r)})
    # NOTE: the assembly runs after the review commit, because the loader opens its own transaction.
    # If the assembly fails, the review stays committed; run `assemble_configurations` again to repair.
    assembly = assemble_configurations(wh, papers) if papers else None
    return ReviewOutcome(results, assembly)


def _accept_rows(wh: Warehouse, rows: list[dict[str, Any]], reviewer: str) -> list[ReviewResult]:
    """Accept ``rows`` whose stored value is valid, inside the caller's transaction."""
    skipped: dict[str, ReviewResult] = {}
    changes = []
    for row in rows:
        if row["status"] in ACCEPTED_STATUSES:
            skipped[row["extraction_id"]] = ReviewResult(
                row["extraction_id"], "accept", "unchanged", row["status"], row["status"], note=f"already {row['status']}"
            )
            continue
        try:
            validate_value(row["component"], row["value"])
        except ReviewError as exc:
            note = f"the stored value is invalid ({exc}); correct it with `efficientdl review edit {row['extraction_id']} VALUE`"
            logger.warning("not accepting %s: %s", row["extraction_id"], note)
            skipped[row["extraction_id"]] = ReviewResult(row["extraction_id"], "accept", "failed", row["status"], row["status"], note=note)
            continue
        changes.append(_Change(row, "accept", "accepted", row["value"]))

    written = {r.extraction_id: r for r in _write_actions(wh, reviewer, changes)}
    return [skipped.get(row["extraction_id"]) or written[row["extraction_id"]] for row in rows]


def accept(wh: Warehouse, ids: Sequence[str], reviewer: str | None = None) -> ReviewOutcome:
    """Accept the extractions ``ids`` (full ids or unique prefixes).

    Every id is resolved before anything changes, so an unknown id raises
    :class:`ReviewError` and leaves the queue as it was. An extraction whose
    stored value is invalid is not accepted (its result gives the reason), and the
    others are.
    """
    reviewer = default_reviewer(reviewer)
    if not ids:
        raise ReviewError("no extraction id given")
    rows = {}
    with _transaction(wh):
        for reference in ids:
            row = get_extraction(wh, reference)
            rows[row["extraction_id"]] = row
        results = _accept_rows(wh, list(rows.values()), reviewer)
    return _finish(wh, results, {row["extraction_id"]: row["paper_id"] for row in rows.values()})


def accept_batch(
    wh: Warehouse,
    min_confidence: float,
    paper: str | None = None,
    component: str | None = None,
    reviewer: str | None = None,
) -> ReviewOutcome:
    """Accept every pending extraction whose confidence is at least ``min_confidence``.

    ``paper`` (a paper id, arXiv id or DOI) and ``component`` narrow the batch.
    """
    reviewer = default_reviewer(reviewer)
    with _transaction(wh):
        rows = list_extractions(wh, paper=paper, component=component, status="pending", min_confidence=min_confidence, limit=None)
        logger.info("batch accept: %d pending extraction(s) with confidence >= %g", len(rows), min_confidence)
        results = _accept_rows(wh, rows, reviewer)
    return _finish(wh, results, {row["extraction_id"]: row["paper_id"] for row in rows})


def edit(wh: Warehouse, extraction_id: str, value: Any, reviewer: str | None = None) -> ReviewOutcome:
    """Replace the value of one extraction with the curator's ``value`` and mark it ``edited``.

    The value is normalised for the extraction's component first
    (:func:`validate_value`); an invalid value raises :class:`ReviewError`
    with the reason and changes nothing.
    """
    reviewer = default_reviewer(reviewer)
    with _transaction(wh):
        row = get_extraction(wh, extraction_id)
        canonical = validate_value(row["component"], value)
        if row["status"] == "edited" and row["value"] == canonical:
            note = "the value is already this"
            results = [ReviewResult(row["extraction_id"], "edit", "unchanged", "edited", "edited", row["value"], canonical, note=note)]
        else:
            results = _write_actions(wh, reviewer, [_Change(row, "edit", "edited", canonical)])
    return _finish(wh, results, {row["extraction_id"]: row["paper_id"]})


def reject(wh: Warehouse, extraction_id: str, reason: str, reviewer: str | None = None) -> ReviewOutcome:
    """Reject one extraction, stating ``reason`` (required); its value is kept for the record."""
    reviewer = default_reviewer(reviewer)
    if not reason or not reason.strip():
        raise ReviewError("a rejection needs a reason, e.g. --reason 'the number is the Top-5'")
    with _transaction(wh):
        row = get_extraction(wh, extraction_id)
        if row["status"] == "rejected":
            results = [ReviewResult(row["extraction_id"], "reject", "unchanged", "rejected", "rejected", note="already rejected")]
        else:
            results = _write_actions(wh, reviewer, [_Change(row, "reject", "rejected", row["value"], reason.strip())])
    return _finish(wh, results, {row["extraction_id"]: row["paper_id"]})


def undo(wh: Warehouse, extraction_id: str, reviewer: str | None = None) -> ReviewOutcome:
    """Revert the latest action on one extraction that is not undone yet.

    The status and value before that action are restored, its log row is
    marked ``undone`` and an ``undo`` row is logged. Undoing again reverts the
    action before it. An undo itself cannot be undone; accept or edit again.

    Raises
    ------
    ReviewError
        When the extraction has no action left to undo, or its status or
        value changed since that action (an extractor rewrote it).
    """
    reviewer = default_reviewer(reviewer)
    with _transaction(wh):
        row = get_extraction(wh, extraction_id)
        last = _latest_action(wh, row)
        wh.con.execute("UPDATE review_log SET undone = true WHERE log_id = ?", [last["log_id"]])
        reason = f"undo of {last['action']} (log {last['log_id']})"
        change = _Change(row, "undo", last["status_before"], from_json(last["value_before"]), reason)
        results = _write_actions(wh, reviewer, [change])
    return _finish(wh, results, {row["extraction_id"]: row["paper_id"]})


def _latest_action(wh: Warehouse, row: dict[str, Any]) -> dict[str, Any]:
    """Return the latest review_log row of ``row`` that an undo can revert."""
    logged = fetch_dicts(
        wh,
        "SELECT log_id, action, status_before, status_after, value_before, value_after FROM review_log "
        "WHERE extraction_id = ? AND action <> 'undo' AND NOT undone ORDER BY log_id DESC LIMIT 1",
        [row["extraction_id"]],
    )
    if not logged:
        raise ReviewError(f"extraction {row['extraction_id']} has no review action left to undo")
    last = logged[0]
    value_after = from_json(last["value_after"])
    if row["status"] != last["status_after"] or row["value"] != value_after:
        raise ReviewError(
            f"extraction {row['extraction_id']} changed after review action {last['log_id']} "
            f"(now {row['status']} {row['value']!r}, the log recorded {last['status_after']} {value_after!r}); "
            "review it again instead of undoing"
        )
    return last


@dataclass
class ExtractionView:
    """One extraction prepared for a curator: the row, its snippet and the rendered page region.

    ``highlight`` is the character span of the value in ``snippet``.
    ``image_path`` is the PNG of the page region. It is None when the region
    could not be rendered, and ``image_error`` then gives the reason.
    """

    extraction: dict[str, Any]
    snippet: str | None
    highlight: tuple[int, int] | None
    page: int | None
    image_path: Path | None = None
    crop_box: tuple[float, float, float, float] | None = None
    image_error: str | None = None

    def snippet_markup(self, style: str = "bold black on yellow") -> str:
        """Return the snippet as rich console markup with the value in ``style``."""
        from rich.markup import escape

        if not self.snippet:
            return ""
        if self.highlight is None:
            return escape(self.snippet)
        start, end = self.highlight
        return escape(self.snippet[:start]) + f"[{style}]" + escape(self.snippet[start:end]) + f"[/{style}]" + escape(self.snippet[end:])


def _pdf_location(wh: Warehouse, row: dict[str, Any]) -> Path:
    """Return the existing PDF file of the extraction's paper; relative paths are tried from the
    working directory, then from the warehouse folder."""
    if row.get("pdf_path") is None:
        known = wh.con.execute("SELECT count(*) FROM papers WHERE paper_id = ?", [row["paper_id"]]).fetchone()[0]
        if not known:
            raise ReviewError(f"paper {row['paper_id']} of extraction {row['extraction_id']} is not in the papers table")
        raise ReviewError(f"paper {row['paper_id']} has no pdf_path; set papers.pdf_path to its PDF file")
    path = Path(row["pdf_path"])
    candidates = [path] if path.is_absolute() else [path, wh.path.parent / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise ReviewError(
        f"the PDF of paper {row['paper_id']} is not at {row['pdf_path']} (papers.pdf_path); "
        "move the file back or update papers.pdf_path"
    )


def show(
    wh: Warehouse,
    extraction_id: str,
    out_dir: str | Path,
    *,
    resolution: int = 150,
    margin: float | tuple[float, float] = DEFAULT_MARGIN,
    require_image: bool = True,
) -> ExtractionView:
    """Prepare one extraction for review and render its page region to ``out_dir``.

    The PNG is written to ``out_dir/<extraction_id>-p<page>.png``, showing
    ``margin`` points of context around the box (horizontal, vertical) at
    ``resolution`` dots per inch, with the box outlined.

    Raises
    ------
    ReviewError
        For an unknown or ambiguous id. Also when the PDF is missing or
        moved, or the extraction has no usable box or page, unless
        ``require_image`` is False: then ``image_error`` gives the reason.
    """
    row = get_extraction(wh, extraction_id)
    view = ExtractionView(
        extraction=row,
        snippet=row["snippet"],
        highlight=find_highlight(row["snippet"], row["raw_text"], row["value"]),
        page=row["page"],
    )

    try:
        if row["page"] is None:
            raise ReviewError(f"extraction {row['extraction_id']} has no page number")
        check_bbox(row["bbox"])
        pdf_path = _pdf_location(wh, row)
        out_path = Path(out_dir) / f"{row['extraction_id']}-p{row['page']}.png"
        view.crop_box = render_crop(pdf_path, row["page"], row["bbox"], out_path, resolution=resolution, margin=margin)
        view.image_path = out_path
    except (ReviewError, CropError) as exc:
        message = str(exc) if isinstance(exc, ReviewError) else f"extraction {row['extraction_id']}: {exc}"
        if require_image:
            raise ReviewError(message) from None
        view.image_error = message
    return view


__all__ = [
    "ExtractionView",
    "ReviewError",
    "ReviewOutcome",
    "ReviewResult",
    "accept",
    "accept_batch",
    "default_reviewer",
    "edit",
    "get_extraction",
    "list_extractions",
    "reject",
    "resolve_extraction_id",
    "show",
    "undo",
    "validate_value",
]
