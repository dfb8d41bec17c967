"""arXiv export API: metadata (Atom XML) and PDF links; arXiv lists no references or citations.

Requests go to ``$EFFICIENTDL_ARXIV_URL`` (default
``https://export.arxiv.org/api/query``); PDF links are built on
``$EFFICIENTDL_ARXIV_PDF_URL`` (default ``https://arxiv.org/pdf``). arXiv's API
terms request 3 seconds between requests, which is the default interval here.
"""

from __future__ import annotations

import logging
import os
import xml.etree.ElementTree as ET

from efficientdl.pipeline.sources.base import MalformedResponse, PaperRecord, PaperSource, normalize_arxiv_id
from efficientdl.pipeline.sources.http import HttpClient
from efficientdl.pipeline.sources.matching import best_title_match

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://export.arxiv.org/api/query"
DEFAULT_PDF_URL = "https://arxiv.org/pdf"
URL_ENV_VAR = "EFFICIENTDL_ARXIV_URL"
PDF_URL_ENV_VAR = "EFFICIENTDL_ARXIV_PDF_URL"

#: Seconds between two requests that arXiv's API terms ask for.
MIN_INTERVAL = 3.0

_NS = {"atom": "http://www.w3.org/2005/Atom", "arxiv": "http://arxiv.org/schemas/atom"}


def parse_feed(text: str, pdf_base: str = DEFAULT_PDF_URL) -> list[PaperRecord]:
    """Return the entries of an arXiv API Atom feed as records.

    Raises
    ------
    MalformedResponse
        When ``text`` is not XML.
    """
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise MalformedResponse(f"arxiv: the response is not Atom XML ({exc}); first bytes {text[:60]!r}") from exc

    records = []
    for entry in root.findall("atom:entry", _NS):
        arxiv_id = normalize_arxiv_id(entry.findtext("atom:id", default="", namespaces=_NS))
        title = entry.findtext("atom:title", default="", namespaces=_NS)
        if not arxiv_id or not title.strip() or title.strip() == "Error":
            continue
        published = entry.findtext("atom:published", default="", namespaces=_NS)
        records.append(
            PaperRecord(
                title=title,
                arxiv_id=arxiv_id,
                doi=entry.findtext("arxiv:doi", default=None, namespaces=_NS),
                year=int(published[:4]) if published[:4].isdigit() else None,
                venue=entry.findtext("arxiv:journal_ref", default=None, namespaces=_NS),
                abstract=" ".join(entry.findtext("atom:summary", default="", namespaces=_NS).split()) or None,
                url=f"https://arxiv.org/abs/{arxiv_id}",
                pdf_url=f"{pdf_base.rstrip('/')}/{arxiv_id}",
                source="arxiv",
                ids={"arxiv": arxiv_id},
            )
        )
    return records


class ArxivSource(PaperSource):
    """Paper metadata and PDF links from the arXiv export API.

    Parameters
    ----------
    client : HttpClient
        Transport; give it ``min_interval=MIN_INTERVAL`` for the public API.
    base_url, pdf_base_url : str, optional
        API endpoint and PDF root; default the environment variables or arXiv.
    """

    name = "arxiv"

    def __init__(self, client: HttpClient, *, base_url: str | None = None, pdf_base_url: str | None = None) -> None:
        self.client = client
        self.base_url = base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL
        self.pdf_base_url = (pdf_base_url or os.environ.get(PDF_URL_ENV_VAR) or DEFAULT_PDF_URL).rstrip("/")

    def lookup(self, seed: PaperRecord) -> PaperRecord | None:
        if seed.arxiv_id:
            text = self.client.get_text(self.base_url, {"id_list": seed.arxiv_id, "max_results": 1})
            found = [r for r in parse_feed(text, self.pdf_base_url) if r.arxiv_id == seed.arxiv_id]
            return found[0] if found else None
        if not seed.norm_title:
            return None
        query = " AND ".join(f"ti:{word}" for word in seed.norm_title.split()[:12])
        text = self.client.get_text(self.base_url, {"search_query": query, "max_results": 5})
        return best_title_match(seed.title, parse_feed(text, self.pdf_base_url))

    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        return []

    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        return []

    def pdf_url(self, paper: PaperRecord) -> str | None:
        return f"{self.pdf_base_url}/{paper.arxiv_id}" if paper.arxiv_id else paper.pdf_url

    def stats(self) -> dict[str, int]:
        return self.client.stats()
