"""Google Scholar: title lookup and citing papers ("Cited by"), parsed by ``scholarly``.

Scholar has no API and lists no references, so this source gives forward
steps only. Result pages are parsed with scholarly's own parser
(``_SearchScholarIterator``); pages are fetched by one of two transports:

* :class:`ScholarlyTransport` (the default): the HTTP session of
  scholarly's navigator (its headers and proxy settings) against
  scholar.google.com;
* :class:`HttpScholarTransport`: :class:`HttpClient` against a configurable
  base URL (``$EFFICIENTDL_SCHOLAR_URL``) serving Scholar's HTML.

NOTE: scholarly 1.7 builds every URL on the fixed host
``https://scholar.google.com`` (``Navigator._get_soup``), so it cannot be
pointed at another server. Tests therefore use :class:`HttpScholarTransport`,
and :class:`ScholarlyTransport` is not covered by any test.

Scholar often responds to automated clients with a CAPTCHA. Either transport
raises :class:`SourceBlocked` then; the source stops sending for a backoff
period (doubled on each further block), and the snowball reports the block
and carries on with its other sources.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any, Protocol
from urllib.parse import urlencode

from bs4 import BeautifulSoup

from efficientdl.pipeline.sources.base import PaperRecord, PaperSource, SourceBlocked, SourceError, normalize_arxiv_id
from efficientdl.pipeline.sources.http import HttpClient, RequestBudget
from efficientdl.pipeline.sources.matching import best_title_match

logger = logging.getLogger(__name__)

URL_ENV_VAR = "EFFICIENTDL_SCHOLAR_URL"

#: Markers of Scholar's CAPTCHA and "unusual traffic" pages (ids and classes scholarly 1.7 checks, plus the /sorry/ page).
CAPTCHA_MARKERS = (
    'id="gs_captcha_ccl"',
    'id="recaptcha"',
    'id="captcha-form"',
    'class="rc-doscaptcha-body"',
    "/sorry/index",
    "unusual traffic from your computer network",
)


def raise_if_captcha(html: str) -> None:
    """Raise :class:`SourceBlocked` when ``html`` is a Scholar CAPTCHA or block page."""
    for marker in CAPTCHA_MARKERS:
        if marker in html:
            raise SourceBlocked(f"scholar: Google Scholar responded with a CAPTCHA page (marker {marker!r}); wait before running again")


class ScholarTransport(Protocol):
    def get_soup(self, path: str) -> BeautifulSoup:
        """Return the parsed page at ``path`` (``/scholar?...``)."""

    def stats(self) -> dict[str, int]:
        """Return request counters."""


class HttpScholarTransport:
    """Scholar pages from ``base_url`` through an :class:`HttpClient` (rate limit, retries, cache)."""

    def __init__(self, client: HttpClient, base_url: str) -> None:
        self.client = client
        self.base_url = base_url.rstrip("/")

    def get_soup(self, path: str) -> BeautifulSoup:
        html = self.client.get_text(f"{self.base_url}{path}", check=raise_if_captcha)
        return BeautifulSoup(html.replace("\xa0", " "), "html.parser")

    def stats(self) -> dict[str, int]:
        return self.client.stats()


class ScholarlyTransport:
    """Scholar pages from scholar.google.com through the HTTP session of scholarly's navigator.

    The session carries scholarly's browser headers and any proxy set with
    ``scholarly.use_proxy``. Pages are fetched here rather than through
    ``Navigator._get_page``, because on a CAPTCHA that method starts a
    Selenium web browser for a person to solve it, which a batch run cannot
    do. A CAPTCHA, HTTP 403 or HTTP 429 raises :class:`SourceBlocked`.

    Parameters
    ----------
    timeout : float
        Seconds per request.
    min_interval : float
        Minimum seconds between two pages.
    budget : RequestBudget, optional
        Run-wide request limit.
    """

    HOST = "https://scholar.google.com"

    def __init__(self, *, timeout: float = 10.0, min_interval: float = 5.0, budget: RequestBudget | None = None) -> None:
        from scholarly._navigator import Navigator

        self.navigator = Navigator()
        self.timeout = timeout
        self.min_interval = min_interval
        self.budget = budget or RequestBudget()
        self.requests = 0
        self._last = 0.0

    def get_soup(self, path: str) -> BeautifulSoup:
        import httpx

        self.budget.take()
        delay = self._last + self.min_interval - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        self._last = time.monotonic()
        self.requests += 1

        url = f"{self.HOST}{path}"
        try:
            response = self.navigator._session1.get(url, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise SourceError(f"scholar: GET {url} failed ({type(exc).__name__})") from exc
        if response.status_code in (403, 429):
            raise SourceBlocked(f"scholar: Google Scholar rejected the request (HTTP {response.status_code}); wait before running again")
        if response.status_code != 200:
            raise SourceError(f"scholar: HTTP {response.status_code} at {url}")
        raise_if_captcha(response.text)
        return BeautifulSoup(response.text.replace("\xa0", " "), "html.parser")

    def stats(self) -> dict[str, int]:
        return {"requests": self.requests}


class _ParserNavigator:
    """The two members scholarly's result-page parser uses from its navigator."""

    def __init__(self, transport: ScholarTransport) -> None:
        self.transport = transport
        self.publib = ""

    def _get_soup(self, url: str) -> BeautifulSoup:
        soup = self.transport.get_soup(url)
        node = soup.find("div", id="gs_res_glb")
        self.publib = (node.get("data-sva") if node else None) or ""
        return soup


