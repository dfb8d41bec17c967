"""Discovery sources behind one interface (:class:`PaperSource`), and a factory from CLI names.

``openalex``, ``semanticscholar`` (or ``s2``), ``scholar`` and ``arxiv`` are
online; ``local:DIR`` reads a folder of PDFs offline. Every online source
reads its base URL from an environment variable (see each module), so tests
and mirrors can point it elsewhere.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from efficientdl.pipeline.sources.base import (
    MalformedResponse,
    NotFound,
    PaperRecord,
    PaperSource,
    RequestBudgetExhausted,
    SourceBlocked,
    SourceError,
)
from efficientdl.pipeline.sources.http import HttpClient, RequestBudget, ResponseCache, default_cache_dir

SOURCE_NAMES = ("openalex", "semanticscholar", "scholar", "arxiv", "local:DIR")


@dataclass
class SourceSettings:
    """Transport settings shared by the sources of one run.

    Parameters
    ----------
    cache_dir : path, optional
        Root of the response and bibliography caches; default
        :func:`default_cache_dir`.
    use_cache : bool
        Read and write the response cache.
    timeout : float
        Seconds per request.
    max_retries : int
        Retries per request.
    backoff : float
        First retry wait in seconds (doubled each retry).
    min_interval : float, optional
        Seconds between two requests to one source; default each source's
        own (OpenAlex 0.2, Semantic Scholar 1.0, arXiv 3.0, Scholar 5.0).
    max_requests : int, optional
        Requests allowed to all sources together in this run.
    max_citations : int
        Citing papers read per paper and source.
    """

    cache_dir: Path | None = None
    use_cache: bool = True
    timeout: float = 20.0
    max_retries: int = 3
    backoff: float = 1.0
    min_interval: float | None = None
    max_requests: int | None = None
    max_citations: int = 100

    def __post_init__(self) -> None:
        self.cache_dir = Path(self.cache_dir) if self.cache_dir else default_cache_dir()
        self.budget = RequestBudget(self.max_requests)

    def client(self, name: str, default_interval: float) -> HttpClient:
        cache = ResponseCache(self.cache_dir / "http" / name) if self.use_cache else None
        interval = default_interval if self.min_interval is None else self.min_interval
        return HttpClient(
            name, min_interval=interval, timeout=self.timeout, max_retries=self.max_retries,
            backoff=self.backoff, cache=cache, budget=self.budget,
        )


def build_source(spec: str, settings: SourceSettings) -> PaperSource:
    """Return the source named by ``spec`` (one of :data:`SOURCE_NAMES`).

    Raises
    ------
    ValueError
        For an unknown name.
    FileNotFoundError
        For ``local:DIR`` when DIR is not a folder.
    """
    from efficientdl.pipeline.sources.arxiv import MIN_INTERVAL, ArxivSource
    from efficientdl.pipeline.sources.local import LocalFolderSource
    from efficientdl.pipeline.sources.openalex import OpenAlexSource
    from efficientdl.pipeline.sources.scholar import ScholarSource
    from efficientdl.pipeline.sources.semanticscholar import SemanticScholarSource

    name = spec.strip()
    if name.startswith("local:"):
        folder = Path(os.path.expanduser(name[len("local:") :]))
        cache = settings.cache_dir / "bibliographies" if settings.use_cache else None
        return LocalFolderSource(folder, cache_dir=cache)
    if name == "openalex":
        return OpenAlexSource(settings.client("openalex", 0.2), max_citations=settings.max_citations)
    if name in ("semanticscholar", "s2"):
        return SemanticScholarSource(settings.client("semanticscholar", 1.0), max_citations=settings.max_citations)
    if name == "arxiv":
        return ArxivSource(settings.client("arxiv", MIN_INTERVAL))
    if name == "scholar":
        return ScholarSource(client=settings.client("scholar", 5.0), max_citations=settings.max_citations)
    raise ValueError(f"unknown source {spec!r}; use one of {', '.join(SOURCE_NAMES)}")


__all__ = [
    "PaperRecord",
    "PaperSource",
    "SourceError",
    "SourceBlocked",
    "NotFound",
    "MalformedResponse",
    "RequestBudgetExhausted",
    "SourceSettings",
    "build_source",
    "SOURCE_NAMES",
]
