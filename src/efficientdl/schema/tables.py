"""Pandera models of the warehouse tables: the rules of each table in one place.

Rows are validated lazily (every failing check is collected, not only the
first) before they are written; :func:`split_valid` turns pandera's failure
cases into one list of errors per row, so the loader can quarantine the
failing rows and load the rest.

The ``configurations`` columns for the 27 components are generated from the
registry in :mod:`efficientdl.schema.components`: numbers get a range check,
closed vocabularies a membership check, each check named after its column.
"""

from __future__ import annotations

from collections import defaultdict

import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from efficientdl.schema.components import ALL_FIELDS, COMPONENTS, IDENTITY_FIELDS, Component, Kind

SOURCES = ("timm", "mmpretrain", "sheet", "pdf", "verification", "seed")
EXTRACTION_STATUSES = ("pending", "accepted", "edited", "rejected")


class ConfigurationModel(pa.DataFrameModel):
    """Identity and provenance columns of ``configurations``; components are added by
    :func:`configuration_schema`."""

    config_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 8})
    source: Series[str] = pa.Field(isin=SOURCES)
    source_file: Series[str] = pa.Field(nullable=True)
    source_key: Series[str] = pa.Field(str_length={"min_value": 1})
    extractor: Series[str]
    paper_id: Series[str] = pa.Field(nullable=True)
    paper_title: Series[str] = pa.Field(nullable=True)
    paper_url: Series[str] = pa.Field(nullable=True)
    model_name: Series[str] = pa.Field(str_length={"min_value": 1})
    architecture_family: Series[str] = pa.Field(nullable=True)
    dataset: Series[str] = pa.Field(str_length={"min_value": 1})
    pretraining_data: Series[str] = pa.Field(nullable=True)
    top1: Series[float] = pa.Field(ge=0.0, le=100.0, nullable=False)
    details: Series[str] = pa.Field(nullable=True)
    provenance: Series[str]
    flags: Series[str] = pa.Field(nullable=True)
    content_hash: Series[str]

    class Config:
        strict = False
        coerce = True


def _set_members_known(component: Component):
    allowed = set(component.vocabulary.values)

    def check(series: pd.Series) -> pd.Series:
        return series.map(lambda items: items is None or all(item in allowed for item in items))

    return pa.Check(check, name=f"{component.name}_in_vocabulary")


def _component_column(component: Component) -> pa.Column:
    checks: list[pa.Check] = []
    if component.kind is Kind.NUMBER:
        low, high = component.bounds
        checks.append(pa.Check.in_range(low, high, name=f"{component.name}_in_range"))
        if component.integer:
            checks.append(
                pa.Check(lambda s: (s.dropna() % 1 == 0).reindex(s.index, fill_value=True), name=f"{component.name}_whole")
            )
        return pa.Column(float, checks=checks, nullable=True, coerce=True)
    if component.kind is Kind.CHOICE:
        if component.vocabulary is not None and component.vocabulary.closed:
            checks.append(pa.Check.isin(component.vocabulary.values, name=f"{component.name}_in_vocabulary"))
        return pa.Column(object, checks=checks, nullable=True)
    if component.vocabulary is not None and component.vocabulary.closed:
        checks.append(_set_members_known(component))
    return pa.Column(object, checks=checks, nullable=True)


def configuration_schema() -> pa.DataFrameSchema:
    """Return the full ``configurations`` schema: the model plus one column per component."""
    schema = ConfigurationModel.to_schema()
    return schema.add_columns({name: _component_column(c) for name, c in COMPONENTS.items()})


class QuarantineModel(pa.DataFrameModel):
    quarantine_id: Series[str] = pa.Field(unique=True)
    source: Series[str]
    stage: Series[str]
    reason: Series[str] = pa.Field(str_length={"min_value": 1})
    errors: Series[str] = pa.Field(nullable=True)
    raw: Series[str] = pa.Field(nullable=True)


class PaperModel(pa.DataFrameModel):
    paper_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    title: Series[str] = pa.Field(nullable=True)
    arxiv_id: Series[str] = pa.Field(nullable=True, str_matches=r"^\d{4}\.\d{4,5}$|^[a-z\-]+(\.[A-Z]{2})?/\d{7}$")
    doi: Series[str] = pa.Field(nullable=True, str_matches=r"^10\.\d{4,9}/\S+$")
    year: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1950, le=2100)
    pdf_sha256: Series[str] = pa.Field(nullable=True, str_matches=r"^[0-9a-f]{64}$")

    class Config:
        strict = False
        coerce = True


