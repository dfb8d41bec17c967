"""Snowball discovery: from seed papers, follow references (backward) and citing papers (forward).

The run is breadth-first: seeds are expanded first, then the papers found
from them, down to ``max_depth``. Each paper a source reports is merged
with the stored papers (arXiv id, DOI, normalised title), judged by a
:class:`RelevanceFilter`, and stored with the citation edge and with how it
was reached. Only relevant papers are expanded further.

The queue of papers to expand (the frontier) lives in the warehouse, and
each paper's expansion is written in one transaction. A run stopped at any
point (request budget, Ctrl-C, a crash) therefore resumes at the first
paper not yet expanded when the same command runs again.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from efficientdl.pipeline import discovery_store as store
from efficientdl.pipeline.relevance import RelevanceFilter
from efficientdl.pipeline.sources.bibliography import BibliographyCache
from efficientdl.pipeline.sources.local import parsed_to_record
from efficientdl.pipeline.sources.base import (
    PaperRecord,
    PaperSource,
    RequestBudgetExhausted,
    SourceBlocked,
    SourceError,
    normalize_arxiv_id,
    normalize_doi,
)
from efficientdl.warehouse.db import Warehouse, stable_id

logger = logging.getLogger(__name__)

DIRECTIONS = ("references", "citations")

#: Maximum attempts to expand one paper; a failed expansion is retried by later runs of the same command.
MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Seed:
    """A starting paper: ``kind`` is ``arxiv``, ``doi``, ``title`` or ``pdf``."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        return f"{self.kind}:{self.value}"

    def to_record(self, cache: BibliographyCache | None = None) -> PaperRecord:
        """Return the record the seed itself gives; a PDF seed is parsed through ``cache``."""
        if self.kind == "arxiv":
            return PaperRecord(arxiv_id=self.value)
        if self.kind == "doi":
            return PaperRecord(doi=self.value)
        if self.kind == "pdf":
            return parsed_to_record((cache or BibliographyCache(None)).parse(self.value))
        return PaperRecord(title=self.value)


def parse_seed(text: str) -> Seed:
    """Read a seed: ``arxiv:ID``, ``doi:DOI``, a path to a ``.pdf`` file, or a title.

    >>> parse_seed("arxiv:1512.03385v1")
    Seed(kind='arxiv', value='1512.03385')
    >>> parse_seed("Deep Residual Learning for Image Recognition").kind
    'title'

    Raises
    ------
    ValueError
        For an ``arxiv:`` or ``doi:`` seed whose id is malformed, or an empty seed.
    """
    text = text.strip()
    lowered = text.lower()
    if lowered.startswith("arxiv:"):
        arxiv_id = normalize_arxiv_id(text[6:])
        if not arxiv_id:
            raise ValueError(f"seed {text!r}: not an arXiv id; write it as arxiv:1512.03385")
        return Seed("arxiv", arxiv_id)
    if lowered.startswith("doi:"):
        doi = normalize_doi(text[4:])
        if not doi:
            raise ValueError(f"seed {text!r}: not a DOI; write it as doi:10.1109/CVPR.2016.90")
        return Seed("doi", doi)
    if lowered.endswith(".pdf"):
        path = Path(text).expanduser()
        if not path.is_file():
            raise ValueError(f"seed {text!r}: PDF file not found; check the path")
        return Seed("pdf", str(path.resolve()))
    if not re.search(r"[A-Za-z]{3}", text):
        raise ValueError(f"seed {text!r}: give arxiv:ID, doi:DOI, a PDF path or a title")
    return Seed("title", " ".join(text.split()))


