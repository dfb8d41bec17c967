"""Record how each verification ran: seed, budget, the predictor behind ``predicted_top1``
and the recommendation's own prediction for the data it was made for."""

from __future__ import annotations


def upgrade(con) -> None:
    for column, sql_type in (
        ("seed", "INTEGER"),
        ("budget_minutes", "DOUBLE"),
        ("predictor_id", "VARCHAR"),
        ("prediction_source", "VARCHAR"),
        ("recommended_top1", "DOUBLE"),
        ("updated_at", "TIMESTAMP"),
    ):
        con.execute(f"ALTER TABLE verifications ADD COLUMN {column} {sql_type}")
