"""Fixtures shared by every test: the shared data folder and fresh warehouses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from efficientdl.warehouse.db import Warehouse

#: The read-only data folder beside the repository (real PDFs and model-zoo sources).
SHARED_DIR = Path(os.environ.get("EFFICIENTDL_SHARED", Path(__file__).resolve().parents[1].parent / "shared"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """Return ``../shared``; skip the test when it is absent."""
    if not (SHARED_DIR / "sources").is_dir():
        pytest.skip(f"{SHARED_DIR} is absent: this test reads the shared papers and model-zoo sources")
    return SHARED_DIR


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Return the path of a warehouse file that does not exist yet."""
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def warehouse(db_path: Path):
    """Yield a fresh, migrated read-write warehouse."""
    with Warehouse(db_path) as wh:
        yield wh
