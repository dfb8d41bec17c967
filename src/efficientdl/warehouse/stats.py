"""Summary statistics of the warehouse for ``efficientdl db stats``."""

from __future__ import annotations

from typing import Any

from efficientdl.schema.components import ALL_FIELDS
from efficientdl.warehouse.db import Warehouse


def warehouse_stats(wh: Warehouse) -> dict[str, Any]:
    """Return table counts, configurations per source and dataset, and per-field coverage."""
    total = wh.count("configurations")
    by_source_dataset = [
        {"source": source, "dataset": dataset, "rows": rows}
        for source, dataset, rows in wh.execute(
            "SELECT source, dataset, count(*) FROM configurations GROUP BY ALL ORDER BY 1, 3 DESC"
        ).fetchall()
    ]
    filled = wh.execute(
        "SELECT " + ", ".join(f"count({name})" for name in ALL_FIELDS) + " FROM configurations"
    ).fetchone()
    coverage = [
        {"component": name, "filled": int(count), "share": (count / total) if total else 0.0}
        for name, count in zip(ALL_FIELDS, filled)
    ]
    return {
        "path": str(wh.path),
        "schema_version": wh.schema_version(),
        "tables": wh.table_counts(),
        "by_source_dataset": by_source_dataset,
        "coverage": coverage,
    }
