"""The embedded seed dataset: shipped, loadable, and identical to a fresh ingest."""

from __future__ import annotations

from efficientdl.pipeline.seed import build_seed, load_seed, seed_path


def test_shipped_seed_loads_idempotently(warehouse):
    first = load_seed(warehouse)
    second = load_seed(warehouse)
    assert first.loaded > 2000
    assert (second.loaded, second.updated) == (0, 0)


def test_shipped_seed_keeps_provenance(warehouse):
    load_seed(warehouse)
    missing = warehouse.count("configurations", "provenance IS NULL OR source IS NULL OR extractor IS NULL")
    assert missing == 0


def test_seed_rebuild_matches_shipped_ids(warehouse, shared_dir, tmp_path):
    rebuilt = build_seed(shared_dir / "sources", tmp_path / "seed.parquet")
    shipped = {row[0] for row in warehouse.execute("SELECT config_id FROM read_parquet(?)", [str(seed_path())]).fetchall()}
    fresh = {row[0] for row in warehouse.execute("SELECT config_id FROM read_parquet(?)", [str(rebuilt.path)]).fetchall()}
    assert fresh == shipped


def test_sources_found_through_relative_path(warehouse, shared_dir, monkeypatch):
    import os

    from efficientdl.pipeline.seed import ingest_sources

    monkeypatch.chdir(shared_dir.parent / "main" if (shared_dir.parent / "main").is_dir() else shared_dir)
    relative = os.path.relpath(shared_dir / "sources")
    reports = ingest_sources(warehouse, relative)
    kinds = {report.source: report.loaded + report.unchanged for report in reports}
    assert kinds["mmpretrain"] > 400
