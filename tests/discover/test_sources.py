"""Each online source alone against the fake APIs: lookups, pagination, parsing, blocks."""

from __future__ import annotations

import pytest

from efficientdl.pipeline.sources import build_source
from efficientdl.pipeline.sources.base import PaperRecord, SourceBlocked
from efficientdl.pipeline.sources.openalex import abstract_from_inverted_index

RESNET = PaperRecord(arxiv_id="1512.03385")


def test_openalex_lookup_by_arxiv(api_env, fast_settings):
    found = build_source("openalex", fast_settings).lookup(RESNET)
    assert found.ids["openalex"] == "W2194775991"
    assert found.doi == "10.1109/cvpr.2016.90"
    assert found.arxiv_id == "1512.03385"


def test_openalex_abstract_rebuilt(api_env, fast_settings):
    found = build_source("openalex", fast_settings).lookup(RESNET)
    assert found.abstract.startswith("Deeper neural networks are more difficult to train.")


def test_openalex_references_batch(api_env, fast_settings):
    source = build_source("openalex", fast_settings)
    titles = sorted(r.title for r in source.references(source.lookup(RESNET)))
    assert titles == [
        "ImageNet classification with deep convolutional neural networks",
        "Soil moisture retrieval from satellite radar backscatter",
        "Very Deep Convolutional Networks for Large-Scale Image Recognition",
    ]


def test_openalex_citations_follow_cursor(api_env, fast_settings):
    _, apis = api_env
    source = build_source("openalex", fast_settings)
    citing = source.citations(source.lookup(RESNET))
    assert sorted(r.arxiv_id for r in citing) == ["1608.06993", "1709.01507"]
    assert sum("cursor=1" in hit for hit in apis.hits) == 1


def test_openalex_unknown_paper_returns_none(api_env, fast_settings):
    assert build_source("openalex", fast_settings).lookup(PaperRecord(arxiv_id="2999.00001")) is None


def test_s2_references_follow_offsets(api_env, fast_settings):
    _, apis = api_env
    refs = build_source("semanticscholar", fast_settings).references(RESNET)
    assert [r.arxiv_id for r in refs] == ["1409.1556", None, "1502.03167"]
    assert sum("/references" in hit and "offset=2" in hit for hit in apis.hits) == 1


def test_s2_citations(api_env, fast_settings):
    citing = build_source("s2", fast_settings).citations(RESNET)
    assert [r.arxiv_id for r in citing] == ["1709.01507", "1801.04381"]


def test_s2_api_key_header(api_env, fast_settings, monkeypatch):
    monkeypatch.setenv("S2_API_KEY", "k-123")
    source = build_source("semanticscholar", fast_settings)
    assert source.client.session.headers["x-api-key"] == "k-123"


def test_arxiv_lookup_parses_atom(api_env, fast_settings):
    found = build_source("arxiv", fast_settings).lookup(RESNET)
    assert found.title == "Deep Residual Learning for Image Recognition"
    assert found.year == 2015
    assert found.pdf_url.endswith("/pdf/1512.03385")


def test_arxiv_unknown_id_returns_none(api_env, fast_settings):
    assert build_source("arxiv", fast_settings).lookup(PaperRecord(arxiv_id="2999.00001")) is None


def test_scholar_lookup_by_title(api_env, fast_settings):
    found = build_source("scholar", fast_settings).lookup(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    assert found.ids["scholar"].startswith("/scholar?cites=9281510746729853742")
    assert found.pdf_url == "https://arxiv.org/pdf/1512.03385"


def test_scholar_citations(api_env, fast_settings):
    citing = build_source("scholar", fast_settings).citations(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    assert [r.arxiv_id for r in citing] == ["1905.11946", "1709.01507"]


def test_scholar_captcha_blocks_and_backs_off(api_env, fast_settings):
    _, apis = api_env
    apis.fault("/scholar", "captcha")
    source = build_source("scholar", fast_settings)
    with pytest.raises(SourceBlocked, match="CAPTCHA"):
        source.lookup(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    with pytest.raises(SourceBlocked, match="no requests"):
        source.lookup(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    assert len(apis.hits_under("/scholar")) == 1


def test_scholar_captcha_not_cached(api_env, fast_settings):
    _, apis = api_env
    apis.fault("/scholar", "captcha")
    with pytest.raises(SourceBlocked):
        build_source("scholar", fast_settings).lookup(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    found = build_source("scholar", fast_settings).lookup(PaperRecord(title="Deep Residual Learning for Image Recognition"))
    assert found is not None


def test_unknown_source_name(fast_settings):
    with pytest.raises(ValueError, match="unknown source"):
        build_source("crossref", fast_settings)


def test_abstract_inverted_index_order():
    assert abstract_from_inverted_index({"b": [1], "a": [0, 2]}) == "a b a"


def test_openalex_key_sent_not_cached(api_env, fast_settings, monkeypatch):
    _, apis = api_env
    monkeypatch.setenv("OPENALEX_API_KEY", "secret-key-1")
    monkeypatch.setenv("OPENALEX_MAILTO", "curator@example.org")
    build_source("openalex", fast_settings).lookup(RESNET)
    assert "api_key=secret-key-1" in apis.hits[0]
    assert "mailto=curator%40example.org" in apis.hits[0]
    cached = [p.read_text() for p in (fast_settings.cache_dir / "http" / "openalex").rglob("*.json")]
    assert cached
    assert not any("secret-key-1" in text for text in cached)
