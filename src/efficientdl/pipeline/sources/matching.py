"""Fuzzy title comparison with :mod:`difflib`: whole titles, and a title inside a reference entry.

Both sides are folded with :func:`normalize_title` first, so case,
punctuation, ligatures and line-break hyphens do not count.

Examples
--------
>>> round(title_similarity("Deep Residual Learning for Image Recognition",
...                        "Deep residual learning for image recognition."), 2)
1.0
>>> title_in_text("Going deeper with convolutions",
...               "C. Szegedy, W. Liu. Going deeper with convolutions. In CVPR, 2015.")
1.0
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher
from typing import TypeVar

from efficientdl.pipeline.sources.base import PaperRecord, normalize_title

#: Default similarity (0-1) above which two titles name the same paper.
TITLE_THRESHOLD = 0.9

#: Titles with at most this many words must appear word for word in a reference.
SHORT_TITLE_WORDS = 3

_STOP = frozenset("a an and are at by for from in is of on the to with via what you your".split())

R = TypeVar("R", bound=PaperRecord)


def title_similarity(first: str | None, second: str | None) -> float:
    """Return the :class:`difflib.SequenceMatcher` ratio (0-1) of two normalised titles."""
    a, b = normalize_title(first), normalize_title(second)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def best_title_match(title: str | None, candidates: Sequence[R], threshold: float = TITLE_THRESHOLD) -> R | None:
    """Return the candidate whose title is most similar to ``title``, if at least ``threshold``."""
    scored = [(title_similarity(title, c.title), i) for i, c in enumerate(candidates)]
    if not scored:
        return None
    score, index = max(scored)
    return candidates[index] if score >= threshold else None


def title_in_text(title: str, text: str, threshold: float = TITLE_THRESHOLD) -> float:
    """Return how well ``title`` appears inside ``text`` (0-1), or 0.0 below ``threshold``.

    The title's words are compared with every run of as many words of the
    text (one word more or fewer too), character by character. Titles of up
    to :data:`SHORT_TITLE_WORDS` words must appear exactly, because a fuzzy
    match of two or three words finds them in unrelated references.
    """
    title_words = normalize_title(title).split()
    text_words = normalize_title(text).split()
    if not title_words or not text_words:
        return 0.0

    n = len(title_words)
    phrase = " ".join(title_words)
    if n <= SHORT_TITLE_WORDS:
        padded = f" {' '.join(text_words)} "
        return 1.0 if f" {phrase} " in padded else 0.0

    # Cheap filter: most of the title's content words must occur in the text.
    content = [w for w in title_words if w not in _STOP and len(w) > 2] or title_words
    present = set(text_words)
    if sum(w in present for w in content) < 0.6 * len(content):
        return 0.0

    best = 0.0
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(phrase)
    for size in (n - 1, n, n + 1):
        if size < 1:
            continue
        for start in range(0, max(1, len(text_words) - size + 1)):
            window = " ".join(text_words[start : start + size])
            matcher.set_seq1(window)
            if matcher.real_quick_ratio() < threshold or matcher.quick_ratio() < threshold:
                continue
            best = max(best, matcher.ratio())
    return best if best >= threshold else 0.0
