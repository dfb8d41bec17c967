"""Sentences from lines in reading order, each with its page and box.

Lines are joined into running text (a hyphen at a line end followed by a
lower-case word is removed), then split after ``.``, ``!`` or ``?`` that
end a sentence, leaving abbreviations such as "e.g." and "Fig." alone. A
sentence keeps the page where it starts and the union of the boxes of its
lines on that page.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

from efficientdl.extractors.pdf.layout import Line

_ABBREVIATIONS = regex.compile(
    r"(?:\b(?:e\.g|i\.e|et al|etc|Fig|Figs|Eq|Eqs|Sec|Tab|Table|vs|cf|approx|resp|No|Ref|Refs|Appx|Alg)\.|\b\p{Lu}\.)$"
)
_SENTENCE_END = regex.compile(r"[.!?](?=\s+[\p{Lu}(\[\"“])")


@dataclass
class Sentence:
    """One sentence with where it was read."""

    text: str
    page: int
    bbox: list[float]
    section: str | None
    heading: str | None = None


def _join(lines: list[Line]) -> tuple[str, list[tuple[int, int, Line]]]:
    text = ""
    spans: list[tuple[int, int, Line]] = []
    for line in lines:
        piece = line.text.strip()
        if not piece:
            continue
        if text.endswith("-") and regex.match(r"\p{Ll}", piece) and regex.search(r"\p{L}-$", text):
            text = text[:-1]
        elif text:
            text += " "
        spans.append((len(text), len(text) + len(piece), line))
        text += piece
    return text, spans


def tidy(text: str) -> str:
    """Close the gaps PDFs put inside numbers: ``0 . 045`` reads as ``0.045``.

    Examples
    --------
    >>> tidy("learning rate of 0 . 045 , decayed")
    'learning rate of 0.045, decayed'
    """
    text = regex.sub(r"(?<=\d) ?\. ?(?=\d)", ".", text)
    return regex.sub(r" ([,;:])(?= |$)", r"\1", text)


def _split_points(text: str) -> list[int]:
    points = []
    for match in _SENTENCE_END.finditer(text):
        head = text[: match.start() + 1]
        if _ABBREVIATIONS.search(head):
            continue
        points.append(match.end())
    return points


def _make_sentence(text: str, start: int, end: int, spans: list[tuple[int, int, Line]]) -> Sentence | None:
    piece = tidy(text[start:end].strip())
    if len(piece) < 3:
        return None
    touched = [line for s, e, line in spans if s < end and e > start]
    if not touched:
        return None
    first = touched[0]
    same_page = [line for line in touched if line.page == first.page]
    bbox = [
        round(min(line.x0 for line in same_page), 2),
        round(min(line.top for line in same_page), 2),
        round(max(line.x1 for line in same_page), 2),
        round(max(line.bottom for line in same_page), 2),
    ]
    return Sentence(piece, first.page, bbox, first.section, first.heading)


def split_sentences(paragraphs: list[list[Line]]) -> list[Sentence]:
    """Return the sentences of each paragraph (a list of lines in reading order)."""
    sentences: list[Sentence] = []
    for lines in paragraphs:
        text, spans = _join(lines)
        start = 0
        for point in [*_split_points(text), len(text)]:
            sentence = _make_sentence(text, start, point, spans)
            if sentence is not None:
                sentences.append(sentence)
            start = point
    return sentences
