"""A folder of PDFs as a discovery source: references from each paper's bibliography.

Every PDF in the folder is parsed once (see :mod:`.bibliography`, cached by
SHA-256). A paper's identity is the arXiv id in its file name (e.g.
``resnet-1512.03385.pdf``) or its first-page arXiv stamp, and the title set
in the largest font on its first page. A reference entry is matched to a
folder paper by arXiv id, then DOI, then by the paper's title appearing in
the entry (:func:`.matching.title_in_text`). Backward steps return the
folder papers a paper cites; forward steps the folder papers citing it.
Everything runs offline.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from efficientdl.pipeline.sources.base import PaperRecord, PaperSource
from efficientdl.pipeline.sources.bibliography import BibliographyCache, ParsedPdf, Reference, file_sha256
from efficientdl.pipeline.sources.matching import TITLE_THRESHOLD, best_title_match, title_in_text

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ReferenceMatch:
    """One reference entry of ``citing`` resolved to the folder paper ``cited`` (both SHA-256)."""

    citing: str
    cited: str
    method: str
    score: float
    entry: str


def _parse_one(args: tuple[str, str | None]) -> ParsedPdf | str:
    path, cache_dir = args
    try:
        return BibliographyCache(cache_dir).parse(path)
    except ValueError as exc:
        return str(exc)


def parsed_to_record(parsed: ParsedPdf) -> PaperRecord:
    """Return the record of a parsed folder PDF."""
    return PaperRecord(
        title=parsed.title,
        arxiv_id=parsed.arxiv_id,
        doi=parsed.doi,
        abstract=parsed.abstract,
        url=Path(parsed.path).resolve().as_uri(),
        pdf_path=str(Path(parsed.path).resolve()),
        pdf_sha256=parsed.sha256,
        source="local",
        ids={"local": parsed.sha256},
    )


class LocalFolderSource(PaperSource):
    """References and citing papers among the PDFs of one folder.

    Parameters
    ----------
    folder : path-like
        Folder searched for ``*.pdf`` (not recursively).
    cache_dir : path-like, optional
        Where parsed bibliographies are stored by SHA-256; None parses every run.
    workers : int, optional
        Processes parsing PDFs not yet cached; default ``min(4, cpu count)``.
    threshold : float
        Minimum fuzzy title score (0-1) for a reference to match a paper.
    """

    name = "local"

    def __init__(
        self,
        folder: str | os.PathLike,
        *,
        cache_dir: str | os.PathLike | None = None,
        workers: int | None = None,
        threshold: float = TITLE_THRESHOLD,
    ) -> None:
        self.folder = Path(folder)
        if not self.folder.is_dir():
            raise FileNotFoundError(f"{self.folder} is not a folder of PDFs; pass an existing directory to local:DIR")
        self.cache = BibliographyCache(cache_dir)
        self.workers = workers or min(4, os.cpu_count() or 1)
        self.threshold = threshold
        #: (path, reason) of every PDF that could not be parsed.
        self.failures: list[tuple[str, str]] = []
        self._papers: dict[str, ParsedPdf] | None = None
        self._matches: dict[str, list[ReferenceMatch]] = {}

    # -- loading -----------------------------------------------------------------

    @property
    def papers(self) -> dict[str, ParsedPdf]:
        """Parsed folder papers by SHA-256 (parsed on first use)."""
        if self._papers is None:
            self._papers = self._load()
        return self._papers

    def _load(self) -> dict[str, ParsedPdf]:
        paths = sorted(p for p in self.folder.iterdir() if p.suffix.lower() == ".pdf" and p.is_file())
        cache_dir = str(self.cache.directory) if self.cache.directory else None
        jobs = [(str(p), cache_dir) for p in paths]
        if self.workers > 1 and len(jobs) > 2:
            with ProcessPoolExecutor(max_workers=self.workers) as pool:
                results = list(pool.map(_parse_one, jobs))
        else:
            results = [_parse_one(job) for job in jobs]

        papers: dict[str, ParsedPdf] = {}
        for path, result in zip(paths, results):
            if isinstance(result, str):
                self.failures.append((str(path), result))
                logger.warning("local: %s", result)
                continue
            if result.sha256 in papers:
                logger.info("local: %s has the same bytes as %s; kept once", path.name, Path(papers[result.sha256].path).name)
                continue
            if not (result.title or result.arxiv_id):
                self.failures.append((str(path), f"{path}: no title or arXiv id could be read from the first page"))
                continue
            papers[result.sha256] = result
        logger.info("local: %d papers parsed from %s", len(papers), self.folder)
        return papers

    # -- matching ----------------------------------------------------------------

    def _match_reference(self, citing: str, reference: Reference) -> ReferenceMatch | None:
        best: ReferenceMatch | None = None
        for sha, paper in self.papers.items():
            if sha == citing:
                continue
            if reference.arxiv_id and paper.arxiv_id and reference.arxiv_id == paper.arxiv_id:
                return ReferenceMatch(citing, sha, "arxiv", 1.0, reference.text)
            if reference.doi and paper.doi and reference.doi == paper.doi:
                return ReferenceMatch(citing, sha, "doi", 1.0, reference.text)
            if not paper.title:
                continue
            score = title_in_text(paper.title, reference.text, self.threshold)
            if score and (best is None or score > best.score):
                best = ReferenceMatch(citing, sha, "title", score, reference.text)
        return best

    def matches(self, sha: str) -> list[ReferenceMatch]:
        """Return the folder papers the paper ``sha`` cites, one match per cited paper."""
        if sha not in self._matches:
            found: dict[str, ReferenceMatch] = {}
            for reference in self.papers[sha].references:
                match = self._match_reference(sha, reference)
                if match is not None and (match.cited not in found or match.score > found[match.cited].score):
                    found[match.cited] = match
            self._matches[sha] = sorted(found.values(), key=lambda m: m.cited)
        return self._matches[sha]

    def edges(self) -> list[ReferenceMatch]:
        """Return every citation between folder papers."""
        return [match for sha in self.papers for match in self.matches(sha)]

    # -- the source interface --------------------------------------------------------

    def _sha_of(self, paper: PaperRecord) -> str | None:
        sha = paper.ids.get("local") or paper.pdf_sha256
        if sha and sha in self.papers:
            return sha
        found = self.lookup(paper)
        return found.ids["local"] if found is not None else None

    def lookup(self, seed: PaperRecord) -> PaperRecord | None:
        if seed.pdf_path and Path(seed.pdf_path).is_file():
            sha = file_sha256(seed.pdf_path)
            if sha not in self.papers:
                self.papers[sha] = self.cache.parse(seed.pdf_path)
            return parsed_to_record(self.papers[sha])

        for paper in self.papers.values():
            if seed.arxiv_id and paper.arxiv_id == seed.arxiv_id:
                return parsed_to_record(paper)
            if seed.doi and paper.doi == seed.doi:
                return parsed_to_record(paper)
        if not seed.norm_title:
            return None
        return best_title_match(seed.title, [parsed_to_record(p) for p in self.papers.values()], self.threshold)

    def references(self, paper: PaperRecord) -> list[PaperRecord]:
        # NOTE: references to papers outside the folder are not returned, so a
        # snowball over this source alone never leaves the folder.
        sha = self._sha_of(paper)
        if sha is None:
            return []
        return [parsed_to_record(self.papers[m.cited]) for m in self.matches(sha)]

    def citations(self, paper: PaperRecord) -> list[PaperRecord]:
        sha = self._sha_of(paper)
        if sha is None:
            return []
        citing = [other for other in self.papers if other != sha and any(m.cited == sha for m in self.matches(other))]
        return [parsed_to_record(self.papers[other]) for other in citing]

    def pdf_url(self, paper: PaperRecord) -> str | None:
        return None