@dataclass
class SnowballSettings:
    """Limits and filter of a run.

    Parameters
    ----------
    max_depth : int
        Steps away from the seeds (0: the seeds only).
    max_papers : int
        Relevant papers kept at most, seeds included; the run stops there.
    directions : tuple of str
        ``references`` (backward), ``citations`` (forward) or both.
    relevance : RelevanceFilter
        Which reached papers are kept and expanded.
    restart : bool
        Forget a stored run with the same parameters and start over.
    """

    max_depth: int = 1
    max_papers: int = 200
    directions: tuple[str, ...] = DIRECTIONS
    relevance: RelevanceFilter = field(default_factory=RelevanceFilter)
    restart: bool = False

    def __post_init__(self) -> None:
        if self.max_depth < 0:
            raise ValueError(f"max_depth must be >= 0, got {self.max_depth}")
        if self.max_papers < 1:
            raise ValueError(f"max_papers must be >= 1, got {self.max_papers}")
        unknown = set(self.directions) - set(DIRECTIONS)
        if unknown or not self.directions:
            raise ValueError(f"directions must be among {DIRECTIONS}, got {self.directions}")


@dataclass
class DiscoveryReport:
    """Counts, errors and final state of one snowball run."""

    run_id: str
    status: str = "running"
    resumed: bool = False
    found: int = 0
    kept: int = 0
    off_topic: int = 0
    failed: int = 0
    expanded: int = 0
    new_papers: int = 0
    new_citations: int = 0
    seeds_failed: list[str] = field(default_factory=list)
    source_errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    blocked_sources: list[str] = field(default_factory=list)
    source_stats: dict[str, dict[str, int]] = field(default_factory=dict)
    downloads: dict[str, int] = field(default_factory=dict)

    def error(self, source: str, message: str) -> None:
        self.source_errors[source].append(message)
        logger.warning("%s", message)

    def as_dict(self) -> dict[str, Any]:
        data = dict(self.__dict__)
        data["source_errors"] = {name: list(messages) for name, messages in self.source_errors.items()}
        return data


