"""Snowball runs over the fake APIs: merging, relevance, failures, idempotence."""

from __future__ import annotations

import pytest

from efficientdl.pipeline.snowball import Seed, Snowball, SnowballSettings, parse_seed
from efficientdl.pipeline.sources import build_source
from efficientdl.warehouse.db import Warehouse

SOURCES = ("openalex", "semanticscholar", "arxiv", "scholar")


def run(db_path, settings, seeds=("arxiv:1512.03385",), sources=SOURCES, **snowball_settings):
    built = [build_source(name, settings) for name in sources]
    with Warehouse(db_path) as wh:
        return Snowball(wh, built, SnowballSettings(**snowball_settings), source_specs=sources).run(list(seeds))


def scalar(db_path, sql, params=None):
    with Warehouse(db_path, read_only=True) as wh:
        return wh.execute(sql, params).fetchone()[0]


def test_seed_parsing_kinds():
    assert parse_seed("doi:https://doi.org/10.1109/CVPR.2016.90") == Seed("doi", "10.1109/cvpr.2016.90")


def test_seed_bad_arxiv_rejected():
    with pytest.raises(ValueError, match="arxiv:1512.03385"):
        parse_seed("arxiv:resnet")


def test_seed_missing_pdf_rejected(tmp_path):
    with pytest.raises(ValueError, match="PDF file not found"):
        parse_seed(str(tmp_path / "missing.pdf"))


def test_run_merges_sources(api_env, fast_settings, db_path):
    report = run(db_path, fast_settings)
    assert report.status == "complete"
    assert scalar(db_path, "SELECT count(*) FROM papers WHERE arxiv_id = '1709.01507'") == 1
    assert scalar(db_path, "SELECT count(*) FROM papers WHERE arxiv_id = '1512.03385'") == 1


def test_run_keeps_source_ids(api_env, fast_settings, db_path):
    run(db_path, fast_settings)
    ids = scalar(db_path, "SELECT external_ids FROM papers WHERE arxiv_id = '1512.03385'")
    assert '"openalex": "W2194775991"' in ids
    assert '"semanticscholar": "2c03df8b48bf3fa39054345bafabfeff15bfd11d"' in ids


def test_run_rejects_off_topic(api_env, fast_settings, db_path):
    report = run(db_path, fast_settings)
    assert report.off_topic == 1
    assert scalar(db_path, "SELECT relevant FROM papers WHERE doi = '10.1000/soil.2019.1'") is False


def test_run_records_edges_both_directions(api_env, fast_settings, db_path):
    run(db_path, fast_settings)
    resnet = scalar(db_path, "SELECT paper_id FROM papers WHERE arxiv_id = '1512.03385'")
    vgg = scalar(db_path, "SELECT paper_id FROM papers WHERE arxiv_id = '1409.1556'")
    senet = scalar(db_path, "SELECT paper_id FROM papers WHERE arxiv_id = '1709.01507'")
    assert scalar(db_path, "SELECT count(*) FROM citations WHERE citing_id = ? AND cited_id = ?", [resnet, vgg]) == 2
    assert scalar(db_path, "SELECT count(*) FROM citations WHERE citing_id = ? AND cited_id = ?", [senet, resnet]) == 3


def test_run_records_how_reached(api_env, fast_settings, db_path):
    run(db_path, fast_settings)
    row_sql = (
        "SELECT d.depth, d.direction, d.via_source, v.arxiv_id FROM paper_discovery d "
        "JOIN papers p USING (paper_id) JOIN papers v ON v.paper_id = d.via_paper_id WHERE p.arxiv_id = '1801.04381'"
    )
    with Warehouse(db_path, read_only=True) as wh:
        row = wh.execute(row_sql).fetchone()
    assert row == (1, "citations", "semanticscholar", "1512.03385")


def test_rerun_adds_nothing(api_env, fast_settings, db_path):
    run(db_path, fast_settings)
    counts = scalar(db_path, "SELECT (SELECT count(*) FROM papers) * 1000 + (SELECT count(*) FROM citations)")
    again = run(db_path, fast_settings, restart=True)
    assert again.new_papers == 0
    assert scalar(db_path, "SELECT (SELECT count(*) FROM papers) * 1000 + (SELECT count(*) FROM citations)") == counts


def test_failing_sources_reported(api_env, fast_settings, db_path):
    _, apis = api_env
    apis.fault("/openalex/works?", "500", times=3)
    apis.fault("/s2/paper/2c03df8b48bf3fa39054345bafabfeff15bfd11d/citations", "malformed")
    apis.fault("/scholar", "captcha")
    report = run(db_path, fast_settings)
    assert report.status == "complete"
    assert set(report.source_errors) == {"openalex", "semanticscholar", "scholar"}
    assert report.blocked_sources == ["scholar"]
    assert scalar(db_path, "SELECT count(*) FROM papers WHERE arxiv_id = '1409.1556'") == 1


def test_failures_quarantined(api_env, fast_settings, db_path):
    _, apis = api_env
    apis.fault("/scholar", "captcha")
    run(db_path, fast_settings)
    reason = scalar(db_path, "SELECT reason FROM quarantine WHERE source = 'discover' AND source_key LIKE 'scholar:%'")
    assert "CAPTCHA" in reason


def test_timeout_source_does_not_stop_run(api_env, fast_settings, db_path):
    _, apis = api_env
    apis.fault("/s2/paper/arXiv:1512.03385", "sleep:0.6", times=3)
    report = run(db_path, fast_settings, sources=("semanticscholar", "openalex"))
    assert "timed out" in report.source_errors["semanticscholar"][0]
    assert report.kept >= 4


def test_unknown_title_seed_fails(api_env, fast_settings, db_path):
    report = run(db_path, fast_settings, seeds=("A Paper That Does Not Exist Anywhere",), sources=("openalex",))
    assert report.seeds_failed == ["title:A Paper That Does Not Exist Anywhere"]


def test_max_papers_limits_kept(api_env, fast_settings, db_path):
    report = run(db_path, fast_settings, max_papers=3)
    assert report.kept == 3
    assert report.status == "max_papers"


def test_depth_two_expands_second_level(api_env, fast_settings, db_path):
    _, apis = api_env
    run(db_path, fast_settings, sources=("openalex",), max_depth=2)
    assert any(hit.startswith("/openalex/works?") and "cites%3AW1686810756" in hit for hit in apis.hits)
