"""Add discovery bookkeeping: source ids on papers, how each paper was reached, runs and their frontier.

* ``papers.external_ids``: JSON object of each source's own key for the paper
  (OpenAlex work id, Semantic Scholar paperId, local PDF SHA-256...).
* ``discovery_runs``: one row per snowball run (its parameters, state, report).
* ``paper_discovery``: how a run reached a paper: the seed it descends from,
  its depth, the paper and source it was reached through, and the direction
  (``seed``, ``references`` or ``citations``).
* ``discovery_frontier``: the papers a run still has to expand, so an
  interrupted run resumes where it stopped.
"""

from __future__ import annotations


def upgrade(con) -> None:
    con.execute("ALTER TABLE papers ADD COLUMN external_ids JSON")
    con.execute(
        """
        CREATE TABLE discovery_runs (
            run_id VARCHAR PRIMARY KEY,
            seeds JSON NOT NULL,
            sources JSON NOT NULL,
            max_depth INTEGER NOT NULL,
            max_papers INTEGER NOT NULL,
            relevance JSON,
            status VARCHAR NOT NULL,
            report JSON,
            started_at TIMESTAMP DEFAULT current_timestamp,
            updated_at TIMESTAMP DEFAULT current_timestamp
        )
        """
    )
    con.execute(
        """
        CREATE TABLE paper_discovery (
            run_id VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL,
            seed VARCHAR NOT NULL,
            depth INTEGER NOT NULL,
            via_paper_id VARCHAR,
            via_source VARCHAR,
            direction VARCHAR NOT NULL,
            relevant BOOLEAN NOT NULL,
            reached_at TIMESTAMP DEFAULT current_timestamp,
            PRIMARY KEY (run_id, paper_id)
        )
        """
    )
    con.execute(
        """
        CREATE TABLE discovery_frontier (
            run_id VARCHAR NOT NULL,
            paper_id VARCHAR NOT NULL,
            seq INTEGER NOT NULL,
            depth INTEGER NOT NULL,
            status VARCHAR NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            last_error VARCHAR,
            updated_at TIMESTAMP DEFAULT current_timestamp,
            PRIMARY KEY (run_id, paper_id)
        )
        """
    )
