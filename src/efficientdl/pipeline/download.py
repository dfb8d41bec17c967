"""Download the PDFs of open papers (arXiv and open-access links) for the discovered papers.

Each file is checked before it is kept: at most ``max_bytes``, a PDF or
generic binary content type, and the ``%PDF-`` magic bytes. It is written
through a temporary file and a rename, so an interrupted download never
leaves a partial PDF, and its SHA-256 and path are stored in
``papers.pdf_sha256`` and ``papers.pdf_path``. Failures go to the quarantine.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from efficientdl.pipeline import discovery_store as store
from efficientdl.pipeline.sources.arxiv import DEFAULT_PDF_URL, PDF_URL_ENV_VAR
from efficientdl.pipeline.sources.base import RequestBudgetExhausted, SourceError
from efficientdl.pipeline.sources.http import HttpClient
from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

#: Maximum PDF size accepted, in bytes.
MAX_BYTES = 50 * 1024 * 1024
ACCEPTED_TYPES = ("application/pdf", "application/octet-stream", "binary/octet-stream", "application/x-pdf")


class DownloadError(SourceError):
    """A PDF could not be fetched or is not a PDF."""


@dataclass
class DownloadCounts:
    downloaded: int = 0
    present: int = 0
    failed: int = 0
    skipped: int = 0


def pdf_file_name(title: str | None, arxiv_id: str | None, paper_id: str) -> str:
    """Return ``<title-slug>-<arxiv id or paper id>.pdf``.

    >>> pdf_file_name("Deep Residual Learning for Image Recognition", "1512.03385", "x")
    'deep-residual-learning-for-image-1512.03385.pdf'
    """
    slug = "-".join(re.sub(r"[^a-z0-9]+", " ", (title or "").lower()).split()[:5]) or "paper"
    return f"{slug}-{(arxiv_id or paper_id).replace('/', '_')}.pdf"


def download_pdf(client: HttpClient, url: str, dest: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Fetch ``url`` into ``dest`` atomically and return the file's SHA-256.

    Raises
    ------
    DownloadError
        On an HTTP error, a wrong content type, a body larger than
        ``max_bytes`` or without the ``%PDF-`` magic bytes.
    """
    try:
        response = client.get_stream(url)
    except SourceError as exc:
        raise DownloadError(f"download of {url} failed: {exc}") from exc

    with response:
        if response.status_code != 200:
            raise DownloadError(f"download of {url} failed: HTTP {response.status_code}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and content_type not in ACCEPTED_TYPES:
            raise DownloadError(f"download of {url}: content type {content_type!r} is not a PDF")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > max_bytes:
            raise DownloadError(f"download of {url}: {int(declared)} bytes exceeds the limit of {max_bytes}")

        dest.parent.mkdir(parents=True, exist_ok=True)
        handle, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
        digest = hashlib.sha256()
        size = 0
        try:
            with os.fdopen(handle, "wb") as tmp:
                for chunk in response.iter_content(64 * 1024):
                    if size == 0 and not chunk.startswith(b"%PDF-"):
                        raise DownloadError(f"download of {url}: the body does not start with %PDF- (got {chunk[:8]!r})")
                    size += len(chunk)
                    if size > max_bytes:
                        raise DownloadError(f"download of {url}: more than {max_bytes} bytes; stopped")
                    digest.update(chunk)
                    tmp.write(chunk)
            if size == 0:
                raise DownloadError(f"download of {url}: empty body")
            os.replace(tmp_name, dest)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    logger.info("downloaded %s (%d bytes) to %s", url, size, dest)
    return digest.hexdigest()


def download_run_pdfs(
    wh: Warehouse, run_id: str, client: HttpClient, directory: str | Path, *, max_bytes: int = MAX_BYTES,
    pdf_base_url: str | None = None,
) -> DownloadCounts:
    """Download the PDFs of the relevant papers ``run_id`` reached that have an open copy."""
    directory = Path(directory)
    pdf_base = (pdf_base_url or os.environ.get(PDF_URL_ENV_VAR) or DEFAULT_PDF_URL).rstrip("/")
    rows = wh.con.execute(
        "SELECT p.paper_id, p.title, p.arxiv_id, p.pdf_url, p.pdf_path, p.pdf_sha256 FROM papers p "
        "JOIN paper_discovery d ON d.paper_id = p.paper_id WHERE d.run_id = ? AND d.relevant ORDER BY d.depth, p.paper_id",
        [run_id],
    ).fetchall()

    counts = DownloadCounts()
    for paper_id, title, arxiv_id, pdf_url, pdf_path, pdf_sha256 in rows:
        if pdf_path and pdf_sha256 and Path(pdf_path).is_file():
            counts.present += 1
            continue
        url = f"{pdf_base}/{arxiv_id}" if arxiv_id else pdf_url
        if not url:
            counts.skipped += 1
            continue
        dest = directory / pdf_file_name(title, arxiv_id, paper_id)
        try:
            sha256 = download_pdf(client, url, dest, max_bytes=max_bytes)
        except RequestBudgetExhausted:
            raise
        except DownloadError as exc:
            counts.failed += 1
            logger.warning("%s", exc)
            store.quarantine(wh, f"pdf:{paper_id}", str(exc), {"url": url, "paper_id": paper_id})
            continue
        wh.con.execute(
            "UPDATE papers SET pdf_path = ?, pdf_sha256 = ?, updated_at = current_timestamp WHERE paper_id = ?",
            [str(dest.resolve()), sha256, paper_id],
        )
        counts.downloaded += 1
    return counts
