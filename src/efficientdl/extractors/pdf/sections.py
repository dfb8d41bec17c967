"""Section headings and the section kind of every line.

Headings are short lines that start with a section number (``4.1``,
``A.2``, ``IV.``) or are set in a bold or larger font, and read like a
title. Their text decides the section kind that the rules use to weigh what
they find: a learning rate stated under "Implementation details" is the
paper's setting, one stated under "Related work" usually is not.
"""

from __future__ import annotations

import regex

from efficientdl.extractors.pdf.layout import Line

#: Section kinds, tried in this order against the heading text.
SECTION_KINDS: tuple[tuple[str, str], ...] = (
    ("references", r"^(?:references|bibliography)$"),
    ("appendix", r"\bappendix\b|\bsupplementary\b|^appendices$"),
    ("training", r"\bimplementation\b|\btraining (?:settings?|details?|setups?|recipes?|procedure)\b|"
                 r"\bexperimental (?:settings?|setups?|details?)\b|\bsetups?\b|\bhyper-?parameters?\b|\btraining\b|"
                 r"\bdata augmentation\b|\bdetails of learning\b|\blearning details\b|\boptimi[sz]ation details\b"),
    ("experiments", r"\bexperiments?\b|\bresults?\b|\bevaluation\b|\bimagenet\b|\bclassification\b|\bcomparisons?\b|\bablation"),
    ("related", r"\brelated work\b|\bbackground\b|\bprior work\b"),
    ("introduction", r"\bintroduction\b"),
    ("abstract", r"^abstract$"),
    ("method", r".*"),
)

_NUMBERED = regex.compile(r"^(?:(?:\d{1,2}(?:\.\d{1,2}){0,3}|[A-H](?:\.\d{1,2}){0,3}|[IVX]{1,5})\.?)\s+(?P<title>\p{Lu}.{1,70})$")
_BARE_TITLE = regex.compile(r"^(?:abstract|references|acknowledg(?:e)?ments?|appendix(?:\s+\p{L})?|introduction)$", regex.IGNORECASE)
_NOT_A_TITLE = regex.compile(r"(?:\d\s*%|=|\bet al\b|[.,;]$|\b(?:is|are|was|were|we|our)\b)", regex.IGNORECASE)


def heading_title(line: Line, body_size: float) -> str | None:
    """Return the heading text when ``line`` is a section heading, else None."""
    text = line.text.strip()
    if len(text) > 80 or len(text) < 4:
        return None
    if _BARE_TITLE.match(text):
        return text

    numbered = _NUMBERED.match(text)
    if numbered and not _NOT_A_TITLE.search(numbered["title"]) and len(numbered["title"].split()) <= 9:
        return numbered["title"]

    styled = line.bold or line.size >= body_size + 1.0
    if styled and not _NOT_A_TITLE.search(text) and len(text.split()) <= 8 and regex.match(r"^\p{Lu}", text):
        return text
    return None


def section_kind(title: str) -> str:
    """Return the kind of a section from its heading text.

    Examples
    --------
    >>> section_kind("4.1. Implementation Details")
    'training'
    >>> section_kind("Related Work")
    'related'
    >>> section_kind("B Additional results")
    'experiments'
    """
    text = regex.sub(r"^[\dA-Z.]+\s+", "", title.strip()) if regex.match(r"^[\d.]+\s|^[A-H](?:\.\d+)*\s", title) else title
    text = text.lower().strip()
    for kind, pattern in SECTION_KINDS:
        if regex.search(pattern, text):
            return kind
    return "method"


def label_sections(lines: list[Line], body_size: float) -> None:
    """Set ``line.section`` on every line (in reading order) to its section kind.

    Lines before the first heading are ``front``. Once the appendix starts,
    later numbered sections are appendix sections too, unless they are the
    references.
    """
    current = "front"
    heading = None
    in_appendix = False
    for line in lines:
        title = heading_title(line, body_size)
        if title is not None:
            kind = section_kind(title)
            if kind == "appendix":
                in_appendix = True
            current = kind
            heading = title
            if in_appendix and kind not in ("references", "appendix"):
                current = "appendix-" + kind
        line.section = current
        line.heading = heading
