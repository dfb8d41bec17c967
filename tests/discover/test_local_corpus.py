"""Offline discovery on the real corpus: three seeds, depth 2, the local PDF folder as the only source.

The parsed bibliographies are cached under ``$EFFICIENTDL_CACHE_DIR`` (or
``~/.cache/efficientdl``) by each PDF's SHA-256, as in normal use, so only
the first run parses the 31 PDFs.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from efficientdl.cli.main import cli
from efficientdl.pipeline.sources.http import default_cache_dir
from efficientdl.warehouse.db import Warehouse


@pytest.fixture(scope="module")
def corpus_run(shared_dir, tmp_path_factory):
    """Run ``efficientdl discover`` twice over the corpus; return (db path, first report, second report)."""
    db_path = tmp_path_factory.mktemp("corpus") / "warehouse.duckdb"
    folder = shared_dir / "corpus" / "pdf"
    arguments = [
        "--db", str(db_path), "discover", "--seed", "arxiv:1512.03385", "--seed", "arxiv:2010.11929",
        "--seed", str(folder / "shufflenetv2-1807.11164.pdf"), "--depth", "2", "--source", f"local:{folder}",
        "--cache-dir", str(default_cache_dir()), "--json",
    ]
    reports = []
    for _ in range(2):
        result = CliRunner().invoke(cli, arguments, catch_exceptions=False)
        reports.append(json.loads(result.stdout))
    return db_path, reports[0], reports[1]


def query(db_path, sql):
    with Warehouse(db_path, read_only=True) as wh:
        return wh.execute(sql).fetchall()


def test_corpus_graph_built(corpus_run):
    db_path, first, _ = corpus_run
    assert first["status"] == "complete"
    assert query(db_path, "SELECT count(*) FROM citations WHERE source = 'local'")[0][0] >= 150


def test_corpus_seeds_at_depth_zero(corpus_run):
    db_path, _, _ = corpus_run
    seeds = query(db_path, "SELECT p.arxiv_id FROM paper_discovery d JOIN papers p USING (paper_id) WHERE d.depth = 0 ORDER BY 1")
    assert [row[0] for row in seeds] == ["1512.03385", "1807.11164", "2010.11929"]


def test_corpus_known_edge(corpus_run):
    db_path, _, _ = corpus_run
    edge = query(db_path, "SELECT count(*) FROM citations WHERE citing_id = 'arxiv:1512.03385' AND cited_id = 'arxiv:1409.1556'")
    assert edge[0][0] == 1


def test_corpus_reaches_depth_two(corpus_run):
    db_path, _, _ = corpus_run
    assert query(db_path, "SELECT max(depth) FROM paper_discovery")[0][0] == 2


def test_corpus_pdf_seed_merged(corpus_run):
    db_path, _, _ = corpus_run
    assert query(db_path, "SELECT count(*) FROM papers WHERE arxiv_id = '1807.11164'")[0][0] == 1


def test_corpus_rerun_adds_nothing(corpus_run):
    _, first, second = corpus_run
    assert (second["new_papers"], second["new_citations"], second["kept"]) == (0, 0, first["kept"])
