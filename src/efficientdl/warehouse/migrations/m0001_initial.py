"""Create the core tables: papers, citations, extractions, configurations,
quarantine, review_log, predictors, recommendations, verifications."""

from __future__ import annotations

from efficientdl.schema.components import ALL_FIELDS, Kind

_SQL_TYPES = {Kind.NUMBER: "DOUBLE", Kind.CHOICE: "VARCHAR", Kind.SET: "VARCHAR[]"}


def configuration_columns_sql() -> str:
    """Return the column definitions of the identity fields and the 27 components."""
    return ",\n    ".join(f"{name} {_SQL_TYPES[field.kind]}" for name, field in ALL_FIELDS.items())


def upgrade(con) -> None:
    con.execute(
        """
        CREATE TABLE papers (
            paper_id VARCHAR PRIMARY KEY,
            title VARCHAR,
            arxiv_id VARCHAR,
            doi VARCHAR,
            year INTEGER,
            venue VARCHAR,
            abstract VARCHAR,
            url VARCHAR,
            pdf_url VARCHAR,
            pdf_path VARCHAR,
            pdf_sha256 VARCHAR,
            pages INTEGER,
            source VARCHAR,
            relevant BOOLEAN,
            status VARCHAR,
            added_at TIMESTAMP DEFAULT current_timestamp,
            updated_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    con.execute(
        """
        CREATE TABLE citations (
            citing_id VARCHAR NOT NULL,
            cited_id VARCHAR NOT NULL,
            source VARCHAR NOT NULL,
            added_at TIMESTAMP DEFAULT current_timestamp,
            PRIMARY KEY (citing_id, cited_id, source)
        )
        """
    )
    con.execute(
        """
        CREATE TABLE extractions (
            extraction_id VARCHAR PRIMARY KEY,
            paper_id VARCHAR NOT NULL,
            model_name VARCHAR,
            dataset VARCHAR,
            component VARCHAR NOT NULL,
            value JSON,
            raw_text VARCHAR,
            page INTEGER,
            bbox DOUBLE[],
            snippet VARCHAR,
            extractor VARCHAR NOT NULL,
            confidence DOUBLE,
            status VARCHAR NOT NULL DEFAULT 'pending',
            created_at TIMESTAMP DEFAULT current_timestamp,
            updated_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    con.execute(
        f"""
        CREATE TABLE configurations (
            config_id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            source_file VARCHAR,
            source_key VARCHAR NOT NULL,
            extractor VARCHAR NOT NULL,
            paper_id VARCHAR,
            paper_title VARCHAR,
            paper_url VARCHAR,
            {configuration_columns_sql()},
            details JSON,
            provenance JSON,
            flags JSON,
            content_hash VARCHAR NOT NULL,
            ingested_at TIMESTAMP DEFAULT current_timestamp,
            updated_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    con.execute(
        """
        CREATE TABLE quarantine (
            quarantine_id VARCHAR PRIMARY KEY,
            source VARCHAR NOT NULL,
            source_file VARCHAR,
            source_key VARCHAR,
            stage VARCHAR NOT NULL,
            reason VARCHAR NOT NULL,
            errors JSON,
            raw JSON,
            created_at TIMESTAMP DEFAULT current_timestamp,
            resolved BOOLEAN DEFAULT false
        )
        """
    )
    con.execute("CREATE SEQUENCE review_log_seq START 1")
    con.execute(
        """
        CREATE TABLE review_log (
            log_id BIGINT PRIMARY KEY DEFAULT nextval('review_log_seq'),
            extraction_id VARCHAR NOT NULL,
            action VARCHAR NOT NULL,
            reviewer VARCHAR NOT NULL,
            status_before VARCHAR,
            status_after VARCHAR,
            value_before JSON,
            value_after JSON,
            reason VARCHAR,
            undone BOOLEAN DEFAULT false,
            acted_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    con.execute(
        """
        CREATE TABLE predictors (
            predictor_id VARCHAR PRIMARY KEY,
            created_at TIMESTAMP DEFAULT current_timestamp,
            data_snapshot VARCHAR,
            n_rows INTEGER,
            features JSON,
            metrics JSON,
            parameters JSON,
            artifact_path VARCHAR,
            artifact_sha256 VARCHAR
        )
        """
    )
    con.execute(
        """
        CREATE TABLE recommendations (
            recommendation_id VARCHAR PRIMARY KEY,
            created_at TIMESTAMP DEFAULT current_timestamp,
            predictor_id VARCHAR,
            request JSON,
            method VARCHAR,
            seed INTEGER,
            budget INTEGER,
            evaluations INTEGER,
            seconds DOUBLE,
            best JSON,
            top JSON,
            evidence JSON,
            plot_path VARCHAR
        )
        """
    )
    con.execute(
        """
        CREATE TABLE verifications (
            verification_id VARCHAR PRIMARY KEY,
            recommendation_id VARCHAR,
            config_id VARCHAR,
            created_at TIMESTAMP DEFAULT current_timestamp,
            dataset VARCHAR,
            config JSON,
            recipe JSON,
            scaled_down JSON,
            device VARCHAR,
            wall_seconds DOUBLE,
            measured_top1 DOUBLE,
            predicted_top1 DOUBLE,
            interval_low DOUBLE,
            interval_high DOUBLE
        )
        """
    )
