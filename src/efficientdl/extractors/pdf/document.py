"""Read one PDF into sentences and tables, or raise an error naming why it cannot be read.

:func:`parse_pdf` is the whole per-file parsing stage. It runs in a worker
process (see :mod:`efficientdl.pipeline.extract`), so it returns plain,
picklable data and never touches the warehouse.
"""

from __future__ import annotations

import hashlib
import logging
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

import regex

from efficientdl.extractors.pdf.layout import Line, PageLayout, Word, order_lines
from efficientdl.extractors.pdf.ruled import camelot_tables, has_ruling, plumber_tables
from efficientdl.extractors.pdf.sections import heading_title, label_sections
from efficientdl.extractors.pdf.sentences import Sentence, split_sentences
from efficientdl.extractors.pdf.tables import CAPTION_RE, Table, boxes_overlap, caption_tables

logger = logging.getLogger(__name__)

_ARXIV_RE = regex.compile(r"(?<![\d.])(?P<id>(?:0[7-9]|1\d|2\d)(?:0[1-9]|1[0-2])\.\d{4,5})(?:v\d+)?(?![\d])")


class PdfError(Exception):
    """A PDF that cannot be parsed. ``kind`` names the problem and ``reason`` explains it and the fix."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(kind, reason)
        self.kind = kind
        self.reason = reason

    def __str__(self) -> str:
        return self.reason


@dataclass
class PaperInfo:
    """Identity of a paper: ids, title, year and facts about its file."""

    paper_id: str
    title: str | None
    arxiv_id: str | None
    year: int | None
    pdf_path: str
    pdf_sha256: str
    pages: int


@dataclass
class ParsedDocument:
    """Everything the rules need from one PDF."""

    info: PaperInfo
    sentences: list[Sentence] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def file_sha256(path: str | Path) -> str:
    """Return the SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def find_arxiv_id(file_name: str, first_page_text: str) -> str | None:
    """Return the arXiv id in the file name, else in the first page's text (its margin stamp).

    Examples
    --------
    >>> find_arxiv_id("resnet-1512.03385.pdf", "")
    '1512.03385'
    >>> find_arxiv_id("paper.pdf", "arXiv:2010.11929v2 [cs.CV] 3 Jun 2021")
    '2010.11929'
    """
    match = _ARXIV_RE.search(file_name)
    if match is None:
        stamp = regex.search(r"arXiv:\s*(\d{4}\.\d{4,5})", first_page_text)
        return stamp[1] if stamp else None
    return match["id"]


def _guess_year(arxiv_id: str | None, text: str) -> int | None:
    if arxiv_id:
        return 2000 + int(arxiv_id[:2])
    years = [int(y) for y in regex.findall(r"\b(19[89]\d|20[0-3]\d)\b", text)]
    return statistics.mode(years) if years else None


def _guess_title(metadata: dict, first_page: PageLayout | None) -> str | None:
    """Return the PDF's Title metadata, else the first block of largest-font lines on page 1.

    Lines in the largest font are taken from the first one down to the
    first line in a smaller font. Small capitals, which the PDF sets as a
    large initial touching a smaller rest ("V" + "ERY"), are joined back.
    """
    title = (metadata or {}).get("Title")
    if isinstance(title, str) and len(title.strip()) > 8 and not title.lower().endswith((".dvi", ".pdf")):
        return title.strip()
    if first_page is None or not first_page.lines:
        return None
    top_half = sorted(
        (line for line in first_page.lines if line.top < first_page.height / 2 and len(line.text) > 3),
        key=lambda line: line.top,
    )
    if not top_half:
        return None

    largest = max(line.size for line in top_half)
    parts: list[str] = []
    taken_bottom = -1.0
    for line in top_half:
        if line.top < taken_bottom:
            continue
        if line.size >= largest - 0.5:
            beside = [other for other in top_half if other.top < line.bottom and other.bottom > line.top]
            words = sorted((w for other in beside for w in other.words), key=lambda w: w.x0)
            parts.append(_join_touching(words))
            taken_bottom = max(other.bottom for other in beside)
        elif parts:
            break
    text = regex.sub(r"\b(\p{Lu}) (\p{Lu}{2,})", r"\1\2", " ".join(parts))
    return regex.sub(r"\s+", " ", text)[:300] or None


def _join_touching(words: list[Word]) -> str:
    """Join words left to right, without a space where one word touches the next (small capitals)."""
    text = ""
    previous: Word | None = None
    for word in words:
        if previous is not None and word.x0 - previous.x1 > 0.8:
            text += " "
        text += word.text
        previous = word
    return text


def _words(page) -> list[Word]:
    raw = page.extract_words(extra_attrs=["size", "fontname"], x_tolerance=1.5, y_tolerance=2)
    words = []
    for w in raw:
        text = w["text"].strip()
        if text:
            words.append(Word(text, w["x0"], w["top"], w["x1"], w["bottom"], float(w.get("size") or 0.0), "bold" in str(w.get("fontname", "")).lower()))
    return words


