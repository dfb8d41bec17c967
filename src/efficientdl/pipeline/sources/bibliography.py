"""Read a paper PDF's identity (title, arXiv id, DOI, abstract) and its reference list.

The References section is found by its heading, searched from the last
page backwards with pypdf because pypdf is fast. It is then read with
pdfplumber line by line, one column at a time on two-column pages, until an
appendix heading or the end of the document. Entries are split on ``[12]`` or ``12.``
numbering when the list is numbered, else on vertical gaps and hanging
indents (author-year styles).

Results are cached as JSON by the PDF's SHA-256, so each file is parsed once.
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import statistics
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from efficientdl.pipeline.sources.base import normalize_arxiv_id, normalize_doi
from efficientdl.pipeline.sources.http import atomic_write_bytes

logger = logging.getLogger(__name__)

#: Bump when the parser changes, so cached results are parsed again.
PARSER_VERSION = 5

#: pdfplumber's horizontal gap (points) above which two characters get a space;
#: its default of 3 glues words in tightly set reference lists.
X_TOLERANCE = 1.2

#: Pages read after the heading page at most (reference lists of image-classification papers fit in fewer).
MAX_REFERENCE_PAGES = 8

_HEADING = re.compile(r"^\s*(?:\d+\.?\s*|[A-Z]\.?\s+)?(references|bibliography|literature cited)\s*$", re.IGNORECASE)
_HEADING_ANYWHERE = re.compile(r"(?im)^\s*(?:\d+\.?\s*)?(?:references|bibliography|literature cited)\b")
_END = re.compile(
    r"^\s*(?:[A-Z]\.?\s+|\d+\.?\s+)?(?i:appendix|appendices|supplementary|supplemental)\b"
    r"|^\s*[A-Z](?:\.\d+)?\s+[A-Z][A-Z\-]+(?:\s+[A-Z\-]+)+\s*$"
    r"|^\s*[A-Z]\.\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+){1,6}\s*$",
)

#: Maximum entry length in characters; a longer entry ran into the text after the list, so it is cut.
MAX_ENTRY_CHARS = 600
_BRACKET = re.compile(r"^\s*\[(\d{1,3})\]\s*")
_NUMBERED = re.compile(r"^\s*(\d{1,3})\.\s+(?=[A-Z])")
_ARXIV_IN_TEXT = re.compile(r"arxiv\s*(?:preprint)?\s*:?\s*(?:abs/)?\s*(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z\-]+/\d{7})", re.IGNORECASE)
_ARXIV_STAMP = re.compile(r"arXiv:(\d{4}\.\d{4,5})(?:v\d+)?\s*\[")
_ARXIV_IN_NAME = re.compile(r"(?<!\d)(\d{4}\.\d{4,5})(?:v\d+)?(?!\d)")
_YEAR = re.compile(r"\b(?:19[5-9]\d|20[0-4]\d)[a-z]?\b")

#: A full column with fewer year-bearing lines than this share is past the list (appendix text, tables).
MIN_YEAR_SHARE = 0.05


@dataclass
class Reference:
    """One entry of a bibliography: its text and the identifiers found in it."""

    text: str
    arxiv_id: str | None = None
    doi: str | None = None
    title: str | None = None


@dataclass
class ParsedPdf:
    """Identity and references read from one PDF."""

    sha256: str
    path: str
    title: str | None
    arxiv_id: str | None
    doi: str | None
    abstract: str | None
    pages: int
    references: list[Reference] = field(default_factory=list)
    version: int = PARSER_VERSION

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "ParsedPdf":
        refs = [Reference(**r) for r in data.pop("references", [])]
        return cls(**data, references=refs)


def file_sha256(path: str | Path) -> str:
    """Return the hex SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _page_columns(page) -> list:
    """Return ``page`` split into its two columns when the words leave a gutter, else ``[page]``."""
    words = page.extract_words(x_tolerance=X_TOLERANCE)
    width = float(page.width)
    if len(words) < 40:
        return [page]

    crossings, gutter = min(
        (sum(1 for w in words if w["x0"] < x < w["x1"]), x) for x in (width * f / 100 for f in range(40, 61))
    )
    left = sum(1 for w in words if w["x1"] <= gutter)
    right = sum(1 for w in words if w["x0"] >= gutter)
    if crossings <= 0.02 * len(words) and left > 20 and right > 20:
        return [page.within_bbox((0, 0, gutter, page.height)), page.within_bbox((gutter, 0, width, page.height))]
    return [page]


def _reference_start_page(reader) -> int | None:
    for index in range(len(reader.pages) - 1, -1, -1):
        try:
            text = reader.pages[index].extract_text() or ""
        except Exception as exc:  # pypdf raises many types on damaged pages
            logger.debug("pypdf could not read page %d: %s", index + 1, exc)
            continue
        if _HEADING_ANYWHERE.search(text):
            return index
    return None