def publication_to_record(publication: dict[str, Any]) -> PaperRecord | None:
    """Turn a scholarly ``Publication`` dict (a search snippet) into a record; None without a title."""
    bib = publication.get("bib") or {}
    if not bib.get("title"):
        return None
    year = str(bib.get("pub_year") or "")
    urls = [publication.get("pub_url") or "", publication.get("eprint_url") or ""]
    arxiv_id = next((normalize_arxiv_id(u) for u in urls if "arxiv.org" in u), None)
    ids = {"scholar": publication["citedby_url"]} if publication.get("citedby_url") else {}
    return PaperRecord(
        title=bib["title"],
        arxiv_id=arxiv_id,
        year=int(year) if year.isdigit() else None,
        venue=bib.get("venue") if bib.get("venue") not in (None, "NA") else None,
        abstract=bib.get("abstract"),
        url=publication.get("pub_url"),
        pdf_url=publication.get("eprint_url"),
        source="scholar",
        ids=ids,
    )


class ScholarSource(PaperSource):
    """Title lookup and citing papers from Google Scholar.

    Parameters
    ----------
    transport : ScholarTransport, optional
        Default: :class:`HttpScholarTransport` when ``base_url`` or
        ``$EFFICIENTDL_SCHOLAR_URL`` is set (needs ``client``), else
        :class:`ScholarlyTransport`.
    client : HttpClient, optional
        Transport client for a configured base URL.
    base_url : str, optional
        Server that serves Scholar's HTML (tests, mirrors).
    max_citations : int
        Most citing papers read per paper.
    block_backoff : float
        Seconds without requests after a CAPTCHA; doubled on each further block.
    """

    name = "scholar"

    def __init__(
        self,
        transport: ScholarTransport | None = None,
        *,
        client: HttpClient | None = None,
        base_url: str | None = None,
        max_citations: int = 100,
        block_backoff: float = 600.0,
    ) -> None:
        base_url = base_url or os.environ.get(URL_ENV_VAR)
        if transport is None:
            if base_url:
                transport = HttpScholarTransport(client or HttpClient("scholar", min_interval=5.0), base_url)
            else:
                client = client or HttpClient("scholar", min_interval=5.0)
                transport = ScholarlyTransport(timeout=client.timeout, min_interval=client.min_interval, budget=client.budget)
        self.transport = transport
        self.max_citations = max_citations
        self.block_backoff = block_backoff
        self.blocks = 0
        self._blocked_until = 0.0

    def _iterate(self, path: str, limit: int) -> list[PaperRecord]:
        from scholarly.publication_parser import _SearchScholarIterator

        if time.monotonic() < self._blocked_until:
            raise SourceBlocked(f"scholar: blocked by a CAPTCHA; no requests for {self._blocked_until - time.monotonic():.0f} s more")
        records: list[PaperRecord] = []
        try:
            for publication in _SearchScholarIterator(_ParserNavigator(self.transport), path):
                record = publication_to_record(publication)
                if record is not None:
                    records.append(record)
                if len(records) >= limit:
                    break
        except SourceBlocked:
            self.blocks += 1
            wait = self.block_backoff * 2 ** (self.blocks - 1)
            self._blocked_until = time.monotonic() + wait
            logger.warning("scholar: blocked (CAPTCHA); backing off for %.0f s", wait)
            raise
        return records

    def lookup(self, seed: PaperRecord) -> PaperRecord | None:
        if seed.title:
            found = self._iterate("/scholar?" + urlencode({"hl": "en", "q": f'"{seed.title}"'}), 10)
            return best_title_match(seed.title, found)
        if seed.arxiv_id:
            found = self._iterate("/scholar?" + urlencode({"hl": "en", "q": f"arXiv:{seed.arxiv_id}"}), 10)
            return next((r for r in found if r.arxiv_id == seed.arxiv_id), None)
        return None

    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        return []

    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        citedby = paper.ids.get("scholar")
        if not citedby:
            found = self.lookup(paper)
            if found is None or not found.ids.get("scholar"):
                return []
            paper.merge(found)
            citedby = found.ids["scholar"]
        return self._iterate(citedby, self.max_citations)

    def stats(self) -> dict[str, int]:
        return {**self.transport.stats(), "blocks": self.blocks}
