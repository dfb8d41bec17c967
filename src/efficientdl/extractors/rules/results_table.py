"""Results tables: one finding per model row for Top-1, parameters, input size
and epochs, with columns recognised by their header text.

Top-1 error columns are converted (Top-1 = 100 - error) and the snippet
says so. A column whose values are all at most 1 holds fractions and is
scaled to percent. The dataset of a value comes from its column header,
else the caption, else the paper's main dataset (with lower confidence).
"""

from __future__ import annotations

import regex

from efficientdl.extractors.pdf.tables import Table
from efficientdl.extractors.rules.base import Finding, find_datasets
from efficientdl.extractors.rules.cells import cell_suffix, clean_model_name, clean_number

_I = regex.IGNORECASE
_TOP5 = regex.compile(r"top-?\s?5", _I)
_TOP1 = regex.compile(r"top-?\s?1|\btop1\b", _I)
_ACCURACY = regex.compile(r"\bacc(?:uracy|\.)?\b|\bacc\b", _I)
_ERROR = regex.compile(r"\berr(?:or|ors|\.)?\b", _I)
_PARAMS = regex.compile(r"param|#\s*p\b|\bparameters?\b", _I)
_FLOPS = regex.compile(r"flops|madds|mult-?adds|multiply-?adds|\bmacs\b|gmacs|throughput|latency|speed|im(?:age)?s?/s|\bms\b|memory", _I)
_RESOLUTION = regex.compile(r"\bres(?:olution|\.)?\b|\binput\b|image size|img size|^size$|test size|train size|crop", _I)
_EPOCHS = regex.compile(r"\bepochs?\b", _I)
_DEPTH = regex.compile(r"#?\s*layers\b|\bdepth\b", _I)
_MODEL_HEADER = regex.compile(r"^(?:model|models|method|methods|network|networks|arch\.?|architecture|name|backbone)s?\b", _I)
_NOT_A_MODEL = regex.compile(r"^(?:\+|w/o|w/|without|with|baseline\b|avg|average|mean|total|ours?$|sum|ensemble)", _I)


def column_role(header: str, caption: str) -> str | None:
    """Return what a column holds: ``top1``, ``top1-error``, ``top5``, ``parameters``,
    ``flops``, ``input_size``, ``epochs``, ``depth``, ``dataset-score`` or None.

    Examples
    --------
    >>> column_role("Top-1 Acc. (%)", "")
    'top1'
    >>> column_role("top-1 err.", "")
    'top1-error'
    >>> column_role("Top-1", "Comparison of error rates on ILSVRC-2010")
    'top1-error'
    >>> column_role("Params (M)", "")
    'parameters'
    """
    if not header:
        return None
    if _TOP5.search(header) and not _TOP1.search(header):
        return "top5"
    if _FLOPS.search(header):
        return "flops"
    if _PARAMS.search(header):
        return "parameters"
    if _TOP1.search(header):
        if _ERROR.search(header) or (not _ACCURACY.search(header) and _ERROR.search(caption) and not _ACCURACY.search(caption)):
            return "top1-error"
        return "top1"
    if _ACCURACY.search(header):
        return "top1"
    if _ERROR.search(header):
        return "top1-error" if not _TOP5.search(caption) or _TOP1.search(caption) else None
    if _EPOCHS.search(header):
        return "epochs"
    if _DEPTH.search(header):
        return "depth"
    if _RESOLUTION.search(header):
        return "input_size"
    if find_datasets(header):
        return "dataset-score"
    return None


def _parameter_scale(header: str) -> float | None:
    """Millions per unit of a parameter column, from its header (``(M)``, ``(K)``, ``(B)``)."""
    if regex.search(r"\(\s*k\s*\)|\bthousands?\b", header, _I):
        return 1e-3
    if regex.search(r"\(\s*(?:b|g)\s*\)|\bbillions?\b", header, _I):
        return 1e3
    if regex.search(r"\(\s*m\s*\)|\bmillions?\b", header, _I) or regex.search(r"\bM\b", header):
        return 1.0
    return None


def _label_column(table: Table, headers: list[str], roles: list[str | None]) -> int:
    """Return the column naming the models: a ``Model``/``Method`` header, else the text
    column with the most distinct values, because group labels such as "Attention" repeat."""
    for index, header in enumerate(headers):
        if roles[index] is None and (_MODEL_HEADER.match(header.strip()) or regex.search(r"\b(?:model|method|network|architecture)s?\b", header, _I)):
            return index
    best, best_distinct = 0, -1
    for index in range(len(headers)):
        if roles[index] is not None:
            continue
        texts = [row[index].text for row in table.body if index < len(row) and row[index].text]
        if not texts or sum(clean_number(t) is None for t in texts) < 0.7 * len(texts):
            continue
        distinct = len(set(texts))
        if distinct > best_distinct:
            best, best_distinct = index, distinct
    return best


