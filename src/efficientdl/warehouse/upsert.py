"""Idempotent writes: insert new keys, update changed rows, skip identical ones."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)


@dataclass
class UpsertCounts:
    """How many rows an upsert inserted, updated and left unchanged."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0

    def __add__(self, other: "UpsertCounts") -> "UpsertCounts":
        return UpsertCounts(
            self.inserted + other.inserted, self.updated + other.updated, self.unchanged + other.unchanged
        )


def upsert_frame(
    wh: Warehouse, table: str, frame: pd.DataFrame, *, key: str, hash_column: str = "content_hash"
) -> UpsertCounts:
    """Write ``frame`` into ``table`` keyed by ``key``.

    Rows whose key is new are inserted; rows whose key exists with a
    different ``hash_column`` replace the stored row (its ``updated_at`` is
    set to now); rows with the same hash are skipped. Runs in one
    transaction, so a failure leaves the table as it was.
    """
    if frame.empty:
        return UpsertCounts()
    if frame[key].duplicated().any():
        duplicated = frame.loc[frame[key].duplicated(), key].tolist()[:5]
        raise ValueError(f"{table}: the batch repeats the key(s) {duplicated}; deduplicate before writing")

    con = wh.con
    con.register("incoming", frame)
    try:
        stored = con.execute(
            f"SELECT t.{key}, t.{hash_column} FROM {table} t JOIN incoming i ON t.{key} = i.{key}"
        ).fetchall()
        stored_hash = dict(stored)
        is_new = ~frame[key].isin(stored_hash.keys())
        is_changed = frame[key].isin(stored_hash.keys()) & (
            frame[key].map(stored_hash) != frame[hash_column]
        )
        columns = ", ".join(frame.columns)

        con.execute("BEGIN TRANSACTION")
        try:
            changed_keys = frame.loc[is_changed, key].tolist()
            if changed_keys:
                con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT unnest(?))", [changed_keys]).fetchall()
                to_write = frame[is_new | is_changed]
            else:
                to_write = frame[is_new]
            if not to_write.empty:
                con.register("to_write", to_write)
                con.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM to_write").fetchall()
                con.unregister("to_write")
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    finally:
        con.unregister("incoming")

    counts = UpsertCounts(int(is_new.sum()), int(is_changed.sum()), int((~is_new & ~is_changed).sum()))
    logger.debug("%s upsert: %s", table, counts)
    return counts
