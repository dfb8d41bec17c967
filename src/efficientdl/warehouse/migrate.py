"""Apply the versioned migrations in :mod:`efficientdl.warehouse.migrations`."""

from __future__ import annotations

import importlib
import logging
import pkgutil

import duckdb

from efficientdl.warehouse import migrations

logger = logging.getLogger(__name__)


def available_migrations() -> list[tuple[int, str]]:
    """Return ``(version, module name)`` of every migration module, ascending."""
    found = []
    for info in pkgutil.iter_modules(migrations.__path__):
        name = info.name
        if name.startswith("m") and name[1:5].isdigit():
            found.append((int(name[1:5]), name))
    versions = [v for v, _ in found]
    duplicates = {v for v in versions if versions.count(v) > 1}
    if duplicates:
        raise RuntimeError(f"two migrations share the version number(s) {sorted(duplicates)}")
    return sorted(found)


def apply_migrations(con: duckdb.DuckDBPyConnection) -> list[int]:
    """Apply pending migrations and return the versions applied."""
    con.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            name VARCHAR NOT NULL,
            applied_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    done = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}

    applied = []
    for version, name in available_migrations():
        if version in done:
            continue
        module = importlib.import_module(f"{migrations.__name__}.{name}")
        logger.info("applying migration %04d %s", version, name)
        con.execute("BEGIN TRANSACTION")
        try:
            module.upgrade(con)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name]).fetchall()
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        applied.append(version)
    return applied
