"""The DuckDB warehouse: where it lives, how to open it, and JSON helpers.

DuckDB allows one read-write process per file, so every stage opens the
warehouse for the duration of its writes only, and parallel workers hand
their rows to one writer.

Examples
--------
>>> import tempfile, pathlib
>>> path = pathlib.Path(tempfile.mkdtemp()) / "demo.duckdb"
>>> with Warehouse(path) as wh:
...     wh.count("configurations")
0
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import duckdb

from efficientdl.warehouse.migrate import apply_migrations

logger = logging.getLogger(__name__)

DEFAULT_DB = "efficientdl.duckdb"
DB_ENV_VAR = "EFFICIENTDL_DB"

TABLES = (
    "papers",
    "citations",
    "extractions",
    "configurations",
    "quarantine",
    "review_log",
    "predictors",
    "recommendations",
    "verifications",
)


class WarehouseError(RuntimeError):
    """Raised when the warehouse file cannot be opened or is not a warehouse."""


def resolve_db_path(path: str | os.PathLike | None = None) -> Path:
    """Return the warehouse path: ``path``, else ``$EFFICIENTDL_DB``, else ``./efficientdl.duckdb``."""
    if path:
        return Path(path)
    return Path(os.environ.get(DB_ENV_VAR) or DEFAULT_DB)


def stable_id(*parts: Any, length: int = 16) -> str:
    """Return a short hex id derived from ``parts``; equal parts give equal ids."""
    text = "\x1f".join("" if p is None else str(p) for p in parts)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]


def to_json(value: Any) -> str | None:
    """Serialise ``value`` to JSON with sorted keys, or None for None."""
    if value is None:
        return None
    return json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)


def from_json(text: str | None) -> Any:
    """Parse a JSON column value; None stays None."""
    if text is None:
        return None
    return json.loads(text)


class _Connection:
    """A DuckDB connection whose ``register`` first finishes any pending result.

    DuckDB 2.0 rejects ``register`` while a previous ``execute`` result is
    not fully fetched (``fetchone`` leaves it open); finishing it here keeps
    every caller from having to drain results by hand.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def register(self, name: str, frame: Any) -> Any:
        self._con.execute("SELECT 1").fetchall()
        return self._con.register(name, frame)

    def unregister(self, name: str) -> Any:
        self._con.execute("SELECT 1").fetchall()
        return self._con.unregister(name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self._con, attribute)


class Warehouse:
    """An open connection to the warehouse file.

    Parameters
    ----------
    path : path-like, optional
        Database file; resolved with :func:`resolve_db_path`.
    read_only : bool
        Open without write access. The file must already exist and be
        migrated; nothing is created.

    Use as a context manager so the connection is closed (and the file
    lock released) even when a stage fails.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, read_only: bool = False) -> None:
        self.path = resolve_db_path(path)
        self.read_only = read_only
        if read_only and not self.path.exists():
            raise WarehouseError(
                f"warehouse {self.path} does not exist; build it first, e.g. `efficientdl ingest seed`"
            )
        if not read_only:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = _Connection(duckdb.connect(str(self.path), read_only=read_only))
        except duckdb.IOException as exc:
            raise WarehouseError(
                f"cannot open warehouse {self.path}: {exc}. Another process may hold it for writing; "
                "wait for it to finish or point --db / EFFICIENTDL_DB at another file"
            ) from exc
        if not read_only:
            applied = apply_migrations(self.con._con)
            if applied:
                logger.info("warehouse %s migrated to version %d", self.path, applied[-1])

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    def execute(self, sql: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        return self.con.execute(sql, parameters) if parameters is not None else self.con.execute(sql)

    def count(self, table: str, where: str = "") -> int:
        sql = f"SELECT count(*) FROM {table}" + (f" WHERE {where}" if where else "")
        return int(self.con.execute(sql).fetchone()[0])

    def table_counts(self) -> dict[str, int]:
        """Return the row count of every warehouse table."""
        return {table: self.count(table) for table in TABLES}

    def schema_version(self) -> int:
        row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)
