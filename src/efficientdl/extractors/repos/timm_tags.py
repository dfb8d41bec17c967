"""Training-recipe facts read from timm pretrained tags.

A timm model name ``<architecture>.<tag>`` carries its training recipe in
the tag: ``resnet50.a1_in1k`` was trained with procedure A1 of "ResNet
strikes back" (LAMB, 600 epochs, batch 2048), ``deit_small_patch16_224.fb_in1k``
with the DeiT recipe. :data:`~efficientdl.extractors.repos.tag_table.TAG_RECIPES`
lists the recipes that timm or the papers document. Two token rules add
what any tag states by its spelling: an epoch count (``e3600``, ``450e``,
``1200ep``) and knowledge distillation (``dist``, ``ssld``).

Examples
--------
>>> recipe = recipe_from_tag("resnet50.a1_in1k")
>>> recipe["optimizer"], recipe["epochs"], recipe["batch_size"]
('LAMB', 600, 2048)
>>> recipe_from_tag("mobilenetv4_conv_medium.e500_r256_in1k")["epochs"]
500
>>> recipe_from_tag("some_model.unknown_tag")
{}
"""

from __future__ import annotations

import copy
import logging
from functools import lru_cache
from typing import Any

import regex

from efficientdl.extractors.repos.tag_table import (
    DISTILLATION_TOKENS,
    MULTI_STAGE_TOKENS,
    TAG_RECIPES,
    TagRecipe,
)

logger = logging.getLogger(__name__)

__all__ = ["TagRecipe", "TAG_RECIPES", "split_model_name", "tag_recipe", "epochs_from_tag", "recipe_from_tag"]

_EPOCH_TOKEN = regex.compile(r"^(?:e(\d{2,4})|(\d{2,4})ep?)$")
_COMPILED_MODELS = {recipe.models: regex.compile(recipe.models) for recipe in TAG_RECIPES if recipe.models}


def split_model_name(model_name_or_tag: str) -> tuple[str | None, str]:
    """Split ``<architecture>.<tag>`` into its lower-cased parts.

    A string without a dot is taken as a bare tag, with no architecture.

    >>> split_model_name("ResNet50.A1_in1k")
    ('resnet50', 'a1_in1k')
    >>> split_model_name("tv_in1k")
    (None, 'tv_in1k')
    """
    text = model_name_or_tag.strip().lower()
    architecture, dot, tag = text.partition(".")
    if not dot:
        return None, text
    return architecture, tag


def tag_recipe(model_name_or_tag: str) -> TagRecipe | None:
    """Return the documented recipe for a timm model name or bare tag, or None.

    An entry restricted to some architectures matches only a full model
    name whose architecture fits its pattern; a bare tag matches only
    unrestricted entries.
    """
    architecture, tag = split_model_name(model_name_or_tag)
    for recipe in TAG_RECIPES:
        if tag not in recipe.tags:
            continue
        if recipe.models is None:
            return recipe
        if architecture is not None and _COMPILED_MODELS[recipe.models].search(architecture):
            return recipe
    return None


def epochs_from_tag(tag: str) -> int | None:
    """Return the epoch count a single-stage tag spells (``e3600``, ``450e``, ``1200ep``), else None.

    Tags of checkpoints pre-trained or fine-tuned on other data
    (``sw_e150_in12k_ft_in1k``) return None, because their count belongs
    to the other stage.

    >>> epochs_from_tag("ra4_e3600_r224_in1k")
    3600
    >>> epochs_from_tag("dist_450e_in1k")
    450
    >>> epochs_from_tag("sw_e150_in12k_ft_in1k") is None
    True
    """
    tokens = tag.lower().split("_")
    if MULTI_STAGE_TOKENS.intersection(tokens):
        return None
    for token in tokens:
        match = _EPOCH_TOKEN.match(token)
        if match:
            return int(match.group(1) or match.group(2))
    return None


def recipe_from_tag(model_name_or_tag: str) -> dict[str, Any]:
    """Return the training components a timm model name or tag documents.

    Parameters
    ----------
    model_name_or_tag : str
        A timm name such as ``"resnet50.a1_in1k"`` or a bare tag such as
        ``"a1_in1k"``. Architecture-specific recipes (``fb_in1k`` for DeiT
        or ConvNeXt) need the full name.

    Returns
    -------
    dict
        Component name to canonical value (sets as lists, numbers as
        numbers) plus ``details`` (weight decay, warm-up, loss and the
        ``recipe_source``) and ``sources`` (component name to where the
        value comes from). ``{}`` when the tag documents nothing.
    """
    return copy.deepcopy(_recipe_from_tag(model_name_or_tag))


@lru_cache(maxsize=8192)
def _recipe_from_tag(model_name_or_tag: str) -> dict[str, Any]:
    """Build the result of :func:`recipe_from_tag`. It is cached, so the public function returns deep copies."""
    _, tag = split_model_name(model_name_or_tag)
    recipe = tag_recipe(model_name_or_tag)

    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    details: dict[str, Any] = {}
    if recipe is not None:
        for name, value in recipe.components.items():
            values[name] = list(value) if isinstance(value, tuple) else value
            sources[name] = recipe.source
        details.update(recipe.details)
        details["recipe_source"] = recipe.source

    epochs = epochs_from_tag(tag)
    if epochs is not None and "epochs" not in values:
        values["epochs"] = epochs
        sources["epochs"] = f"epoch count spelled in the tag {tag!r}"

    if DISTILLATION_TOKENS.intersection(tag.split("_")):
        regularization = values.setdefault("regularization", [])
        if "knowledge distillation" not in regularization:
            regularization.append("knowledge distillation")
            sources["regularization"] = "; ".join(
                filter(None, (sources.get("regularization"), f"tag {tag!r} marks a distilled model"))
            )

    if not values:
        return {}
    return {**values, "details": details, "sources": sources}
