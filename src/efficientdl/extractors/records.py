"""Records that extractors hand to the validate-and-load stage.

An extractor reads one kind of source and yields :class:`RawRecord` objects
(one published result with its raw values) and :class:`Problem` objects
(input it could not read, with the reason). It never writes to the
warehouse and never normalises: :mod:`efficientdl.pipeline.ingest` does both,
so every source goes through the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union


@dataclass
class RawRecord:
    """One result as its source states it.

    Parameters
    ----------
    source : str
        Source kind: ``timm``, ``mmpretrain``, ``sheet``, ``pdf`` or
        ``verification``.
    source_file : str
        File the record came from, as given to the extractor.
    source_key : str
        Key of the record inside its source (a model name and dataset, a row
        number). Together with ``source`` it identifies the record, so
        re-ingesting the same input updates instead of duplicating.
    extractor : str
        Name and version of the extractor, e.g. ``"timm-results/1"``.
    fields : dict
        Raw values by component or identity-field name (see
        :mod:`efficientdl.schema.components`). Values may be strings,
        numbers or lists; the loader normalises them.
    details : dict
        Facts that are not components but worth keeping (weight decay,
        momentum, warm-up epochs, FLOPs, top-5), as JSON-serialisable values.
    field_sources : dict
        Where inside the source each field was read (a column name, a YAML
        path, a config file), by field name. Fields absent here came from
        ``source_key``.
    paper_title, paper_url : str or None
        The paper the result belongs to, when the source names it.
    """

    source: str
    source_file: str
    source_key: str
    extractor: str
    fields: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    field_sources: dict[str, str] = field(default_factory=dict)
    paper_title: str | None = None
    paper_url: str | None = None


@dataclass
class Problem:
    """Input an extractor could not read.

    ``raw`` is the offending text or row (truncated by the loader when
    large); ``reason`` states what is wrong and how to fix it.
    """

    source: str
    source_file: str
    source_key: str
    reason: str
    raw: Any = None


@dataclass
class Skipped:
    """A readable entry that is deliberately not a result (for example a
    self-supervised checkpoint published without a Top-1)."""

    source: str
    source_file: str
    source_key: str
    reason: str


ExtractorItem = Union[RawRecord, Problem, Skipped]