class CitationModel(pa.DataFrameModel):
    citing_id: Series[str] = pa.Field(str_length={"min_value": 1})
    cited_id: Series[str] = pa.Field(str_length={"min_value": 1})
    source: Series[str]

    @pa.dataframe_check(name="no_self_citation")
    def no_self_citation(cls, df: pd.DataFrame) -> Series[bool]:
        return df["citing_id"] != df["cited_id"]

    class Config:
        strict = False


class ExtractionModel(pa.DataFrameModel):
    extraction_id: Series[str] = pa.Field(unique=True)
    paper_id: Series[str]
    model_name: Series[str] = pa.Field(nullable=True)
    dataset: Series[str] = pa.Field(nullable=True)
    component: Series[str] = pa.Field(isin=tuple(ALL_FIELDS))
    value: Series[str] = pa.Field(nullable=True)
    raw_text: Series[str] = pa.Field(nullable=True)
    page: Series[pd.Int64Dtype] = pa.Field(nullable=True, ge=1)
    snippet: Series[str] = pa.Field(nullable=True)
    extractor: Series[str]
    confidence: Series[float] = pa.Field(ge=0.0, le=1.0)
    status: Series[str] = pa.Field(isin=EXTRACTION_STATUSES)

    class Config:
        strict = False
        coerce = True


class ReviewLogModel(pa.DataFrameModel):
    extraction_id: Series[str]
    action: Series[str] = pa.Field(isin=("accept", "edit", "reject", "undo"))
    reviewer: Series[str] = pa.Field(str_length={"min_value": 1})

    class Config:
        strict = False


class PredictorModel(pa.DataFrameModel):
    predictor_id: Series[str] = pa.Field(unique=True)
    n_rows: Series[int] = pa.Field(gt=0)
    artifact_path: Series[str]
    artifact_sha256: Series[str] = pa.Field(str_matches=r"^[0-9a-f]{64}$")

    class Config:
        strict = False
        coerce = True


class RecommendationModel(pa.DataFrameModel):
    recommendation_id: Series[str] = pa.Field(unique=True)
    method: Series[str]
    evaluations: Series[int] = pa.Field(ge=0)
    seconds: Series[float] = pa.Field(ge=0)

    class Config:
        strict = False
        coerce = True


class VerificationModel(pa.DataFrameModel):
    verification_id: Series[str] = pa.Field(unique=True)
    device: Series[str]
    wall_seconds: Series[float] = pa.Field(ge=0)
    measured_top1: Series[float] = pa.Field(ge=0.0, le=100.0)
    predicted_top1: Series[float] = pa.Field(nullable=True)

    class Config:
        strict = False
        coerce = True


def split_valid(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> tuple[pd.DataFrame, dict[int, list[str]]]:
    """Validate ``frame`` lazily and split it into valid rows and errors per failing row.

    Returns
    -------
    valid : DataFrame
        The rows that passed every check (coerced by the schema).
    errors : dict
        Row index label to the list of messages, one per failed check, e.g.
        ``"top1: value 180.0 failed the check less_than_or_equal_to(100.0)"``. Failures that concern
        the whole frame (a missing column) are reported under every row.
    """
    try:
        return schema.validate(frame, lazy=True), {}
    except pa.errors.SchemaErrors as exc:
        cases = exc.failure_cases

    errors: dict[int, list[str]] = defaultdict(list)
    for case in cases.itertuples(index=False):
        column = case.column if isinstance(case.column, str) else "row"
        message = f"{column}: value {case.failure_case!r} failed the check {case.check}"
        if pd.isna(case.index):
            for label in frame.index:
                errors[label].append(message)
        else:
            errors[case.index].append(message)

    failing = frame.index.isin(list(errors))
    valid = schema.validate(frame.loc[~failing], lazy=True) if (~failing).any() else frame.iloc[0:0]
    return valid, dict(errors)


__all__ = [
    "ConfigurationModel",
    "configuration_schema",
    "QuarantineModel",
    "PaperModel",
    "CitationModel",
    "ExtractionModel",
    "ReviewLogModel",
    "PredictorModel",
    "RecommendationModel",
    "VerificationModel",
    "split_valid",
    "IDENTITY_FIELDS",
]