class Snowball:
    """Run snowball discovery over ``sources`` into the warehouse.

    Parameters
    ----------
    wh : Warehouse
        Open read-write warehouse.
    sources : sequence of PaperSource
        Sources asked, in order, for each seed and each expanded paper.
    settings : SnowballSettings
        Depth, size limit, directions, relevance filter.
    source_specs : sequence of str, optional
        How the sources were named (``openalex``, ``local:DIR``); part of the
        run id, default the source names.
    on_progress : callable, optional
        Called as ``on_progress(done, total, label)`` after each expansion.
    bibliography_cache : BibliographyCache, optional
        Where PDF seeds are parsed through (default: the cache of the first
        local folder source, else no cache).
    """

    def __init__(
        self,
        wh: Warehouse,
        sources: Sequence[PaperSource],
        settings: SnowballSettings | None = None,
        *,
        source_specs: Sequence[str] | None = None,
        on_progress: Callable[[int, int, str], None] | None = None,
        bibliography_cache: BibliographyCache | None = None,
    ) -> None:
        if not sources:
            raise ValueError("give at least one source")
        self.wh = wh
        self.sources = list(sources)
        self.settings = settings or SnowballSettings()
        self.source_specs = sorted(source_specs or [s.name for s in self.sources])
        self.on_progress = on_progress
        folder_caches = [s.cache for s in self.sources if isinstance(getattr(s, "cache", None), BibliographyCache)]
        self.bibliography_cache = bibliography_cache or (folder_caches[0] if folder_caches else None)
        self.blocked: set[str] = set()
        self.index = store.PaperIndex.load(wh)

    def run_id(self, seeds: Sequence[Seed]) -> str:
        """Return the id of a run: equal seeds, sources and settings give the same id (and resume)."""
        s = self.settings
        return stable_id(
            sorted(seed.label for seed in seeds), self.source_specs, s.max_depth, s.max_papers,
            sorted(s.directions), s.relevance.settings(),
        )

    def run(self, seeds: Sequence[Seed | str]) -> DiscoveryReport:
        """Discover papers from ``seeds``; resume the stored run with the same parameters if any.

        Returns
        -------
        DiscoveryReport
            ``status`` is ``complete``, ``max_papers`` (the size limit was
            reached), or ``stopped`` (request budget used up; run again to
            resume).
        """
        seeds = [parse_seed(s) if isinstance(s, str) else s for s in seeds]
        if not seeds:
            raise ValueError("give at least one seed")
        run_id = self.run_id(seeds)
        report = DiscoveryReport(run_id=run_id)
        settings = {
            "seeds": [s.label for s in seeds],
            "sources": self.source_specs,
            "max_depth": self.settings.max_depth,
            "max_papers": self.settings.max_papers,
            "relevance": {**self.settings.relevance.settings(), "directions": list(self.settings.directions)},
        }
        report.resumed = store.start_run(self.wh, run_id, settings, restart=self.settings.restart)

        try:
            self._add_seeds(run_id, seeds, report)
            report.status = self._expand_frontier(run_id, report)
        except RequestBudgetExhausted as exc:
            logger.warning("%s", exc)
            report.status = "stopped"
        except KeyboardInterrupt:
            report.status = "stopped"
            self._finish(run_id, report)
            raise
        self._finish(run_id, report)
        return report

    def _finish(self, run_id: str, report: DiscoveryReport) -> None:
        for source in self.sources:
            for path, reason in getattr(source, "failures", []):
                report.error(source.name, reason)
                store.quarantine(self.wh, f"{source.name}:{path}", reason)
        report.__dict__.update(store.discovery_counts(self.wh, run_id))
        report.failed += store.frontier_counts(self.wh, run_id).get("failed", 0) + len(report.seeds_failed)
        report.blocked_sources = sorted(self.blocked)
        report.source_stats = {s.name: s.stats() for s in self.sources if s.stats()}
        store.finish_run(self.wh, run_id, report.status, report.as_dict())

    # -- seeds ---------------------------------------------------------------------------

    def _add_seeds(self, run_id: str, seeds: Sequence[Seed], report: DiscoveryReport) -> None:
        """Look up and store the seeds this run has not stored yet (all of them unless it resumes)."""
        stored = {
            row[0]
            for row in self.wh.execute(
                "SELECT seed FROM paper_discovery WHERE run_id = ? AND direction = 'seed'", [run_id]
            ).fetchall()
        }
        for seed in seeds:
            if seed.label in stored:
                continue
            try:
                record = seed.to_record(self.bibliography_cache)
            except ValueError as exc:
                report.seeds_failed.append(seed.label)
                store.quarantine(self.wh, seed.label, f"seed could not be read: {exc}")
                continue

            found_by = []
            for source in self.sources:
                found = self._call(source, "lookup", record, report)
                if found is not None:
                    record.merge(found)
                    found_by.append(source.name)
            # A PDF seed is known from its own file; any other seed must be found by a source.
            if not found_by and seed.kind != "pdf":
                report.seeds_failed.append(seed.label)
                hint = "check the spelling or give arxiv:ID" if seed.kind == "title" else "check the id and the --source list"
                store.quarantine(self.wh, seed.label, f"no source found the seed {seed.label}; {hint}")
                continue

            record.source = record.source or (found_by[0] if found_by else "seed")
            paper_id, _ = store.upsert_paper(self.wh, self.index, record, relevant=True, status="kept")
            if paper_id is None:
                report.seeds_failed.append(seed.label)
                continue
            store.record_discovery(
                self.wh, run_id, paper_id, seed=seed.label, depth=0, via_paper_id=None, via_source=None,
                direction="seed", relevant=True,
            )
            store.push_frontier(self.wh, run_id, paper_id, 0)

    # -- expansion ------------------------------------------------------------------------

    def _call(self, source: PaperSource, method: str, record: PaperRecord, report: DiscoveryReport) -> Any:
        """Call ``source.method(record)``; report and absorb source failures (None on failure)."""
        if source.name in self.blocked:
            return None
        try:
            return getattr(source, method)(record)
        except SourceBlocked as exc:
            self.blocked.add(source.name)
            report.error(source.name, f"{exc} (no more requests to {source.name} in this run)")
            store.quarantine(self.wh, f"{source.name}:{record.label()}", f"{source.name} blocked: {exc}")
        except SourceError as exc:
            report.error(source.name, str(exc))
            store.quarantine(self.wh, f"{source.name}:{method}:{record.label()}", str(exc))
        return None

    def _expand_frontier(self, run_id: str, report: DiscoveryReport) -> str:
        while True:
            counts = store.discovery_counts(self.wh, run_id)
            if counts["kept"] >= self.settings.max_papers:
                return "max_papers"
            item = store.next_in_frontier(self.wh, run_id, MAX_ATTEMPTS)
            if item is None:
                return "complete"
            paper_id, depth = item
            if depth >= self.settings.max_depth:
                store.mark_frontier(self.wh, run_id, paper_id, "leaf")
                continue

            self.wh.con.execute("BEGIN TRANSACTION")
            try:
                status = self._expand(run_id, paper_id, depth, report)
                store.mark_frontier(self.wh, run_id, paper_id, status)
                self.wh.con.execute("COMMIT")
            except BaseException:
                self.wh.con.execute("ROLLBACK")
                raise
            report.expanded += 1

            if self.on_progress is not None:
                done = store.frontier_counts(self.wh, run_id)
                total = sum(done.values())
                self.on_progress(total - done.get("pending", 0), total, paper_id)

    def _expand(self, run_id: str, paper_id: str, depth: int, report: DiscoveryReport) -> str:
        """Expand one paper with every source; return its frontier status (``done`` or ``failed``)."""
        record = store.load_record(self.wh, paper_id)
        if record is None:
            return "failed"
        seed = self.wh.con.execute(
            "SELECT seed FROM paper_discovery WHERE run_id = ? AND paper_id = ?", [run_id, paper_id]
        ).fetchone()[0]

        answered = 0
        edges: list[tuple[str, str, str]] = []
        for source in self.sources:
            for direction in self.settings.directions:
                neighbours = self._call(source, direction, record, report)
                if neighbours is None:
                    continue
                answered += 1
                identified = [n for n in neighbours if n.has_identity]
                valid = store.validate_records(self.wh, identified)
                report.failed += len(identified) - len(valid)
                for neighbour in valid:
                    edge = self._add_neighbour(run_id, seed, paper_id, depth, source.name, direction, neighbour, report)
                    if edge is not None:
                        edges.append(edge)

        report.new_citations += store.add_citations(self.wh, edges)
        # Sources may have added their own ids to the record while responding; store them for later runs.
        store.upsert_paper(self.wh, self.index, record, relevant=True, status="kept")
        return "done" if answered else "failed"

    def _add_neighbour(
        self, run_id: str, seed: str, paper_id: str, depth: int, source: str, direction: str,
        neighbour: PaperRecord, report: DiscoveryReport,
    ) -> tuple[str, str, str] | None:
        """Store one reported paper and how it was reached; return its citation edge, or None."""
        known = self.index.resolve(neighbour)
        is_seen = known is not None and self.wh.con.execute(
            "SELECT 1 FROM paper_discovery WHERE run_id = ? AND paper_id = ?", [run_id, known]
        ).fetchone()
        if not is_seen and store.discovery_counts(self.wh, run_id)["kept"] >= self.settings.max_papers:
            return None

        relevant = self.settings.relevance.is_relevant(neighbour.title, neighbour.abstract)
        neighbour.source = neighbour.source or source
        neighbour_id, is_new = store.upsert_paper(
            self.wh, self.index, neighbour, relevant=relevant, status="kept" if relevant else "off_topic", validated=True
        )
        if neighbour_id is None:
            report.failed += 1
            return None
        if neighbour_id == paper_id:
            return None
        report.new_papers += int(is_new)

        store.record_discovery(
            self.wh, run_id, neighbour_id, seed=seed, depth=depth + 1, via_paper_id=paper_id, via_source=source,
            direction=direction, relevant=relevant,
        )
        if relevant:
            store.push_frontier(self.wh, run_id, neighbour_id, depth + 1)
        return (paper_id, neighbour_id, source) if direction == "references" else (neighbour_id, paper_id, source)
