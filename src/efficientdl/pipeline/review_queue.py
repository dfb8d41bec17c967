"""Reading the review queue: extraction ids, listing, and checking a curator's value.

Extraction ids may be given as unique prefixes, as with git commits.
"""

from __future__ import annotations

from typing import Any

from efficientdl.schema.components import Kind, get_field
from efficientdl.schema.normalize import NormalizationError, normalize
from efficientdl.schema.tables import EXTRACTION_STATUSES
from efficientdl.warehouse.db import Warehouse, from_json

_MAX_LISTED_MATCHES = 5


class ReviewError(ValueError):
    """Raised when a review action cannot run: an unknown or ambiguous id, an invalid value,
    nothing to undo."""


def validate_value(component: str, raw: Any) -> Any:
    """Normalise ``raw`` as a value of ``component`` and check it as the loader would.

    Returns the canonical value: a float (an int for counts) for numbers, a
    string for choices, a sorted list for sets. Values outside an open
    vocabulary are kept as written; values outside a closed one are invalid.

    Raises
    ------
    ReviewError
        With the reason, when the value is empty, unreadable, outside the
        component's range or outside its closed vocabulary.

    Examples
    --------
    >>> validate_value("top1", "0.813")
    81.3
    >>> validate_value("epochs", "300 epochs")
    300.0
    >>> validate_value("gpu_count", "8x V100 GPUs")
    8
    """
    try:
        spec = get_field(component)
    except KeyError as exc:
        raise ReviewError(exc.args[0]) from None
    if raw is None or (isinstance(raw, str) and not raw.strip()) or raw == []:
        raise ReviewError(f"{component}: the value is empty")

    try:
        result = normalize(component, raw)
    except NormalizationError as exc:
        raise ReviewError(f"{component}: {exc}") from None

    closed = spec.vocabulary is not None and spec.vocabulary.closed
    if result.unknown and closed:
        raise ReviewError(
            f"{component}: unknown value {', '.join(map(repr, result.unknown))}; "
            f"known values: {', '.join(spec.vocabulary.values)}"
        )

    if spec.kind is Kind.CHOICE:
        return result.value if result.value is not None else result.unknown[0]
    if spec.kind is Kind.SET:
        items = sorted(set(result.value) | set(result.unknown))
        if not items:
            raise ReviewError(f"{component}: {raw!r} names no value")
        return items

    value = result.value
    if value is None:
        raise ReviewError(f"{component}: {raw!r} gives no number")
    low, high = spec.bounds
    if not low <= value <= high:
        raise ReviewError(f"{component}: {value:g} is outside the valid range {low:g} to {high:g} {spec.unit or ''}".rstrip())
    # normalize() already rounds counts to whole numbers.
    return int(value) if spec.integer else value


def fetch_dicts(wh: Warehouse, sql: str, parameters: list[Any]) -> list[dict[str, Any]]:
    cursor = wh.con.execute(sql, parameters)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def resolve_extraction_id(wh: Warehouse, reference: str) -> str:
    """Return the full extraction id that ``reference`` equals or uniquely starts.

    Raises
    ------
    ReviewError
        Naming ``reference``, when no id or several ids match.
    """
    text = str(reference).strip()
    if not text:
        raise ReviewError("an empty extraction id was given")
    matches = [
        row[0]
        for row in wh.con.execute(
            "SELECT extraction_id FROM extractions WHERE starts_with(extraction_id, ?) ORDER BY extraction_id LIMIT ?",
            [text, _MAX_LISTED_MATCHES + 1],
        ).fetchall()
    ]
    if text in matches:
        return text
    if not matches:
        raise ReviewError(
            f"no extraction has the id or id prefix {text!r}; list ids with `efficientdl review list --status all`"
        )
    if len(matches) > 1:
        shown = ", ".join(matches[:_MAX_LISTED_MATCHES]) + (" and more" if len(matches) > _MAX_LISTED_MATCHES else "")
        raise ReviewError(f"the id prefix {text!r} is ambiguous: it matches {shown}; give more characters")
    return matches[0]


def get_extraction(wh: Warehouse, reference: str) -> dict[str, Any]:
    """Return the extraction that ``reference`` identifies, with ``value`` parsed, the paper title and the PDF path."""
    extraction_id = resolve_extraction_id(wh, reference)
    row = fetch_dicts(
        wh,
        "SELECT e.*, p.title AS paper_title, p.pdf_path FROM extractions e "
        "LEFT JOIN papers p ON p.paper_id = e.paper_id WHERE e.extraction_id = ?",
        [extraction_id],
    )[0]
    row["value"] = from_json(row["value"])
    return row


def list_extractions(
    wh: Warehouse,
    paper: str | None = None,
    component: str | None = None,
    status: str | None = "pending",
    min_confidence: float | None = None,
    limit: int | None = 100,
) -> list[dict[str, Any]]:
    """Return extractions in reading order (paper, page, model, component).

    Parameters
    ----------
    paper : str, optional
        A paper id, arXiv id or DOI.
    component : str, optional
        A component or identity-field name (``top1``, ``epochs``...).
    status : str or None
        ``pending``, ``accepted``, ``edited``, ``rejected``; None or ``"all"``
        for every status.
    min_confidence : float, optional
        Keep extractions whose confidence is at least this (0 to 1).
    limit : int or None
        Return at most this many rows; None for all.
    """
    conditions, parameters = [], []
    if paper:
        conditions.append("(e.paper_id = ? OR p.arxiv_id = ? OR p.doi = ?)")
        parameters += [paper, paper, paper]
    if component:
        try:
            get_field(component)
        except KeyError as exc:
            raise ReviewError(exc.args[0]) from None
        conditions.append("e.component = ?")
        parameters.append(component)
    if status not in (None, "all"):
        if status not in EXTRACTION_STATUSES:
            raise ReviewError(f"unknown status {status!r}; use one of {', '.join(EXTRACTION_STATUSES)} or all")
        conditions.append("e.status = ?")
        parameters.append(status)
    if min_confidence is not None:
        conditions.append("e.confidence >= ?")
        parameters.append(check_confidence(min_confidence))
    if limit is not None and limit < 1:
        raise ReviewError(f"limit must be at least 1, got {limit}")

    sql = (
        "SELECT e.*, p.title AS paper_title FROM extractions e LEFT JOIN papers p ON p.paper_id = e.paper_id"
        + (" WHERE " + " AND ".join(conditions) if conditions else "")
        + " ORDER BY e.paper_id, e.page NULLS LAST, e.model_name NULLS FIRST, e.component, e.extraction_id"
        + (" LIMIT ?" if limit is not None else "")
    )
    rows = fetch_dicts(wh, sql, parameters + ([limit] if limit is not None else []))
    for row in rows:
        row["value"] = from_json(row["value"])
    return rows


def check_confidence(value: float) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ReviewError(f"the confidence threshold must lie between 0 and 1, got {value:g}")
    return value
