"""The PDF extraction stage: papers in, ``papers`` and ``extractions`` rows out.

Each PDF is parsed and read by the rules in its own worker process with a
time limit (:mod:`efficientdl.pipeline.workers`), and the parent stores
the results. A file that cannot be read (corrupt, truncated, encrypted,
empty, image-only, over the page limit, over the time limit) is reported
with the reason and lands in ``quarantine`` with source ``pdf``. The batch
goes on.
A file whose SHA-256 was already read by the same rules version is skipped,
and a re-read never changes stored extractions (their review status stays).
"""

from __future__ import annotations

import logging
import multiprocessing
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from efficientdl.extractors.pdf.document import ParsedDocument, PdfError, file_sha256, parse_pdf
from efficientdl.extractors.rules.association import associate
from efficientdl.extractors.rules.base import RULES_VERSION, Finding
from efficientdl.pipeline.workers import Outcome, run_isolated
from efficientdl.warehouse.db import Warehouse, stable_id, to_json
from efficientdl.warehouse.quarantine import QuarantineEntry, add_to_quarantine

logger = logging.getLogger(__name__)

#: Version of the whole PDF stage (parser and rules); a new version re-reads every PDF.
EXTRACTOR_VERSION = RULES_VERSION


@dataclass
class PaperSummary:
    """Outcome of one PDF: its status, size, values per component and problems."""

    file: str
    status: str
    paper_id: str | None = None
    pages: int = 0
    tables: int = 0
    values: dict[str, int] = field(default_factory=dict)
    new_extractions: int = 0
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class ExtractReport:
    """Summary of one extraction run."""

    papers: list[PaperSummary] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: str) -> int:
        return sum(1 for p in self.papers if p.status == status)

    @property
    def pages(self) -> int:
        return sum(p.pages for p in self.papers if p.status == "extracted")

    def as_dict(self) -> dict[str, Any]:
        return {
            "extracted": self.count("extracted"),
            "skipped": self.count("skipped"),
            "quarantined": self.count("quarantined"),
            "pages": self.pages,
            "seconds": round(self.seconds, 2),
            "new_extractions": sum(p.new_extractions for p in self.papers),
            "papers": [asdict(p) for p in self.papers],
        }