def _cell_snippet(table: Table, label: str, header: str, text: str, note: str = "") -> str:
    caption = table.caption[:160]
    snippet = f"{caption} | row: {label} | column: {header} | cell: {text}"
    return snippet + (f" | {note}" if note else "")


def table_findings(table: Table, default_dataset: str | None) -> list[Finding]:
    """Read every model row of a results table into findings."""
    headers = table.column_headers()
    if not headers or len(table.body) == 0:
        return []
    caption = table.caption
    roles = [column_role(h, caption) for h in headers]
    if not any(r in ("top1", "top1-error", "parameters", "dataset-score") for r in roles):
        return []

    caption_dataset = next((d for d, _, _ in find_datasets(caption)), None)
    label_index = _label_column(table, headers, roles)
    depth_index = next((i for i, r in enumerate(roles) if r == "depth"), None)
    score_columns = [i for i, r in enumerate(roles) if r in ("top1", "top1-error", "dataset-score")]
    fractions = {i for i in score_columns if _all_fractions(table, i)}

    findings: list[Finding] = []
    previous_label = ""
    for row in table.body:
        if label_index >= len(row):
            continue
        label = clean_model_name(row[label_index].text) or previous_label
        previous_label = label
        if not label or _NOT_A_MODEL.match(label) or regex.fullmatch(r"[\d.,\s%]+", label):
            continue
        model = label
        if depth_index is not None and depth_index < len(row) and clean_number(row[depth_index].text) is not None:
            model = f"{label}-{int(clean_number(row[depth_index].text))}"

        for index, role in enumerate(roles):
            if role is None or index >= len(row) or index == label_index:
                continue
            cell = row[index]
            value = clean_number(cell.text)
            if value is None:
                continue
            finding = _cell_finding(table, role, headers[index], cell, value, model, label, caption_dataset, default_dataset, index in fractions)
            if finding is not None:
                findings.append(finding)
    return findings


def _all_fractions(table: Table, column: int) -> bool:
    values = [clean_number(row[column].text) for row in table.body if column < len(row)]
    values = [v for v in values if v is not None]
    return bool(values) and all(0 < v <= 1.0 for v in values)


def _cell_finding(table, role, header, cell, value, model, label, caption_dataset, default_dataset, fraction) -> Finding | None:
    header_dataset = next((d for d, _, _ in find_datasets(header)), None)
    dataset = header_dataset or caption_dataset or default_dataset
    confidence = 0.9 if (header_dataset or caption_dataset) else 0.75
    note = ""

    if role in ("top1", "top1-error", "dataset-score"):
        if role == "dataset-score" and not regex.search(r"acc|top-?1|result|performance|error", table.caption, _I):
            return None
        if fraction:
            value *= 100.0
            note = "Top-1 given as a fraction, scaled to percent"
        if role == "top1-error" or (role == "dataset-score" and _ERROR.search(table.caption) and not _ACCURACY.search(table.caption)):
            value = 100.0 - value
            note = "Top-1 = 100 - top-1 error"
        if not 0 < value <= 100:
            return None
        if role == "dataset-score":
            confidence -= 0.1
        component, stored = "top1", round(value, 4)
    elif role == "parameters":
        if regex.search(r"%|\d\s*[KMG]B\b|\bbytes?\b", cell.text):
            return None
        scale = _parameter_scale(header)
        suffix = cell_suffix(cell.text)
        if suffix:
            scale = {"K": 1e-3, "M": 1.0, "B": 1e3, "G": 1e3}[suffix]
        if scale is None:
            scale = 1e-6 if value >= 10_000 else 1.0
            confidence -= 0.1
        component, stored = "parameters", round(value * scale, 6)
        if not 0.001 <= stored <= 100_000:
            return None
    elif role == "input_size":
        if not 16 <= value <= 1024 or value != int(value):
            return None
        component, stored = "input_size", int(value)
        confidence -= 0.05
    elif role == "epochs":
        if not 1 <= value <= 10_000:
            return None
        component, stored = "epochs", value
        confidence -= 0.05
    else:
        return None

    return Finding(
        component=component,
        value=stored,
        raw_text=cell.text,
        snippet=_cell_snippet(table, label, header, cell.text, note),
        page=table.page,
        bbox=cell.bbox or table.bbox,
        rule=f"table:{component}" + (":error" if "100 - top-1 error" in note else ""),
        confidence=round(confidence, 3),
        model_name=model,
        dataset=dataset,
        details={"table_source": table.source, "converted_from_error": "error" in note},
    )
