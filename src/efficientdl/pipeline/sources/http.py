"""Polite HTTP for the online sources: rate limit, retries with backoff, an on-disk cache.

One :class:`HttpClient` per source keeps a minimum interval between its
requests, retries timeouts, connection errors, HTTP 429 (waiting as long as
``Retry-After`` requests, up to ``max_wait``) and 5xx with exponential backoff,
and stores every 200 response in a :class:`ResponseCache` keyed by URL and
query parameters, so a second run over the same papers sends nothing.
A shared :class:`RequestBudget` stops a whole run after a number of
requests; the run can then resume from its stored frontier.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import logging
import os
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

import requests

from efficientdl.pipeline.sources.base import (
    MalformedResponse,
    NotFound,
    RequestBudgetExhausted,
    SourceBlocked,
    SourceError,
)

logger = logging.getLogger(__name__)

CACHE_ENV_VAR = "EFFICIENTDL_CACHE_DIR"
USER_AGENT = "efficientdl-discovery/0.1 (+https://github.com/efficientdl)"

#: Query parameters and headers that carry credentials: never part of a cache key or a log line.
SECRET_PARAMS = frozenset({"api_key", "x-api-key", "key"})


def default_cache_dir() -> Path:
    """Return ``$EFFICIENTDL_CACHE_DIR``, else ``~/.cache/efficientdl`` when writable, else ``./.cache``."""
    if os.environ.get(CACHE_ENV_VAR):
        return Path(os.environ[CACHE_ENV_VAR])
    home = Path.home() / ".cache" / "efficientdl"
    try:
        home.mkdir(parents=True, exist_ok=True)
        return home
    except OSError:
        return Path(".cache") / "efficientdl"


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as tmp:
            tmp.write(data)
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


class ResponseCache:
    """Bodies of successful GET requests on disk, one JSON file per URL and parameter set.

    Parameters
    ----------
    directory : path-like
        Folder of the cache files (created on first write).
    max_age : float, optional
        Seconds after which a cached response is fetched again. None keeps
        responses forever.
    """

    def __init__(self, directory: str | os.PathLike, *, max_age: float | None = None) -> None:
        self.directory = Path(directory)
        self.max_age = max_age

    @staticmethod
    def key(url: str, params: dict[str, Any] | None = None) -> str:
        public = sorted((k, str(v)) for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS)
        return hashlib.sha256(f"GET {url}?{urlencode(public)}".encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / key[:2] / f"{key}.json"

    def get(self, url: str, params: dict[str, Any] | None = None) -> str | None:
        path = self._path(self.key(url, params))
        if not path.exists():
            return None
        if self.max_age is not None and time.time() - path.stat().st_mtime > self.max_age:
            return None
        try:
            return json.loads(path.read_text(encoding="utf-8"))["body"]
        except (OSError, ValueError, KeyError):
            logger.warning("unreadable cache file %s; fetching again", path)
            return None

    def put(self, url: str, params: dict[str, Any] | None, body: str) -> None:
        public = {k: v for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS}
        record = {"url": url, "params": public, "body": body, "stored_at": time.time()}
        atomic_write_bytes(self._path(self.key(url, params)), json.dumps(record).encode("utf-8"))


class RequestBudget:
    """A maximum number of network requests shared by every client of one run (None: unlimited)."""

    def __init__(self, max_requests: int | None = None) -> None:
        if max_requests is not None and max_requests < 0:
            raise ValueError(f"max_requests must be >= 0, got {max_requests}")
        self.max_requests = max_requests
        self.used = 0
        self._lock = threading.Lock()

    def take(self) -> None:
        with self._lock:
            if self.max_requests is not None and self.used >= self.max_requests:
                raise RequestBudgetExhausted(
                    f"reached the maximum of {self.max_requests} requests; run the same command again to resume"
                )
            self.used += 1


def retry_after_seconds(value: str | None) -> float | None:
    """Return the wait a ``Retry-After`` header requests (seconds or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class HttpClient:
    """GET requests for one source with politeness and resilience.

    Parameters
    ----------
    source : str
        Source name, used in errors and logs.
    min_interval : float
        Minimum seconds between two requests sent by this client.
    timeout : float
        Seconds to wait for a connection and for each read.
    max_retries : int
        Retries after the first attempt for timeouts, connection errors,
        429 and 5xx responses.
    backoff : float
        First retry wait in seconds; doubled on each further retry.
    max_wait : float
        Longest single wait in seconds; a ``Retry-After`` asking for more
        raises :class:`SourceBlocked` instead of sleeping.
    cache : ResponseCache, optional
        Where 200 answers are stored and read back.
    budget : RequestBudget, optional
        Run-wide request limit.
    headers : dict, optional
        Extra request headers (API keys).
    """

    def __init__(
        self,
        source: str,
        *,
        min_interval: float = 1.0,
        timeout: float = 20.0,
        max_retries: int = 3,
        backoff: float = 1.0,
        max_wait: float = 60.0,
        cache: ResponseCache | None = None,
        budget: RequestBudget | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        if min_interval < 0 or timeout <= 0 or max_retries < 0 or backoff < 0:
            raise ValueError("min_interval, backoff and max_retries must be >= 0 and timeout > 0")
        self.source = source
        self.min_interval = min_interval
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_wait = max_wait
        self.cache = cache
        self.budget = budget or RequestBudget()
        self.session = requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.session.headers.update(headers or {})
        self.counters: Counter[str] = Counter()
        self._last_request = 0.0

    def _wait_turn(self) -> None:
        delay = self._last_request + self.min_interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._last_request = time.monotonic()

    def _sleep_before_retry(self, attempt: int, retry_after: float | None, url: str, why: str) -> None:
        wait = self.backoff * (2**attempt) if retry_after is None else retry_after
        if wait > self.max_wait:
            raise SourceBlocked(f"{self.source}: {why} on {url}; the server asks to wait {wait:.0f} s (limit {self.max_wait:.0f} s)")
        self.counters["retries"] += 1
        logger.info("%s: %s on %s; retry %d in %.1f s", self.source, why, url, attempt + 1, wait)
        time.sleep(wait)

    def get_text(
        self, url: str, params: dict[str, Any] | None = None, *, check: Callable[[str], None] | None = None
    ) -> str:
        """Return the body of ``GET url?params``, from the cache when stored.

        ``check`` is called with every fresh 200 body before it is cached;
        an exception it raises propagates and keeps the body out of the cache
        (a CAPTCHA page served with status 200, for instance).

        Raises
        ------
        SourceError
            When every attempt failed (timeout, connection error, 429, 5xx)
            or the server answered another error status.
        SourceBlocked
            When the server asks to wait longer than ``max_wait``.
        RequestBudgetExhausted
            When the run's request budget is used up.
        """
        if self.cache is not None:
            cached = self.cache.get(url, params)
            if cached is not None:
                self.counters["cache_hits"] += 1
                return cached

        last_error = "no attempt"
        for attempt in range(self.max_retries + 1):
            self.budget.take()
            self._wait_turn()
            self.counters["requests"] += 1
            try:
                response = self.session.get(url, params=params, timeout=self.timeout)
            except requests.Timeout:
                last_error = f"timed out after {self.timeout} s"
            except requests.ConnectionError as exc:
                last_error = f"connection failed ({type(exc).__name__})"
            else:
                if response.status_code == 200:
                    body = response.text
                    if check is not None:
                        check(body)
                    if self.cache is not None:
                        self.cache.put(url, params, body)
                    return body
                if response.status_code == 429 or response.status_code >= 500:
                    last_error = f"HTTP {response.status_code}"
                    if attempt < self.max_retries:
                        self._sleep_before_retry(attempt, retry_after_seconds(response.headers.get("Retry-After")), url, last_error)
                        continue
                    if response.status_code == 429:
                        raise SourceBlocked(f"{self.source}: still rate limited (HTTP 429) after {attempt + 1} attempts on {url}")
                    break
                if response.status_code == 404:
                    raise NotFound(f"{self.source}: not found (HTTP 404) at {url}")
                if response.status_code == 403:
                    raise SourceBlocked(f"{self.source}: access denied (HTTP 403) at {url}; check the API key, or wait before running again")
                raise SourceError(f"{self.source}: HTTP {response.status_code} at {url}")

            if attempt < self.max_retries:
                self._sleep_before_retry(attempt, None, url, last_error)
        self.counters["errors"] += 1
        raise SourceError(f"{self.source}: {last_error} at {url} after {self.max_retries + 1} attempts")

    def get_stream(self, url: str) -> requests.Response:
        """Send ``GET url`` for a streamed body (no cache, no retries); the caller closes the response.

        Raises
        ------
        SourceError
            On a timeout or connection error.
        RequestBudgetExhausted
            When the run's request budget is used up.
        """
        self.budget.take()
        self._wait_turn()
        self.counters["requests"] += 1
        try:
            return self.session.get(url, stream=True, timeout=self.timeout)
        except requests.RequestException as exc:
            self.counters["errors"] += 1
            raise SourceError(f"{self.source}: GET {url} failed ({type(exc).__name__})") from exc

    def get_json(self, url: str, params: dict[str, Any] | None = None) -> Any:
        """Return the parsed JSON body of ``GET url?params``.

        Raises
        ------
        MalformedResponse
            When the body is not JSON (the bad body is dropped from the cache).
        """
        text = self.get_text(url, params)
        try:
            return json.loads(text)
        except ValueError as exc:
            if self.cache is not None:
                self.cache._path(self.cache.key(url, params)).unlink(missing_ok=True)
            raise MalformedResponse(f"{self.source}: invalid JSON from {url} ({exc}); first bytes {text[:60]!r}") from exc

    def stats(self) -> dict[str, int]:
        return dict(self.counters)
