"""HttpClient: retries, Retry-After, timeouts, the response cache and the request budget."""

from __future__ import annotations

import time

import pytest

from efficientdl.pipeline.sources.base import MalformedResponse, RequestBudgetExhausted, SourceBlocked, SourceError
from efficientdl.pipeline.sources.http import HttpClient, RequestBudget, ResponseCache, retry_after_seconds

WORK = "/openalex/works/W2194775991"


def client(tmp_path, **kwargs) -> HttpClient:
    options = dict(min_interval=0.0, timeout=0.4, max_retries=2, backoff=0.02, cache=ResponseCache(tmp_path / "http"))
    options.update(kwargs)
    return HttpClient("test", **options)


def test_get_retries_after_500(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "500")
    body = client(tmp_path).get_json(base + WORK)
    assert body["display_name"] == "Deep Residual Learning for Image Recognition"
    assert len(apis.hits_under(WORK)) == 2


def test_get_honours_retry_after(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "429:1")
    started = time.monotonic()
    client(tmp_path).get_json(base + WORK)
    assert time.monotonic() - started >= 1.0


def test_retry_after_beyond_max_wait_blocks(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "429:3600")
    with pytest.raises(SourceBlocked):
        client(tmp_path, max_wait=5).get_json(base + WORK)


def test_persistent_500_raises_source_error(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "500", times=3)
    with pytest.raises(SourceError, match="HTTP 500"):
        client(tmp_path).get_json(base + WORK)


def test_timeout_retried_then_succeeds(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "sleep:1.0")
    body = client(tmp_path, timeout=0.3).get_json(base + WORK)
    assert body["publication_year"] == 2016


def test_timeout_every_attempt_raises(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "sleep:0.8", times=2)
    with pytest.raises(SourceError, match="timed out"):
        client(tmp_path, timeout=0.3, max_retries=1).get_json(base + WORK)


def test_cache_answers_second_request(api_server, tmp_path):
    base, apis = api_server
    client(tmp_path).get_json(base + WORK, {"select": "id"})
    again = client(tmp_path)
    again.get_json(base + WORK, {"select": "id"})
    assert len(apis.hits_under(WORK)) == 1
    assert again.stats()["cache_hits"] == 1


def test_cache_key_ignores_api_key():
    with_key = ResponseCache.key("http://x/works", {"filter": "cites:W1", "api_key": "secret"})
    without = ResponseCache.key("http://x/works", {"filter": "cites:W1"})
    assert with_key == without


def test_malformed_json_not_cached(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "malformed")
    with pytest.raises(MalformedResponse):
        client(tmp_path).get_json(base + WORK)
    body = client(tmp_path).get_json(base + WORK)
    assert body["id"].endswith("W2194775991")


def test_budget_stops_requests(api_server, tmp_path):
    base, apis = api_server
    limited = client(tmp_path, cache=None, budget=RequestBudget(1))
    limited.get_json(base + WORK)
    with pytest.raises(RequestBudgetExhausted):
        limited.get_json(base + WORK)


def test_min_interval_spaces_requests(api_server, tmp_path):
    base, _ = api_server
    polite = client(tmp_path, cache=None, min_interval=0.3)
    started = time.monotonic()
    polite.get_text(base + WORK)
    polite.get_text(base + WORK)
    assert time.monotonic() - started >= 0.3


def test_retry_after_http_date():
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_retry_after_seconds_value():
    assert retry_after_seconds("7") == 7.0


def test_forbidden_blocks_source(api_server, tmp_path):
    base, apis = api_server
    apis.fault(WORK, "403")
    with pytest.raises(SourceBlocked, match="HTTP 403"):
        client(tmp_path).get_json(base + WORK)
