"""OpenAlex works: backward steps from ``referenced_works``, forward steps from the ``cites:`` filter.

Requests go to ``$EFFICIENTDL_OPENALEX_URL`` (default
``https://api.openalex.org``) with ``mailto`` from ``$OPENALEX_MAILTO`` (the
polite pool) and ``api_key`` from ``$OPENALEX_API_KEY`` when set. Lists are
read with cursor pagination (``cursor=*`` then ``meta.next_cursor``).
"""

from __future__ import annotations

import logging
import os
from typing import Any

from efficientdl.pipeline.sources.base import (
    MalformedResponse,
    NotFound,
    PaperRecord,
    PaperSource,
    normalize_arxiv_id,
)
from efficientdl.pipeline.sources.http import HttpClient
from efficientdl.pipeline.sources.matching import best_title_match

logger = logging.getLogger(__name__)

DEFAULT_URL = "https://api.openalex.org"
URL_ENV_VAR = "EFFICIENTDL_OPENALEX_URL"

#: OpenAlex accepts at most this many values OR-ed in one filter and this many results per page.
MAX_IDS_PER_FILTER = 50
PER_PAGE = 100

_SELECT = "id,doi,display_name,title,publication_year,primary_location,locations,best_oa_location,abstract_inverted_index,referenced_works,ids"


def abstract_from_inverted_index(index: dict[str, list[int]] | None) -> str | None:
    """Return the abstract text of an OpenAlex ``abstract_inverted_index`` (word to positions).

    >>> abstract_from_inverted_index({"deep": [0], "residual": [1], "nets": [2]})
    'deep residual nets'
    """
    if not index:
        return None
    positions = [(pos, word) for word, spots in index.items() for pos in spots]
    return " ".join(word for _, word in sorted(positions))


def short_id(openalex_id: str) -> str:
    """Return ``W123`` from ``https://openalex.org/W123`` (or ``W123`` itself)."""
    return openalex_id.rstrip("/").rsplit("/", 1)[-1]


def work_to_record(work: dict[str, Any]) -> PaperRecord:
    """Turn one OpenAlex work object into a :class:`PaperRecord`.

    Raises
    ------
    MalformedResponse
        When the work has no ``id``.
    """
    if not isinstance(work, dict) or not work.get("id"):
        raise MalformedResponse(f"openalex: a work without an id: {str(work)[:120]!r}")

    arxiv_id = None
    pdf_url = None
    for location in [work.get("primary_location")] + list(work.get("locations") or []):
        if not location:
            continue
        landing = location.get("landing_page_url") or ""
        if "arxiv.org" in landing and not arxiv_id:
            arxiv_id = normalize_arxiv_id(landing)
    best = work.get("best_oa_location") or {}
    pdf_url = best.get("pdf_url")
    source = ((work.get("primary_location") or {}).get("source") or {})

    return PaperRecord(
        title=work.get("display_name") or work.get("title"),
        arxiv_id=arxiv_id,
        doi=work.get("doi"),
        year=work.get("publication_year"),
        venue=source.get("display_name"),
        abstract=abstract_from_inverted_index(work.get("abstract_inverted_index")),
        url=work.get("id"),
        pdf_url=pdf_url,
        source="openalex",
        ids={"openalex": short_id(work["id"])},
    )


