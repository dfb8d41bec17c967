"""Record which PDF (by SHA-256) each version of the PDF extractor has read, so
a second run over the same file skips it."""

from __future__ import annotations


def upgrade(con) -> None:
    con.execute(
        """
        CREATE TABLE pdf_runs (
            pdf_sha256 VARCHAR NOT NULL,
            extractor_version VARCHAR NOT NULL,
            paper_id VARCHAR,
            pdf_path VARCHAR,
            pages INTEGER,
            tables INTEGER,
            extractions INTEGER,
            problems JSON,
            seconds DOUBLE,
            processed_at TIMESTAMP DEFAULT current_timestamp,
            PRIMARY KEY (pdf_sha256, extractor_version)
        )
        """
    )
