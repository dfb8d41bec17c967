"""Clean-up of table cells from real papers: footnote marks, bold markers,
spreads, deltas, error rates and fractions.

Examples
--------
>>> clean_number("81.3†")
81.3
>>> clean_number("**78.6***")
78.6
>>> clean_number("76.2 ± 0.1")
76.2
>>> clean_number("77 . 54")
77.54
>>> clean_number("-") is None
True
>>> clean_number("(+1.2)") is None
True
>>> clean_model_name("ResNet-50 [12]†")
'ResNet-50'
"""

from __future__ import annotations

import regex

_MARKS = r"[†‡§¶*∗⋆★♯♮♭#'’^⋄◦°]"
_NUMBER_FIRST = regex.compile(r"^[\s(\[]*(?P<num>[-+−]?\d[\d,]*(?:\s?\.\s?\d+)?)")


def clean_number(text: str) -> float | None:
    """Return the first number of a cell, or None for empty, dash or text cells.

    Footnote marks, ``**`` bold markers, a ``±`` spread and a delta in
    brackets after the number are dropped; ``77 . 54`` (a decimal point set
    apart by the PDF) reads as 77.54.
    """
    text = text.replace("\\textbf", "").replace("**", "").strip()
    text = regex.sub(_MARKS, "", text)
    text = regex.sub(r"\\?pm|±", " ± ", text)
    if not text or regex.fullmatch(r"[-–—/?n/a.\s]+", text, regex.IGNORECASE):
        return None
    if regex.match(r"^[(+↑↓]", text):
        return None
    match = _NUMBER_FIRST.match(text)
    if match is None:
        return None
    raw = match["num"].replace("−", "-").replace(" ", "")
    if regex.fullmatch(r"-?\d{1,3}(?:,\d{3})+(?:\.\d+)?", raw):
        raw = raw.replace(",", "")
    elif "," in raw:
        raw = raw.split(",")[0]
    try:
        return float(raw)
    except ValueError:
        return None


def cell_suffix(text: str) -> str:
    """Return a magnitude suffix right after a cell's number (``M``, ``K``, ``B``, ``G``), or ``""``."""
    match = regex.match(r"^[\s(\[]*[-+−]?\d[\d,]*(?:\s?\.\s?\d+)?\s*(?P<suffix>[MKBGmk])\b", text.strip())
    return match["suffix"].upper() if match else ""


def clean_model_name(text: str) -> str:
    """Strip citations, footnote marks and spare spaces from a row label."""
    text = regex.sub(r"\s*\[[\d,\s–-]+\]", "", text)
    text = regex.sub(r"\s*\((?:\d{4}|[A-Z][a-z]+ et al\.?,?\s*\d{4}[a-z]?)\)", "", text)
    text = regex.sub(_MARKS, "", text)
    text = regex.sub(r"\s*\((?:ours|our|this (?:paper|work))\)", "", text, flags=regex.IGNORECASE)
    text = regex.sub(r"\s*-\s*(?=\d)", "-", text)
    text = regex.sub(r"\s*/\s*", "/", text)
    return " ".join(text.split()).strip(" :,;")
