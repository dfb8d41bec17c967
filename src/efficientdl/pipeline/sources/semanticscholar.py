"""Semantic Scholar Graph API: paper lookup, ``/references`` and ``/citations`` with offset pagination.

Requests go to ``$EFFICIENTDL_S2_URL`` (default
``https://api.semanticscholar.org/graph/v1``); the ``x-api-key`` header is
sent when ``$S2_API_KEY`` is set. A list page is
``{"offset": 0, "next": 100, "data": [{"citedPaper": {...}}]}``; the last
page has no ``next``.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from efficientdl.pipeline.sources.base import MalformedResponse, NotFound, PaperRecord, PaperSource
from efficientdl.pipeline.sources.http import HttpClient
from efficientdl.pipeline.sources.matching import best_title_match

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.semanticscholar.org/graph/v1"
URL_ENV_VAR = "EFFICIENTDL_S2_URL"
FIELDS = "paperId,title,externalIds,year,venue,abstract,openAccessPdf,url"

#: The Graph API returns at most 1000 references or citations per page.
PAGE_LIMIT = 100


def paper_to_record(paper: dict[str, Any]) -> PaperRecord | None:
    """Turn one Graph API paper object into a :class:`PaperRecord`; None for an empty stub.

    References to works Semantic Scholar could not resolve come back as
    ``{"paperId": null, "title": ...}``; they keep their title but get no id.
    """
    if not isinstance(paper, dict):
        raise MalformedResponse(f"semanticscholar: expected a paper object, got {str(paper)[:120]!r}")
    external = paper.get("externalIds") or {}
    record = PaperRecord(
        title=paper.get("title"),
        arxiv_id=external.get("ArXiv"),
        doi=external.get("DOI"),
        year=paper.get("year"),
        venue=paper.get("venue") or None,
        abstract=paper.get("abstract"),
        url=paper.get("url"),
        pdf_url=(paper.get("openAccessPdf") or {}).get("url") or None,
        source="semanticscholar",
        ids={"semanticscholar": paper["paperId"]} if paper.get("paperId") else {},
    )
    return record if record.has_identity else None


class SemanticScholarSource(PaperSource):
    """Papers, references and citing papers from the Semantic Scholar Graph API.

    Parameters
    ----------
    client : HttpClient
        Transport (rate limit, retries, cache).
    base_url : str, optional
        API root; default ``$EFFICIENTDL_S2_URL`` or the public API.
    api_key : str, optional
        Default ``$S2_API_KEY``; sent as the ``x-api-key`` header.
    max_citations : int
        Most citing papers read per paper.
    max_references : int
        Most references read per paper.
    """

    name = "semanticscholar"

    def __init__(
        self,
        client: HttpClient,
        *,
        base_url: str | None = None,
        api_key: str | None = None,
        max_citations: int = 100,
        max_references: int = 500,
    ) -> None:
        self.client = client
        self.base_url = (base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL).rstrip("/")
        api_key = api_key or os.environ.get("S2_API_KEY")
        if api_key:
            self.client.session.headers["x-api-key"] = api_key
        self.max_citations = max_citations
        self.max_references = max_references

    def _paper(self, key: str) -> PaperRecord | None:
        try:
            body = self.client.get_json(f"{self.base_url}/paper/{key}", {"fields": FIELDS})
        except NotFound:
            return None
        return paper_to_record(body)

    def lookup(self, seed: PaperRecord) -> PaperRecord | None:
        keys = []
        if seed.ids.get("semanticscholar"):
            keys.append(seed.ids["semanticscholar"])
        if seed.arxiv_id:
            keys.append(f"arXiv:{seed.arxiv_id}")
        if seed.doi:
            keys.append(f"DOI:{seed.doi}")
        for key in keys:
            found = self._paper(key)
            if found is not None:
                return found
        if not seed.norm_title:
            return None

        body = self.client.get_json(
            f"{self.base_url}/paper/search", {"query": seed.norm_title, "limit": 5, "fields": FIELDS}
        )
        if not isinstance(body, dict):
            raise MalformedResponse(f"semanticscholar: expected a search result object, got {str(body)[:120]!r}")
        candidates = [r for r in (paper_to_record(p) for p in body.get("data") or []) if r is not None]
        return best_title_match(seed.title, candidates)

    def _own_id(self, paper: PaperRecord) -> str | None:
        if paper.ids.get("semanticscholar"):
            return paper.ids["semanticscholar"]
        found = self.lookup(paper)
        if found is None or not found.ids.get("semanticscholar"):
            return None
        paper.merge(found)
        return found.ids["semanticscholar"]

    def _pages(self, paper: PaperRecord, endpoint: str, key: str, maximum: int) -> list[PaperRecord]:
        paper_id = self._own_id(paper)
        if paper_id is None:
            return []

        records: list[PaperRecord] = []
        offset: int | None = 0
        while offset is not None and offset < maximum:
            body = self.client.get_json(
                f"{self.base_url}/paper/{paper_id}/{endpoint}",
                {"fields": FIELDS, "offset": offset, "limit": min(PAGE_LIMIT, maximum)},
            )
            if not isinstance(body, dict) or not isinstance(body.get("data", []), list):
                raise MalformedResponse(f"semanticscholar: expected an object with a 'data' list from /{endpoint}, got {str(body)[:120]!r}")
            for item in body.get("data") or []:
                record = paper_to_record((item or {}).get(key) or {})
                if record is not None:
                    records.append(record)
            next_offset = body.get("next")
            offset = int(next_offset) if next_offset is not None and int(next_offset) > offset else None
        return records[:maximum]

    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        return self._pages(paper, "references", "citedPaper", self.max_references)

    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        return self._pages(paper, "citations", "citingPaper", self.max_citations)

    def stats(self) -> dict[str, int]:
        return self.client.stats()
