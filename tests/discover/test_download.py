"""PDF downloads: checks on type, size and magic bytes, atomic writes, stored SHA-256."""

from __future__ import annotations

import hashlib

import pytest

from efficientdl.pipeline.download import DownloadError, download_pdf, download_run_pdfs
from efficientdl.pipeline.snowball import Snowball, SnowballSettings
from efficientdl.pipeline.sources import build_source
from efficientdl.pipeline.sources.http import HttpClient
from efficientdl.warehouse.db import Warehouse



def client() -> HttpClient:
    return HttpClient("download", min_interval=0.0, timeout=1.0, max_retries=0)


def test_download_writes_pdf(api_server, tmp_path, pdf_bytes):
    base, _ = api_server
    sha = download_pdf(client(), f"{base}/pdf/1512.03385", tmp_path / "a.pdf")
    assert sha == hashlib.sha256(pdf_bytes).hexdigest()
    assert (tmp_path / "a.pdf").read_bytes() == pdf_bytes


@pytest.mark.parametrize(
    ("name", "message"), [("html", "content type"), ("nomagic", "%PDF-"), ("big", "exceeds the limit")]
)
def test_download_rejects_bad_body(api_server, tmp_path, name, message):
    base, _ = api_server
    with pytest.raises(DownloadError, match=message):
        download_pdf(client(), f"{base}/pdf/{name}", tmp_path / "b.pdf", max_bytes=100_000)
    assert list(tmp_path.iterdir()) == []


def test_download_missing_url(api_server, tmp_path):
    base, _ = api_server
    with pytest.raises(DownloadError, match="HTTP 404"):
        download_pdf(client(), f"{base}/nothing/here.pdf", tmp_path / "c.pdf")


def test_run_pdfs_stored(api_env, fast_settings, db_path, tmp_path, pdf_bytes):
    built = [build_source("openalex", fast_settings)]
    with Warehouse(db_path) as wh:
        report = Snowball(wh, built, SnowballSettings(directions=("references",))).run(["arxiv:1512.03385"])
        counts = download_run_pdfs(wh, report.run_id, client(), tmp_path / "pdf")
        stored = wh.execute("SELECT pdf_path, pdf_sha256 FROM papers WHERE arxiv_id = '1409.1556'").fetchone()
    assert counts.downloaded == 2
    assert stored[1] == hashlib.sha256(pdf_bytes).hexdigest()
    assert stored[0].endswith("-1409.1556.pdf")


def test_run_pdfs_failure_quarantined(api_env, fast_settings, db_path, tmp_path):
    base, apis = api_env
    apis.fault("/pdf/1409.1556", "500")
    built = [build_source("openalex", fast_settings)]
    with Warehouse(db_path) as wh:
        report = Snowball(wh, built, SnowballSettings(directions=("references",))).run(["arxiv:1512.03385"])
        counts = download_run_pdfs(wh, report.run_id, client(), tmp_path / "pdf")
        reason = wh.execute("SELECT reason FROM quarantine WHERE source_key LIKE 'pdf:%'").fetchone()[0]
    assert counts.failed == 1
    assert "HTTP 500" in reason