def collect_pdfs(paths: Iterable[str | Path]) -> list[Path]:
    """Expand files and folders (searched recursively) into a sorted list of PDF files."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"))
        elif path.is_file():
            found.append(path)
        else:
            raise FileNotFoundError(f"{path} does not exist; pass a PDF file or a folder of PDFs")
    return found


@dataclass
class PdfJob:
    path: str
    sha256: str
    page_limit: int

    def __str__(self) -> str:
        return Path(self.path).name


def _read_one(job: PdfJob) -> tuple[ParsedDocument, list[Finding]]:
    """Parse one PDF and apply the rules (runs in a worker process)."""
    document = parse_pdf(job.path, page_limit=job.page_limit, sha256=job.sha256)
    findings = associate(document)
    document.sentences = []
    return document, findings


def extraction_rows(document: ParsedDocument, findings: list[Finding]) -> pd.DataFrame:
    """Turn findings into ``extractions`` rows with stable ids."""
    paper_id = document.info.paper_id
    rows = []
    for f in findings:
        value_json = to_json(f.value)
        bbox = [float(v) for v in f.bbox] if f.bbox else None
        rows.append(
            {
                "extraction_id": stable_id(paper_id, f.model_name, f.dataset, f.component, f.page, to_json(bbox), f.extractor, value_json),
                "paper_id": paper_id,
                "model_name": f.model_name,
                "dataset": f.dataset,
                "component": f.component,
                "value": value_json,
                "raw_text": f.raw_text,
                "page": int(f.page),
                "bbox": bbox,
                "snippet": f.snippet[:2000],
                "extractor": f.extractor,
                "confidence": float(f.confidence),
                "status": "pending",
            }
        )
    frame = pd.DataFrame(rows, columns=["extraction_id", "paper_id", "model_name", "dataset", "component", "value", "raw_text", "page", "bbox", "snippet", "extractor", "confidence", "status"])
    return frame.drop_duplicates("extraction_id")


def store_paper(wh: Warehouse, document: ParsedDocument, findings: list[Finding]) -> int:
    """Write the paper, its extractions and its run record in one transaction; return how many
    extractions were new."""
    wh.con.execute("BEGIN TRANSACTION")
    try:
        added = _store_paper(wh, document, findings)
        wh.con.execute("COMMIT")
    except Exception:
        wh.con.execute("ROLLBACK")
        raise
    return added


def _store_paper(wh: Warehouse, document: ParsedDocument, findings: list[Finding]) -> int:
    info = document.info
    wh.con.execute(
        "INSERT INTO papers (paper_id, title, arxiv_id, year, pdf_path, pdf_sha256, pages, source, status) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 'pdf', 'extracted') ON CONFLICT (paper_id) DO UPDATE SET "
        "title = coalesce(papers.title, excluded.title), arxiv_id = coalesce(papers.arxiv_id, excluded.arxiv_id), "
        "year = coalesce(papers.year, excluded.year), pdf_path = excluded.pdf_path, pdf_sha256 = excluded.pdf_sha256, "
        "pages = excluded.pages, status = 'extracted', updated_at = now()",
        [info.paper_id, info.title, info.arxiv_id, info.year, info.pdf_path, info.pdf_sha256, info.pages],
    )
    frame = extraction_rows(document, findings)
    before = wh.count("extractions")
    if not frame.empty:
        wh.con.register("incoming_extractions", frame)
        try:
            columns = ", ".join(frame.columns)
            wh.con.execute(
                f"INSERT INTO extractions ({columns}) SELECT {columns} FROM incoming_extractions "
                "ON CONFLICT (extraction_id) DO NOTHING"
            )
        finally:
            wh.con.unregister("incoming_extractions")
    added = wh.count("extractions") - before
    wh.con.execute(
        "INSERT INTO pdf_runs (pdf_sha256, extractor_version, paper_id, pdf_path, pages, tables, extractions, problems, seconds) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        [info.pdf_sha256, EXTRACTOR_VERSION, info.paper_id, info.pdf_path, info.pages, len(document.tables), len(frame), to_json(document.problems), document.seconds],
    )
    return added


def _already_read(wh: Warehouse, sha256: str) -> bool:
    row = wh.con.execute("SELECT 1 FROM pdf_runs WHERE pdf_sha256 = ? AND extractor_version = ?", [sha256, EXTRACTOR_VERSION]).fetchone()
    return row is not None


def _quarantine(wh: Warehouse, path: str, sha256: str | None, kind: str, reason: str) -> None:
    add_to_quarantine(wh, [QuarantineEntry("pdf", path, sha256 or Path(path).name, "pdf", f"{Path(path).name} {reason}", [kind], {"file": path, "kind": kind})])


def extract_pdfs(
    wh: Warehouse,
    paths: Iterable[str | Path],
    *,
    page_limit: int = 60,
    time_limit: float = 120.0,
    workers: int = 2,
    on_progress: Callable[[PaperSummary], None] | None = None,
) -> ExtractReport:
    """Extract training setups and Top-1 results from PDFs into the warehouse.

    Parameters
    ----------
    wh : Warehouse
        Open read-write warehouse; only this process writes to it.
    paths : iterable of path-like
        PDF files and folders of PDFs.
    page_limit : int
        PDFs with more pages are quarantined unread.
    time_limit : float
        Seconds one PDF may take before its worker is stopped.
    workers : int
        Worker processes parsing at once.
    on_progress : callable, optional
        Called with each PDF's :class:`PaperSummary` as it finishes.
    """
    if page_limit < 1:
        raise ValueError(f"page_limit must be at least 1, got {page_limit}")
    started = time.perf_counter()
    report = ExtractReport()

    def done(summary: PaperSummary) -> None:
        report.papers.append(summary)
        if on_progress is not None:
            on_progress(summary)

    jobs, settled = pending_pdfs(wh, collect_pdfs(paths), page_limit)
    for summary in settled:
        done(summary)

    for job, outcome in run_isolated(_read_one, jobs, workers=workers, time_limit=time_limit):
        done(store_result(wh, job, outcome))

    report.seconds = time.perf_counter() - started
    return report


def _record_needs_ocr(wh: Warehouse, job: PdfJob) -> None:
    paper_id = f"sha256:{job.sha256[:16]}"
    wh.con.execute(
        "INSERT INTO papers (paper_id, pdf_path, pdf_sha256, source, status) VALUES (?, ?, ?, 'pdf', 'needs_ocr') "
        "ON CONFLICT (paper_id) DO NOTHING",
        [paper_id, job.path, job.sha256],
    )


def pdf_job(path: str | Path, page_limit: int = 60) -> PdfJob:
    """Describe one PDF to parse: its path, SHA-256 and page limit."""
    return PdfJob(str(path), file_sha256(path), page_limit)


def pending_pdfs(wh: Warehouse, paths: list[Path], page_limit: int = 60) -> tuple[list[PdfJob], list[PaperSummary]]:
    """Split ``paths`` into jobs still to parse and summaries of files settled without parsing.

    A file already read by this extractor version is skipped; a file that
    cannot be read from disk is quarantined.
    """
    jobs: list[PdfJob] = []
    settled: list[PaperSummary] = []
    for path in paths:
        try:
            sha256 = file_sha256(path)
        except OSError as exc:
            _quarantine(wh, str(path), None, "unreadable", f"cannot be read from disk: {exc}")
            settled.append(PaperSummary(path.name, "quarantined", problems=[str(exc)]))
            continue
        if _already_read(wh, sha256):
            settled.append(PaperSummary(path.name, "skipped", problems=[f"already read by {EXTRACTOR_VERSION}"]))
            continue
        jobs.append(PdfJob(str(path), sha256, page_limit))
    return jobs, settled


def read_pdf(job: PdfJob, time_limit: float = 120.0) -> tuple[PdfJob, Outcome]:
    """Parse one PDF in an isolated worker process with a time limit; never touches the warehouse.

    A daemonic process (a Dask worker process) may not start children, so
    there the PDF is parsed in the calling process instead.
    """
    if multiprocessing.current_process().daemon:
        # NOTE: the time limit cannot be enforced without a child process.
        started = time.monotonic()
        try:
            outcome = Outcome("ok", _read_one(job))
        except Exception as exc:  # reported and quarantined by store_result, like a child's failure
            outcome = Outcome("error", exc, f"{type(exc).__name__}: {exc}")
        outcome.seconds = time.monotonic() - started
        return job, outcome
    return next(iter(run_isolated(_read_one, [job], workers=1, time_limit=time_limit)))


def store_result(wh: Warehouse, job: PdfJob, outcome: Outcome) -> PaperSummary:
    """Store one parse outcome: the paper and its extractions, or the quarantine entry."""
    name = Path(job.path).name
    if outcome.status == "ok":
        document, findings = outcome.result
        added = store_paper(wh, document, findings)
        for problem in document.problems:
            _quarantine(wh, job.path, job.sha256, "table", problem)
        values = Counter(f.component for f in findings)
        return PaperSummary(name, "extracted", document.info.paper_id, document.info.pages, len(document.tables), dict(values), added, document.problems, outcome.seconds)

    if outcome.status == "error" and isinstance(outcome.result, PdfError):
        kind, reason = outcome.result.kind, outcome.result.reason
    elif outcome.status == "timeout":
        kind, reason = "timeout", f"{outcome.error}; raise --time-limit to read it"
    else:
        kind, reason = outcome.status, f"failed to parse: {(outcome.error or '').splitlines()[0] if outcome.error else 'unknown error'}"
    if kind == "needs-ocr":
        _record_needs_ocr(wh, job)
    _quarantine(wh, job.path, job.sha256, kind, reason)
    logger.warning("%s %s", name, reason)
    return PaperSummary(name, "quarantined", problems=[f"{kind}: {reason}"], seconds=outcome.seconds)
