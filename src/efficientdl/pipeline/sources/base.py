"""The record every discovery source returns, identifier normalisers and the source interface.

A :class:`PaperRecord` is one paper as a source reports it. It carries the
identifiers that let the snowball merge reports of the same paper from
different sources (arXiv id, DOI, normalised title), and each source's own
key for the paper (``ids``), which that source needs to request references
and citations later.

Examples
--------
>>> normalize_arxiv_id("arXiv:1512.03385v2")
'1512.03385'
>>> normalize_doi("https://doi.org/10.1109/CVPR.2016.90")
'10.1109/cvpr.2016.90'
>>> normalize_title("Deep Residual Learning for Image Recognition.")
'deep residual learning for image recognition'
"""

from __future__ import annotations

import abc
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from typing import Any

from efficientdl.warehouse.db import stable_id

_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d])")
_ARXIV_OLD = re.compile(r"\b([a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b")
_DOI = re.compile(r"\b(10\.\d{4,9}/[^\s\"<>]+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)


class SourceError(RuntimeError):
    """A request to a source failed after its retries."""


class NotFound(SourceError):
    """The source has no record at the requested address (HTTP 404)."""


class SourceBlocked(SourceError):
    """The source refuses further requests for now (CAPTCHA, rate limit beyond the wait allowed)."""


class MalformedResponse(SourceError):
    """The response body does not have the documented shape."""


class RequestBudgetExhausted(RuntimeError):
    """The run reached its maximum number of network requests; it stops and can resume later."""


def normalize_arxiv_id(text: str | None) -> str | None:
    """Return the arXiv id in ``text`` without version (``1512.03385``, ``cs/0112017``), or None."""
    if not text:
        return None
    match = _ARXIV_NEW.search(text)
    if match:
        return match.group(1)
    match = _ARXIV_OLD.search(text)
    return match.group(1) if match else None


def normalize_doi(text: str | None) -> str | None:
    """Return the lower-case DOI in ``text`` (URL prefixes and trailing punctuation removed), or None."""
    if not text:
        return None
    match = _DOI.search(text)
    if not match:
        return None
    return match.group(1).rstrip(".,;)]").lower()


def arxiv_id_from_doi(doi: str | None) -> str | None:
    """Return the arXiv id of an arXiv DOI (``10.48550/arXiv.1512.03385``), or None."""
    match = _ARXIV_DOI.match(doi or "")
    return normalize_arxiv_id(match.group(1)) if match else None


def normalize_title(text: str | None) -> str:
    """Return ``text`` folded for comparison: NFKC, lower case, hyphens joined, other punctuation spaced."""
    if not text:
        return ""
    text = unicodedata.normalize("NFKC", text).lower()
    text = re.sub(r"-\s*\n\s*", "", text)
    text = text.replace("-", "")
    text = re.sub(r"[^0-9a-z]+", " ", text)
    return " ".join(text.split())


def paper_id_for(arxiv_id: str | None, doi: str | None, title: str | None, pdf_sha256: str | None = None) -> str:
    """Return the warehouse id of a new paper from its strongest identifier.

    The forms are those the PDF extraction stage uses too (``arxiv:ID``,
    ``sha256:<16 hex>``), so both stages write one row per paper: an arXiv
    id wins, then a DOI, then the PDF's SHA-256, then the normalised title.
    A paper first met by title keeps that id when it is met again by arXiv
    id, because the snowball looks stored papers up before minting an id.

    >>> paper_id_for("1512.03385", "10.1109/cvpr.2016.90", "Deep Residual Learning")
    'arxiv:1512.03385'
    >>> paper_id_for(None, "10.1145/3065386", None)
    'doi:10.1145/3065386'

    Raises
    ------
    ValueError
        When the paper has no identifier at all.
    """
    if arxiv_id:
        return f"arxiv:{arxiv_id}"
    if doi:
        return f"doi:{doi}"
    if pdf_sha256:
        return f"sha256:{pdf_sha256[:16]}"
    norm = normalize_title(title)
    if not norm:
        raise ValueError("a paper needs an arXiv id, a DOI, a PDF or a title to get an id")
    return f"title:{stable_id(norm)}"


@dataclass
class PaperRecord:
    """One paper as a source reports it.

    ``ids`` maps a source name to that source's own key for the paper
    (OpenAlex work id, Semantic Scholar paperId, Scholar cited-by URL, local
    PDF SHA-256).
    """

    title: str | None = None
    arxiv_id: str | None = None
    doi: str | None = None
    year: int | None = None
    venue: str | None = None
    abstract: str | None = None
    url: str | None = None
    pdf_url: str | None = None
    pdf_path: str | None = None
    pdf_sha256: str | None = None
    source: str | None = None
    ids: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.doi = normalize_doi(self.doi)
        self.arxiv_id = normalize_arxiv_id(self.arxiv_id) or arxiv_id_from_doi(self.doi)
        if self.title:
            self.title = " ".join(self.title.split())

    @property
    def norm_title(self) -> str:
        return normalize_title(self.title)

    @property
    def has_identity(self) -> bool:
        return bool(self.arxiv_id or self.doi or self.norm_title)

    def label(self) -> str:
        """Return a short human label: ``arxiv:ID``, ``doi:DOI`` or the title."""
        if self.arxiv_id:
            return f"arxiv:{self.arxiv_id}"
        if self.doi:
            return f"doi:{self.doi}"
        return (self.title or "?")[:80]

    def merge(self, other: "PaperRecord") -> "PaperRecord":
        """Fill this record's missing fields from ``other`` and add its ids; return self."""
        for name in ("title", "arxiv_id", "doi", "year", "venue", "abstract", "url", "pdf_url", "pdf_path", "pdf_sha256", "source"):
            if getattr(self, name) in (None, "") and getattr(other, name) not in (None, ""):
                setattr(self, name, getattr(other, name))
        if other.abstract and len(other.abstract) > len(self.abstract or ""):
            self.abstract = other.abstract
        for key, value in other.ids.items():
            self.ids.setdefault(key, value)
        return self

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class PaperSource(abc.ABC):
    """A place that reports papers, their references and the papers citing them.

    Every method returns an empty result when the source has nothing for the
    paper, and raises :class:`SourceError` (or :class:`SourceBlocked`) when a
    request fails, so the caller can report the failure and go on with the
    other sources.
    """

    #: Short name stored in ``citations.source`` and in reports.
    name: str = "source"

    @abc.abstractmethod
    def lookup(self, seed: "PaperRecord") -> PaperRecord | None:
        """Return the source's record of the paper ``seed`` names (by arXiv id, DOI or title), or None."""

    @abc.abstractmethod
    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        """Return the papers ``paper`` cites (backward step)."""

    @abc.abstractmethod
    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        """Return the papers citing ``paper`` (forward step)."""

    def pdf_url(self, paper: PaperRecord) -> str | None:
        """Return a URL of an openly available PDF of ``paper``, or None."""
        return paper.pdf_url

    def stats(self) -> dict[str, int]:
        """Return request counters (requests sent, cache hits, retries); empty for offline sources."""
        return {}
