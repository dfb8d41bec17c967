"""Prefect flows over the stages, run against a real local Prefect server."""

from __future__ import annotations

import pytest

from efficientdl.warehouse.db import Warehouse


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """Start a real Prefect server on 127.0.0.1 for this module and point the flows at it."""
    from efficientdl.flows.server import prefect_api

    home = tmp_path_factory.mktemp("prefect-home")
    with prefect_api(home) as api:
        yield api


def test_local_server_answers(prefect_server):
    from efficientdl.flows.server import api_is_healthy

    assert prefect_server.started_here
    assert api_is_healthy(prefect_server.url)


def test_ingest_flow_loads_seed_once(prefect_server, db_path):
    from efficientdl.flows.stages import ingest_flow

    first = ingest_flow(str(db_path))
    second = ingest_flow(str(db_path))
    with Warehouse(db_path, read_only=True) as wh:
        rows = wh.count("configurations")
    assert first[0]["loaded"] == rows
    assert second[0]["loaded"] == 0


def test_flow_runs_visible_through_api(prefect_server, db_path):
    from efficientdl.flows.server import list_flow_runs
    from efficientdl.flows.stages import ingest_flow

    ingest_flow(str(db_path))
    runs = list_flow_runs(prefect_server.url)
    assert any(run["flow"] == "ingest" and run["state"] == "COMPLETED" for run in runs)


def test_configured_api_that_is_down_names_fix(monkeypatch, tmp_path):
    from efficientdl.flows.server import PrefectServerError, prefect_api

    monkeypatch.setenv("PREFECT_API_URL", "http://127.0.0.1:9/api")
    with pytest.raises(PrefectServerError, match="unset the variable"):
        with prefect_api(tmp_path):
            pass


def test_deployments_have_cron_schedules(tmp_path):
    from efficientdl.flows.deployments import build_deployments

    deployments = {d.name: d for d in build_deployments(str(tmp_path / "w.duckdb"), str(tmp_path))}
    crons = {name: [s.schedule.cron for s in d.schedules] for name, d in deployments.items() if d.schedules}
    assert crons == {
        "nightly-retraining": ["0 4 * * *"],
        "nightly-extraction": ["0 1 * * *"],
        "weekly-discovery": ["0 3 * * 1"],
    }


def test_extract_flow_with_dask_stores_once(prefect_server, db_path, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_pdf import PdfPages
    import matplotlib.pyplot as plt

    from efficientdl.flows.stages import extract_flow_with_dask

    pdf = tmp_path / "tiny.pdf"
    with PdfPages(pdf) as pages:
        figure = plt.figure(figsize=(8.5, 11))
        figure.text(0.1, 0.9, "All models are trained for 90 epochs with SGD and a batch size of 256.", fontsize=10)
        pages.savefig(figure)
        plt.close(figure)

    flow = extract_flow_with_dask(n_workers=1)
    first = flow(str(db_path), [str(pdf)])
    second = flow(str(db_path), [str(pdf)])
    with Warehouse(db_path, read_only=True) as wh:
        papers = wh.count("papers")
    assert first["extracted"] == 1
    assert second["skipped"] == 1
    assert papers == 1