def _reference_lines(pdf, start: int) -> list[dict[str, Any]]:
    """Return the lines of the References section: text, x0, top and a column number."""
    lines: list[dict[str, Any]] = []
    started = False
    column_no = 0
    for page in pdf.pages[start : start + MAX_REFERENCE_PAGES]:
        for column in _page_columns(page):
            column_no += 1
            column_lines = column.extract_text_lines(x_tolerance=X_TOLERANCE)
            with_year = sum(1 for line in column_lines if _YEAR.search(line["text"]))
            if started and lines and len(column_lines) >= 10 and with_year < MIN_YEAR_SHARE * len(column_lines):
                return lines
            for line in column_lines:
                text = line["text"].strip()
                if not started:
                    started = bool(_HEADING.match(text))
                    continue
                if lines and _END.match(text):
                    return lines
                if text.isdigit() or not text:
                    continue
                lines.append({"text": text, "x0": float(line["x0"]), "top": float(line["top"]), "column": column_no})
    return lines


def _drop_running_heads(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Remove page headers and footers: lines whose exact text recurs on several pages."""
    counts: dict[str, int] = {}
    for line in lines:
        counts[line["text"]] = counts.get(line["text"], 0) + 1
    return [line for line in lines if counts[line["text"]] < 2 or len(line["text"]) < 12]


def _join(lines: list[str]) -> str:
    text = ""
    for line in lines:
        if text.endswith("-") and line[:1].islower():
            text = text[:-1] + line
        else:
            text = f"{text} {line}" if text else line
    return " ".join(text.split())


def split_entries(lines: list[dict[str, Any]]) -> list[str]:
    """Split reference lines into entries: on ``[n]`` or ``n.`` numbering, else on gaps and indents."""
    lines = _drop_running_heads(lines)
    if not lines:
        return []
    bracketed = [i for i, line in enumerate(lines) if _BRACKET.match(line["text"])]
    numbered = [i for i, line in enumerate(lines) if _NUMBERED.match(line["text"])]
    marker: re.Pattern[str] | None
    if len(bracketed) >= 3:
        starts, marker = bracketed, _BRACKET
    elif len(numbered) >= 3:
        starts, marker = numbered, _NUMBERED
    else:
        starts, marker = _layout_starts(lines), None

    if starts[0] != 0:
        starts = [0] + starts
    entries = []
    for begin, end in zip(starts, starts[1:] + [len(lines)]):
        text = _join([line["text"] for line in lines[begin:end]])
        if marker is not None:
            text = marker.sub("", text, count=1)
        entries.append(text[:MAX_ENTRY_CHARS])
    return [e for e in entries if len(e) > 15]


def _layout_starts(lines: list[dict[str, Any]]) -> list[int]:
    """Return the indexes of lines that begin an entry in an unnumbered list.

    A line begins an entry when it starts a column, when the gap above it is
    clearly wider than the usual line spacing, or when it sits at the
    column's left margin while the lines of the list are hanging-indented.
    """
    gaps = [
        b["top"] - a["top"] for a, b in zip(lines, lines[1:]) if a["column"] == b["column"] and b["top"] > a["top"]
    ]
    spacing = statistics.median(gaps) if gaps else 0.0
    margins: dict[int, float] = {}
    for line in lines:
        margins[line["column"]] = min(margins.get(line["column"], line["x0"]), line["x0"])
    indented = sum(1 for line in lines if line["x0"] > margins[line["column"]] + 4)
    hanging = 0.2 * len(lines) < indented < 0.8 * len(lines)

    starts = [0]
    for i in range(1, len(lines)):
        previous, line = lines[i - 1], lines[i]
        if line["column"] != previous["column"]:
            if not (hanging and line["x0"] > margins[line["column"]] + 4):
                starts.append(i)
            continue
        wide_gap = spacing > 0 and line["top"] - previous["top"] > spacing * 1.25
        at_margin = hanging and line["x0"] <= margins[line["column"]] + 1
        if wide_gap or at_margin:
            starts.append(i)
    return starts


def guess_title(entry: str) -> str | None:
    """Return the likely title of a reference entry: the sentence after the author list.

    >>> guess_title("K. He, X. Zhang, S. Ren, and J. Sun. Deep residual learning for image recognition. In CVPR, 2016.")
    'Deep residual learning for image recognition'
    """
    parts = [p.strip() for p in re.split(r"(?<=[a-z0-9\)\]])\.\s+(?=[A-Z\"'“])", entry) if p.strip()]
    for part in parts[1:3]:
        words = part.split()
        if len(words) >= 2 and not re.match(r"^(In|Proceedings|arXiv|IEEE|Journal|Advances)\b", part):
            return part.rstrip(".")
    return None


def parse_reference(entry: str) -> Reference:
    """Return ``entry`` with its arXiv id, DOI and likely title."""
    arxiv_match = _ARXIV_IN_TEXT.search(entry) or _ARXIV_URL.search(entry)
    return Reference(
        text=entry,
        arxiv_id=normalize_arxiv_id(arxiv_match.group(1)) if arxiv_match else None,
        doi=normalize_doi(entry) if "10." in entry else None,
        title=guess_title(entry),
    )


def _first_page_identity(pdf, path: Path) -> tuple[str | None, str | None, str | None, str | None]:
    """Return (title, arXiv id, DOI, abstract) read from the first page and the file name."""
    page = pdf.pages[0]
    lines = page.extract_text_lines(x_tolerance=X_TOLERANCE, return_chars=True)
    text = "\n".join(line["text"] for line in lines)

    arxiv_id = None
    name_match = _ARXIV_IN_NAME.search(path.name)
    if name_match:
        arxiv_id = name_match.group(1)
    else:
        stamp = _ARXIV_STAMP.search(text.replace("\n", " ")) or _ARXIV_STAMP.search(page.extract_text() or "")
        arxiv_id = stamp.group(1) if stamp else None

    title = _largest_font_title(lines, float(page.height))
    doi_match = re.search(r"(?i)\bdoi[:\s]*?(10\.\d{4,9}/\S+)", text)

    abstract = None
    lowered = text.lower()
    at = lowered.find("abstract")
    if at >= 0:
        tail = text[at + len("abstract") :]
        end = re.search(r"(?im)^\s*(?:1\.?\s*)?introduction\s*$", tail)
        abstract = " ".join(tail[: end.start() if end else 2000].split())[:2000] or None
    return title, arxiv_id, normalize_doi(doi_match.group(1)) if doi_match else None, abstract


def _largest_font_title(lines: list[dict[str, Any]], height: float) -> str | None:
    """Return the run of adjacent top-half lines set in the largest font (the title)."""
    sized = []
    for line in lines:
        chars = [c for c in line.get("chars", []) if c.get("text", "").strip()]
        if not chars or line["top"] > height * 0.5 or len(line["text"].strip()) < 3:
            continue
        if not chars[0].get("upright", True):
            continue
        sized.append((statistics.median(float(c["size"]) for c in chars), line))
    if not sized:
        return None
    largest = max(size for size, _ in sized)
    picked = [line for size, line in sized if size >= largest - 0.6]
    title_lines = [picked[0]]
    for line in picked[1:]:
        if line["top"] - title_lines[-1]["bottom"] > largest * 1.5:
            break
        title_lines.append(line)
    title = _join([line["text"] for line in title_lines])
    return title if len(title) >= 4 else None


def parse_pdf(path: str | Path, sha256: str | None = None) -> ParsedPdf:
    """Parse one PDF's identity and references.

    Raises
    ------
    ValueError
        When the file cannot be opened as a PDF.
    """
    import pdfplumber
    import pypdf

    path = Path(path)
    sha256 = sha256 or file_sha256(path)
    try:
        reader = pypdf.PdfReader(str(path))
        start = _reference_start_page(reader)
        pdf = pdfplumber.open(str(path))
    except Exception as exc:  # pypdf and pdfminer raise many types on broken files
        raise ValueError(f"{path}: not a readable PDF ({type(exc).__name__}: {exc}); replace or remove the file") from exc

    with pdf:
        title, arxiv_id, doi, abstract = _first_page_identity(pdf, path)
        lines = _reference_lines(pdf, start) if start is not None else []
        pages = len(pdf.pages)
    references = [parse_reference(entry) for entry in split_entries(lines)]
    if start is None:
        logger.warning("%s: no References heading found; the paper gets no outgoing citations", path.name)
    return ParsedPdf(sha256, str(path), title, arxiv_id, doi, abstract, pages, references)


class BibliographyCache:
    """Parsed PDFs stored as JSON under ``directory``, keyed by the PDF's SHA-256."""

    def __init__(self, directory: str | Path | None) -> None:
        self.directory = Path(directory) if directory else None

    def parse(self, path: str | Path) -> ParsedPdf:
        """Return the parsed PDF, from the cache when this file (same bytes) was parsed before."""
        sha256 = file_sha256(path)
        cached = self.directory / f"{sha256}.json" if self.directory else None
        if cached is not None and cached.exists():
            try:
                data = json.loads(cached.read_text(encoding="utf-8"))
                if data.get("version") == PARSER_VERSION:
                    parsed = ParsedPdf.from_dict(data)
                    parsed.path = str(path)
                    return parsed
            except (OSError, ValueError, TypeError) as exc:
                logger.warning("unreadable bibliography cache %s (%s); parsing again", cached, exc)

        parsed = parse_pdf(path, sha256)
        if cached is not None:
            atomic_write_bytes(cached, json.dumps(asdict(parsed)).encode("utf-8"))
        return parsed