class OpenAlexSource(PaperSource):
    """Papers, references and citing papers from the OpenAlex API.

    Parameters
    ----------
    client : HttpClient
        Transport (rate limit, retries, cache).
    base_url : str, optional
        API root; default ``$EFFICIENTDL_OPENALEX_URL`` or the public API.
    mailto, api_key : str, optional
        Default ``$OPENALEX_MAILTO`` and ``$OPENALEX_API_KEY``.
    max_citations : int
        Most citing works read per paper (most cited first).
    """

    name = "openalex"

    def __init__(
        self,
        client: HttpClient,
        *,
        base_url: str | None = None,
        mailto: str | None = None,
        api_key: str | None = None,
        max_citations: int = 100,
    ) -> None:
        self.client = client
        self.base_url = (base_url or os.environ.get(URL_ENV_VAR) or DEFAULT_URL).rstrip("/")
        self.mailto = mailto or os.environ.get("OPENALEX_MAILTO")
        self.api_key = api_key or os.environ.get("OPENALEX_API_KEY")
        self.max_citations = max_citations
        self._references: dict[str, list[str]] = {}

    def _params(self, **params: Any) -> dict[str, Any]:
        if self.mailto:
            params["mailto"] = self.mailto
        if self.api_key:
            params["api_key"] = self.api_key
        return params

    def _work(self, key: str) -> dict[str, Any] | None:
        try:
            return self.client.get_json(f"{self.base_url}/works/{key}", self._params(select=_SELECT))
        except NotFound:
            return None

    def _remember(self, work: dict[str, Any]) -> PaperRecord:
        record = work_to_record(work)
        self._references[record.ids["openalex"]] = [short_id(w) for w in work.get("referenced_works") or []]
        return record

    def lookup(self, seed: PaperRecord) -> PaperRecord | None:
        if seed.ids.get("openalex"):
            work = self._work(seed.ids["openalex"])
            if work:
                return self._remember(work)
        keys = []
        if seed.doi:
            keys.append(f"doi:{seed.doi}")
        if seed.arxiv_id:
            keys.append(f"doi:10.48550/arxiv.{seed.arxiv_id}")
        for key in keys:
            work = self._work(key)
            if work:
                return self._remember(work)
        if not seed.norm_title:
            return None

        page = self.client.get_json(
            f"{self.base_url}/works",
            self._params(filter=f"title.search:{seed.norm_title}", select=_SELECT, **{"per-page": 10}),
        )
        candidates = [self._remember(work) for work in _results(page)]
        return best_title_match(seed.title, candidates)

    def _own_id(self, paper: PaperRecord) -> str | None:
        if paper.ids.get("openalex"):
            return paper.ids["openalex"]
        found = self.lookup(paper)
        if found is None:
            return None
        paper.merge(found)
        return found.ids["openalex"]

    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        work_id = self._own_id(paper)
        if work_id is None:
            return []
        if work_id not in self._references:
            work = self._work(work_id)
            if work is None:
                return []
            self._remember(work)

        referenced = self._references[work_id]
        records: list[PaperRecord] = []
        for start in range(0, len(referenced), MAX_IDS_PER_FILTER):
            batch = referenced[start : start + MAX_IDS_PER_FILTER]
            page = self.client.get_json(
                f"{self.base_url}/works",
                self._params(filter="openalex:" + "|".join(batch), select=_SELECT, **{"per-page": PER_PAGE}),
            )
            records.extend(self._remember(work) for work in _results(page))
        return records

    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        work_id = self._own_id(paper)
        if work_id is None:
            return []

        records: list[PaperRecord] = []
        cursor = "*"
        while cursor and len(records) < self.max_citations:
            page = self.client.get_json(
                f"{self.base_url}/works",
                self._params(
                    filter=f"cites:{work_id}",
                    sort="cited_by_count:desc",
                    select=_SELECT,
                    cursor=cursor,
                    **{"per-page": min(PER_PAGE, self.max_citations)},
                ),
            )
            results = _results(page)
            if not results:
                break
            records.extend(self._remember(work) for work in results)
            cursor = (page.get("meta") or {}).get("next_cursor")
        return records[: self.max_citations]

    def stats(self) -> dict[str, int]:
        return self.client.stats()


def _results(page: Any) -> list[dict[str, Any]]:
    if not isinstance(page, dict) or not isinstance(page.get("results"), list):
        raise MalformedResponse(f"openalex: expected an object with a 'results' list, got {str(page)[:120]!r}")
    return page["results"]


__all__ = ["OpenAlexSource", "work_to_record", "abstract_from_inverted_index"]