def check_readable(path: Path, page_limit: int):
    """Open ``path`` with pypdf and return its page count; raise :class:`PdfError` when unusable."""
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise PdfError("encrypted", "is encrypted with a password; decrypt it (e.g. `qpdf --decrypt`) and rerun")
        pages = len(reader.pages)
    except PdfError:
        raise
    except Exception as exc:
        raise PdfError("corrupt", f"is not a readable PDF ({type(exc).__name__}: {exc}); download it again") from exc
    if pages == 0:
        raise PdfError("empty", "has zero pages")
    if pages > page_limit:
        raise PdfError("too-long", f"has {pages} pages, more than the page limit of {page_limit}; raise --page-limit to read it")
    return pages


def _attach_captions(tables: list[Table], lines: list[Line]) -> None:
    captions = [line for line in lines if CAPTION_RE.match(line.text)]
    for table in tables:
        if table.caption or table.bbox is None:
            continue
        near = [c for c in captions if min(abs(c.top - table.bbox[3]), abs(table.bbox[1] - c.bottom)) < 60 and c.x0 < table.bbox[2] and c.x1 > table.bbox[0]]
        if near:
            best = min(near, key=lambda c: min(abs(c.top - table.bbox[3]), abs(table.bbox[1] - c.bottom)))
            table.caption, table.caption_bbox = best.text, best.bbox


def _paragraphs(lines: list[Line], tables: list[Table], body_size: float) -> list[list[Line]]:
    paragraphs: list[list[Line]] = [[]]
    for line in lines:
        in_table = any(t.page == line.page and t.bbox and boxes_overlap(line.bbox, t.bbox) for t in tables)
        if in_table:
            continue
        if heading_title(line, body_size) is not None or CAPTION_RE.match(line.text) or regex.match(r"^(?:Figure|Fig\.)\s*\d", line.text):
            paragraphs.append([])
        paragraphs[-1].append(line)
    return [p for p in paragraphs if p]


def ruled_tables(path: str, page, problems: list[str]) -> list[Table]:
    """Ruled tables of a page: pdfplumber's finder, then camelot lattice where it found any."""
    try:
        found = plumber_tables(page)
    except Exception as exc:  # a malformed page must not stop the document
        problems.append(f"pdfplumber's table finder failed on page {page.page_number}: {type(exc).__name__}: {exc}")
        return []
    if not found:
        return []
    try:
        lattice = camelot_tables(path, page.page_number, float(page.height))
    except Exception as exc:  # camelot fails on some pages; pdfplumber's tables still count
        problems.append(f"camelot failed on page {page.page_number}: {type(exc).__name__}: {exc}")
        return found
    return lattice + [t for t in found if not any(boxes_overlap(t.bbox, c.bbox) for c in lattice)]


def parse_pdf(path: str | Path, *, page_limit: int = 60, sha256: str | None = None) -> ParsedDocument:
    """Parse one PDF into sentences and tables.

    Raises
    ------
    PdfError
        For a corrupt, encrypted, empty, too long or image-only file.
    """
    import pdfplumber

    started = time.perf_counter()
    path = Path(path)
    n_pages = check_readable(path, page_limit)
    sha256 = sha256 or file_sha256(path)

    layouts: list[PageLayout] = []
    tables: list[Table] = []
    problems: list[str] = []
    all_words = 0
    try:
        with pdfplumber.open(str(path)) as pdf:
            metadata = pdf.metadata
            for page in pdf.pages:
                words = _words(page)
                all_words += len(words)
                layout = order_lines(page.page_number, words, float(page.width), float(page.height))
                layouts.append(layout)
                if not words:
                    continue
                page_tables: list[Table] = []
                if has_ruling(page):
                    page_tables = ruled_tables(str(path), page, problems)
                page_tables.extend(caption_tables(layout, words, [t.bbox for t in page_tables if t.bbox]))
                tables.extend(page_tables)
    except PdfError:
        raise
    except Exception as exc:
        raise PdfError("corrupt", f"could not be parsed ({type(exc).__name__}: {exc}); download it again") from exc

    if all_words == 0:
        raise PdfError("needs-ocr", "has no text layer (image-only pages); run OCR on it (e.g. ocrmypdf) and rerun")

    lines = [line for layout in layouts for line in layout.lines]
    sizes = [w.size for line in lines for w in line.words if w.size]
    body_size = statistics.median(sizes) if sizes else 10.0
    label_sections(lines, body_size)
    _attach_captions(tables, lines)

    first_text = " ".join(line.text for line in layouts[0].lines) if layouts else ""
    arxiv_id = find_arxiv_id(path.name, first_text)
    info = PaperInfo(
        paper_id=f"arxiv:{arxiv_id}" if arxiv_id else f"sha256:{sha256[:16]}",
        title=_guess_title(metadata, layouts[0] if layouts else None),
        arxiv_id=arxiv_id,
        year=_guess_year(arxiv_id, first_text),
        pdf_path=str(path),
        pdf_sha256=sha256,
        pages=n_pages,
    )
    sentences = split_sentences(_paragraphs(lines, tables, body_size))
    return ParsedDocument(info, sentences, tables, problems, time.perf_counter() - started)
