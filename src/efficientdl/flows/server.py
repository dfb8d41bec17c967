"""The Prefect API the flows report to: the one at ``PREFECT_API_URL``, or a local one.

When ``PREFECT_API_URL`` is set, :func:`prefect_api` checks that the server
responds and uses it. Otherwise it starts ``prefect server start`` on
127.0.0.1 with its database under ``PREFECT_HOME`` (default ``.prefect/``
beside the warehouse), waits until ``/api/health`` responds, points this
process at it and stops it on exit unless asked to keep it running. Flow
runs stay in that database, so a later server started on the same home
shows them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import requests

logger = logging.getLogger(__name__)

#: Seconds to wait for a freshly started server to pass its health check.
STARTUP_TIMEOUT_S = 120.0


class PrefectServerError(RuntimeError):
    """Raised when no Prefect API can be reached or started."""


@dataclass
class PrefectAPI:
    """A Prefect API endpoint: its URL and, for a server started here, its process."""

    url: str
    started_here: bool
    home: Path | None = None
    process: subprocess.Popen | None = None
    log_path: Path | None = None


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def api_is_healthy(url: str, timeout: float = 2.0) -> bool:
    """Return True when ``url`` (ending in ``/api``) passes its health check."""
    try:
        response = requests.get(f"{url.rstrip('/')}/health", timeout=timeout)
    except requests.RequestException:
        return False
    return response.status_code == 200


def _server_environment(home: Path) -> dict[str, str]:
    environment = dict(os.environ)
    environment.pop("PREFECT_API_URL", None)
    environment.update(
        {
            "PREFECT_HOME": str(home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_UI_ENABLED": "false",
            "PREFECT_LOGGING_LEVEL": "WARNING",
        }
    )
    return environment


def start_local_server(home: Path, *, port: int | None = None, timeout: float = STARTUP_TIMEOUT_S) -> PrefectAPI:
    """Start ``prefect server start`` on 127.0.0.1 and wait until it responds.

    Raises
    ------
    PrefectServerError
        When the server exits or does not respond within ``timeout`` seconds;
        the message names its log file.
    """
    home.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    url = f"http://127.0.0.1:{port}/api"
    log_path = home / "server.log"
    prefect_cli = Path(sys.executable).with_name("prefect")
    command = [str(prefect_cli), "server", "start", "--host", "127.0.0.1", "--port", str(port)]

    logger.info("starting a Prefect server at %s (home %s)", url, home)
    with log_path.open("ab") as log_file:
        process = subprocess.Popen(
            command, stdout=log_file, stderr=subprocess.STDOUT, env=_server_environment(home), start_new_session=True
        )

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise PrefectServerError(f"the Prefect server exited with code {process.returncode}; see {log_path}")
        if api_is_healthy(url):
            return PrefectAPI(url, True, home, process, log_path)
        time.sleep(0.5)
    process.terminate()
    raise PrefectServerError(f"the Prefect server did not respond within {timeout:.0f} s; see {log_path}")


def stop_server(api: PrefectAPI) -> None:
    """Stop a server started by :func:`start_local_server`; other servers are left alone."""
    if not api.started_here or api.process is None or api.process.poll() is not None:
        return
    api.process.terminate()
    try:
        api.process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        api.process.kill()
    logger.info("stopped the Prefect server at %s", api.url)


@contextlib.contextmanager
def prefect_api(home: Path, *, keep_running: bool = False) -> Iterator[PrefectAPI]:
    """Yield the Prefect API to use, starting a local server when none is configured.

    Sets ``PREFECT_API_URL`` in this process for the duration, so flows run
    here report to that server.
    """
    configured = os.environ.get("PREFECT_API_URL")
    if configured:
        if not api_is_healthy(configured, timeout=5.0):
            raise PrefectServerError(
                f"PREFECT_API_URL={configured} does not respond; start that server or unset the variable"
            )
        yield PrefectAPI(configured, False)
        return

    from prefect.settings import PREFECT_API_URL, temporary_settings

    api = start_local_server(home)
    previous_home = os.environ.get("PREFECT_HOME")
    os.environ["PREFECT_API_URL"] = api.url
    os.environ["PREFECT_HOME"] = str(home)
    try:
        # Prefect reads its settings once per process; the environment alone does not
        # redirect a process that imported prefect before the server started.
        with temporary_settings(updates={PREFECT_API_URL: api.url}):
            yield api
    finally:
        _drain_prefect_workers()
        os.environ.pop("PREFECT_API_URL", None)
        if previous_home is None:
            os.environ.pop("PREFECT_HOME", None)
        else:
            os.environ["PREFECT_HOME"] = previous_home
        if not keep_running:
            stop_server(api)


def _drain_prefect_workers() -> None:
    """Send the log and event records still queued in Prefect before the server stops."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        try:
            worker.drain_all(timeout=10)
        except Exception as exc:  # a failed flush must not hide the job's own result
            logger.warning("could not flush Prefect %s: %s", worker.__name__, exc)


def list_flow_runs(url: str, limit: int = 50) -> list[dict]:
    """Return the newest flow runs recorded by the API at ``url`` (name, flow, state)."""
    response = requests.post(
        f"{url.rstrip('/')}/flow_runs/filter", json={"limit": limit, "sort": "START_TIME_DESC"}, timeout=10
    )
    response.raise_for_status()
    runs = response.json()
    flows = requests.post(f"{url.rstrip('/')}/flows/filter", json={"limit": 200}, timeout=10)
    flows.raise_for_status()
    flow_names = {flow["id"]: flow["name"] for flow in flows.json()}
    return [
        {
            "flow": flow_names.get(run["flow_id"], run["flow_id"]),
            "name": run["name"],
            "state": (run.get("state") or {}).get("type"),
            "start_time": run.get("start_time"),
            "id": run["id"],
        }
        for run in runs
    ]
