"""Fill a record's empty components from published facts about its model.

Model-zoo extractors read what a zoo file states (Top-1, parameters, input
size) and call :func:`apply_published_facts` to add what the model's name
implies: the architecture components its family's paper states
(:mod:`~efficientdl.extractors.repos.families`) and, for timm names, the
training recipe its pretrained tag documents
(:mod:`~efficientdl.extractors.repos.timm_tags`). A value the source
already gives is never overwritten.

Examples
--------
>>> fields = {"model_name": "resnet50.a1_in1k", "activation": None}
>>> sources = {}
>>> filled = apply_published_facts(fields, sources, "resnet50.a1_in1k")
>>> fields["activation"], fields["optimizer"]
(['ReLU'], 'LAMB')
>>> sources["activation"]
'family facts: Deep Residual Learning for Image Recognition (arXiv:1512.03385)'
"""

from __future__ import annotations

from typing import Any

from efficientdl.extractors.repos.families import model_facts
from efficientdl.extractors.repos.timm_tags import recipe_from_tag, split_model_name

__all__ = ["apply_published_facts"]


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def apply_published_facts(
    fields: dict[str, Any],
    field_sources: dict[str, str],
    model_name: str,
    details: dict[str, Any] | None = None,
) -> list[str]:
    """Fill the empty fields of one record from its family facts and timm tag recipe.

    Parameters
    ----------
    fields : dict
        The record's raw fields; modified in place. A field counts as empty
        when it is absent, None or a blank string.
    field_sources : dict
        Where each field came from; modified in place with
        ``"family facts: <paper>"`` or ``"timm tag <tag>: <source>"`` for
        each filled field.
    model_name : str
        The model name as the zoo spells it. Family facts apply to timm and
        mmpretrain names; recipe facts only to timm names
        (``<architecture>.<tag>``).
    details : dict, optional
        The record's details; when given, the recipe's details (weight
        decay, warm-up, loss) are stored under ``"published_recipe"``.

    Returns
    -------
    list of str
        Names of the fields that were filled, in fill order.
    """
    filled: list[str] = []

    found = model_facts(model_name)
    if found is not None:
        _, facts = found
        for name, value in facts.as_fields().items():
            if _is_missing(fields.get(name)):
                fields[name] = value
                field_sources[name] = f"family facts: {facts.citation}"
                filled.append(name)

    architecture, tag = split_model_name(model_name)
    if architecture is None or not tag:
        return filled
    recipe = recipe_from_tag(model_name)
    recipe_details = recipe.pop("details", {})
    recipe_sources = recipe.pop("sources", {})
    for name, value in recipe.items():
        if _is_missing(fields.get(name)):
            fields[name] = value
            field_sources[name] = f"timm tag {tag}: {recipe_sources.get(name, 'tag table')}"
            filled.append(name)
    if details is not None and recipe_details:
        details["published_recipe"] = recipe_details
    return filled
