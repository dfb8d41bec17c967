"""Run one repository extractor over a path and load its output into the warehouse."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from efficientdl.extractors.records import ExtractorItem
from efficientdl.pipeline.ingest import IngestReport, ingest_items
from efficientdl.warehouse.db import Warehouse

logger = logging.getLogger(__name__)

#: Source kind to the extractor function (``module:function``) that reads it.
EXTRACTORS: dict[str, str] = {
    "timm": "efficientdl.extractors.repos.timm_results:extract_timm_results",
    "mmpretrain": "efficientdl.extractors.repos.mmpretrain:extract_mmpretrain",
    "sheet": "efficientdl.extractors.repos.sheet:extract_sheet",
}


def get_extractor(kind: str) -> Callable[[Path], Iterable[ExtractorItem]]:
    """Return the extractor function for a source kind.

    Raises
    ------
    KeyError
        Naming the known kinds, when ``kind`` is not one of them.
    """
    if kind not in EXTRACTORS:
        raise KeyError(f"unknown source kind {kind!r}; known: {', '.join(EXTRACTORS)}")
    module_name, function_name = EXTRACTORS[kind].split(":")
    return getattr(importlib.import_module(module_name), function_name)


def ingest_path(
    wh: Warehouse,
    kind: str,
    path: str | Path,
    *,
    on_item: Callable[[ExtractorItem], None] | None = None,
) -> IngestReport:
    """Extract ``path`` with the ``kind`` extractor and load the result.

    ``on_item`` is called once per extracted item (for progress bars).

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist or holds nothing the extractor reads.
    """
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist")
    extractor = get_extractor(kind)

    def observed(items: Iterable[ExtractorItem]) -> Iterator[ExtractorItem]:
        for item in items:
            if on_item is not None:
                on_item(item)
            yield item

    return ingest_items(wh, observed(extractor(path)), source=kind)
