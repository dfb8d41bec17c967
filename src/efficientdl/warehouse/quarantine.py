"""The quarantine: input that could not be read or validated, with the reason.

Nothing is dropped silently: every record an extractor could not read and
every row that failed validation gets a row here, keyed so that the same
bad input ingested twice is stored once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from efficientdl.warehouse.db import Warehouse, from_json, stable_id, to_json

logger = logging.getLogger(__name__)

_MAX_RAW_CHARS = 20_000


@dataclass
class QuarantineEntry:
    """One quarantined item.

    ``stage`` is where it failed (``extract``, ``normalize``, ``validate``,
    ``pdf``, ``discover``...), ``reason`` one line for people, ``errors``
    every individual error, ``raw`` the offending input.
    """

    source: str
    source_file: str | None
    source_key: str | None
    stage: str
    reason: str
    errors: list[str] = field(default_factory=list)
    raw: Any = None

    @property
    def quarantine_id(self) -> str:
        return stable_id(self.source, self.source_file, self.source_key, self.stage, self.reason)


def _bounded_raw(raw: Any) -> Any:
    text = to_json(raw)
    if text is not None and len(text) > _MAX_RAW_CHARS:
        return {"truncated": text[:_MAX_RAW_CHARS]}
    return raw


def add_to_quarantine(wh: Warehouse, entries: list[QuarantineEntry]) -> int:
    """Store ``entries``; return how many were new (already stored ones are skipped)."""
    if not entries:
        return 0
    frame = pd.DataFrame(
        {
            "quarantine_id": [e.quarantine_id for e in entries],
            "source": [e.source for e in entries],
            "source_file": [e.source_file for e in entries],
            "source_key": [e.source_key for e in entries],
            "stage": [e.stage for e in entries],
            "reason": [e.reason for e in entries],
            "errors": [to_json(e.errors) for e in entries],
            "raw": [to_json(_bounded_raw(e.raw)) for e in entries],
        }
    ).drop_duplicates("quarantine_id")
    before = wh.count("quarantine")
    wh.con.register("incoming_quarantine", frame)
    try:
        wh.con.execute(
            "INSERT INTO quarantine (quarantine_id, source, source_file, source_key, stage, reason, errors, raw) "
            "SELECT quarantine_id, source, source_file, source_key, stage, reason, errors, raw "
            "FROM incoming_quarantine ON CONFLICT (quarantine_id) DO NOTHING"
        ).fetchall()
    finally:
        wh.con.unregister("incoming_quarantine")
    added = wh.count("quarantine") - before
    for entry in entries:
        logger.info("quarantined %s %s [%s]: %s", entry.source, entry.source_key, entry.stage, entry.reason)
    return added


def list_quarantine(wh: Warehouse, *, source: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """Return unresolved quarantine rows, newest first."""
    sql = "SELECT * FROM quarantine WHERE NOT resolved"
    params: list[Any] = []
    if source:
        sql += " AND source = ?"
        params.append(source)
    sql += " ORDER BY created_at DESC, quarantine_id LIMIT ?"
    params.append(limit)
    cursor = wh.con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row)) for row in cursor.fetchall()]
    for row in rows:
        row["errors"] = from_json(row["errors"])
        row["raw"] = from_json(row["raw"])
    return rows
