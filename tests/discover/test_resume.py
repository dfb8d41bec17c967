"""Interrupted runs resume from the stored frontier without fetching again or duplicating rows."""

from __future__ import annotations

import json

from efficientdl.pipeline.snowball import Snowball, SnowballSettings
from efficientdl.pipeline.sources import SourceSettings, build_source
from efficientdl.warehouse.db import Warehouse

SEED = "arxiv:1512.03385"


def run(db_path, tmp_path, max_requests, sources=("openalex", "semanticscholar")):
    settings = SourceSettings(
        cache_dir=tmp_path / "cache", use_cache=False, timeout=0.4, max_retries=1, backoff=0.02,
        min_interval=0.0, max_requests=max_requests,
    )
    built = [build_source(name, settings) for name in sources]
    with Warehouse(db_path) as wh:
        return Snowball(wh, built, SnowballSettings(max_depth=2), source_specs=sources).run([SEED])


def expansion_hits(hits, work_ids):
    return [h for h in hits if any(f"cites%3A{w}" in h for w in work_ids)]


def test_budget_stop_then_resume(api_env, db_path, tmp_path):
    _, apis = api_env
    first = run(db_path, tmp_path, max_requests=9)
    assert first.status == "stopped"

    with Warehouse(db_path, read_only=True) as wh:
        done = [r[0] for r in wh.execute(
            "SELECT json_extract_string(p.external_ids, '$.openalex') FROM discovery_frontier f "
            "JOIN papers p USING (paper_id) WHERE f.status = 'done'"
        ).fetchall()]
    assert done

    before = len(apis.hits)
    second = run(db_path, tmp_path, max_requests=None)
    assert second.status == "complete"
    assert second.resumed
    assert expansion_hits(apis.hits[before:], done) == []


def test_resume_adds_no_duplicates(api_env, db_path, tmp_path):
    run(db_path, tmp_path, max_requests=9)
    run(db_path, tmp_path, max_requests=None)
    with Warehouse(db_path, read_only=True) as wh:
        arxiv_dupes = wh.execute("SELECT count(*) - count(DISTINCT arxiv_id) FROM papers WHERE arxiv_id IS NOT NULL").fetchone()[0]
        discovery_rows = wh.execute("SELECT count(*) FROM paper_discovery").fetchone()[0]
        papers = wh.execute("SELECT count(*) FROM papers").fetchone()[0]
    assert arxiv_dupes == 0
    assert discovery_rows == papers


def test_cached_rerun_sends_nothing(api_env, db_path, tmp_path):
    _, apis = api_env
    settings = SourceSettings(cache_dir=tmp_path / "cache", timeout=0.4, max_retries=1, backoff=0.02, min_interval=0.0)
    for restart in (False, True):
        built = [build_source(name, settings) for name in ("openalex", "semanticscholar")]
        with Warehouse(db_path) as wh:
            Snowball(wh, built, SnowballSettings(restart=restart)).run([SEED])
        if not restart:
            first_hits = len(apis.hits)
    assert len(apis.hits) == first_hits


def cli(db_path, *extra):
    from click.testing import CliRunner

    from efficientdl.cli.main import cli as group

    arguments = [
        "--db", str(db_path), "discover", "--seed", SEED, "--source", "openalex", "--source", "semanticscholar",
        "--depth", "2", "--no-cache", "--timeout", "0.5", "--retries", "1", "--min-interval", "0", "--json", *extra,
    ]
    result = CliRunner().invoke(group, arguments, catch_exceptions=False)
    return result.exit_code, json.loads(result.stdout)


def test_cli_resumes_stopped_run(api_env, db_path):
    code, first = cli(db_path, "--max-requests", "9")
    assert first["status"] == "stopped"
    code, second = cli(db_path)
    assert (code, second["status"], second["resumed"]) == (0, "complete", True)


def test_cli_download_option(api_env, db_path, tmp_path):
    code, report = cli(db_path, "--download", str(tmp_path / "pdf"), "--max-papers", "4")
    assert code == 0
    assert report["downloads"]["downloaded"] == len(list((tmp_path / "pdf").glob("*.pdf")))
    assert report["downloads"]["downloaded"] >= 2


def test_killed_cli_resumes(api_env, db_path):
    import subprocess
    import sys
    import time

    _, apis = api_env
    hang = "/openalex/works?filter=cites%3AW1686810756"
    apis.fault(hang, "sleep:20")
    command = [
        sys.executable, "-m", "efficientdl.cli.main", "--db", str(db_path), "discover", "--seed", SEED,
        "--source", "openalex", "--depth", "2", "--no-cache", "--timeout", "30", "--min-interval", "0",
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while not apis.hits_under(hang) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.1)
    assert apis.hits_under(hang), "the CLI never reached the paper the test interrupts"
    process.kill()
    process.wait()
    seed_expansion = "/openalex/works?filter=cites%3AW2194775991"
    seed_pages = len(apis.hits_under(seed_expansion))
    assert seed_pages == 2

    from click.testing import CliRunner

    from efficientdl.cli.main import cli as group

    arguments = ["--db", str(db_path), "discover", "--seed", SEED, "--source", "openalex", "--depth", "2",
                 "--no-cache", "--timeout", "0.5", "--min-interval", "0", "--json"]
    report = json.loads(CliRunner().invoke(group, arguments, catch_exceptions=False).stdout)
    assert (report["status"], report["resumed"]) == ("complete", True)
    assert len(apis.hits_under(seed_expansion)) == seed_pages


def test_stop_during_seeds_resumes_them(api_env, db_path, tmp_path):
    seeds = ["arxiv:1512.03385", "doi:10.1145/3065386"]
    settings = dict(cache_dir=tmp_path / "cache", timeout=0.4, max_retries=0, backoff=0.0, min_interval=0.0)
    for max_requests in (1, None):
        built = [build_source("openalex", SourceSettings(**settings, max_requests=max_requests))]
        with Warehouse(db_path) as wh:
            report = Snowball(wh, built, SnowballSettings(max_depth=0), source_specs=["openalex"]).run(seeds)
    with Warehouse(db_path, read_only=True) as wh:
        stored = wh.execute("SELECT count(*) FROM paper_discovery WHERE direction = 'seed'").fetchone()[0]
    assert report.status == "complete"
    assert stored == 2
