"""Warehouse file handling, migrations, upserts and quarantine."""

from __future__ import annotations

import pandas as pd
import pytest

from efficientdl.warehouse.db import TABLES, Warehouse, WarehouseError, resolve_db_path
from efficientdl.warehouse.migrate import available_migrations
from efficientdl.warehouse.quarantine import QuarantineEntry, add_to_quarantine, list_quarantine
from efficientdl.warehouse.upsert import upsert_frame


def test_new_warehouse_has_every_table(warehouse):
    assert set(TABLES) <= set(warehouse.table_counts())


def test_configurations_has_component_columns(warehouse):
    columns = {row[0] for row in warehouse.execute("DESCRIBE configurations").fetchall()}
    assert {"optimizer", "data_augmentation", "gpu_count", "top1", "source"} <= columns


def test_set_columns_are_lists(warehouse):
    types = dict((row[0], row[1]) for row in warehouse.execute("DESCRIBE configurations").fetchall())
    assert types["data_augmentation"] == "VARCHAR[]"


def test_reopening_applies_no_migration_twice(db_path):
    with Warehouse(db_path) as wh:
        first = wh.schema_version()
    with Warehouse(db_path) as wh:
        rows = wh.count("schema_migrations")
    assert first == available_migrations()[-1][0]
    assert rows == len(available_migrations())


def test_read_only_missing_file_names_fix(tmp_path):
    with pytest.raises(WarehouseError, match="does not exist"):
        Warehouse(tmp_path / "absent.duckdb", read_only=True)


def test_db_path_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("EFFICIENTDL_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path() == tmp_path / "env.duckdb"


def test_explicit_db_path_wins(monkeypatch, tmp_path):
    monkeypatch.setenv("EFFICIENTDL_DB", str(tmp_path / "env.duckdb"))
    assert resolve_db_path(tmp_path / "cli.duckdb") == tmp_path / "cli.duckdb"


def _quarantine_rows(keys, hashes):
    return pd.DataFrame(
        {
            "quarantine_id": keys,
            "source": ["sheet"] * len(keys),
            "stage": ["validate"] * len(keys),
            "reason": hashes,
            "content_hash": hashes,
        }
    )


def test_upsert_counts_insert_update_unchanged(warehouse):
    warehouse.execute("CREATE TABLE demo (k VARCHAR PRIMARY KEY, v INTEGER, content_hash VARCHAR)")
    first = upsert_frame(warehouse, "demo", pd.DataFrame({"k": ["a", "b"], "v": [1, 2], "content_hash": ["1", "2"]}), key="k")
    second = upsert_frame(warehouse, "demo", pd.DataFrame({"k": ["a", "b", "c"], "v": [1, 5, 3], "content_hash": ["1", "5", "3"]}), key="k")
    assert (first.inserted, first.updated, first.unchanged) == (2, 0, 0)
    assert (second.inserted, second.updated, second.unchanged) == (1, 1, 1)
    assert warehouse.execute("SELECT v FROM demo WHERE k = 'b'").fetchall() == [(5,)]


def test_upsert_rejects_repeated_keys(warehouse):
    warehouse.execute("CREATE TABLE demo (k VARCHAR PRIMARY KEY, content_hash VARCHAR)")
    with pytest.raises(ValueError, match="repeats the key"):
        upsert_frame(warehouse, "demo", pd.DataFrame({"k": ["a", "a"], "content_hash": ["1", "2"]}), key="k")


def test_quarantine_is_idempotent(warehouse):
    entry = QuarantineEntry("sheet", "x.csv", "row2", "validate", "top1: top1_in_range failed for 180.0", ["e"], {"top1": 180})
    first = add_to_quarantine(warehouse, [entry])
    second = add_to_quarantine(warehouse, [entry])
    rows = list_quarantine(warehouse)
    assert (first, second) == (1, 0)
    assert rows[0]["raw"] == {"top1": 180}
