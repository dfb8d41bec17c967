"""Architecture components of model families, as their defining papers state them.

Model zoos name a checkpoint but rarely list its normalisation, activation
or attention; the paper that defines the family does. This module keeps
those facts as a declarative table, one entry per family, each with its
source. Some families have members that differ in a component (MobileNet v1
to v4, ViT with global average pooling, ResNets with group norm). Those get
variant entries chosen by a pattern on the model name, so that a model does
not inherit a fact that is false for it. A component the source does not
settle is left out rather than guessed.

Every value is canonical in its component's vocabulary
(:mod:`efficientdl.schema.vocabulary`); sets are lists, and an empty list
states that the family has none (``attention: []`` for a plain ResNet).

Examples
--------
>>> architecture_facts("resnet")["activation"]
['ReLU']
>>> architecture_facts("no such family")
{}
>>> family_key("resnetv2_50x1_bit.goog_in21k_ft_in1k")
'resnet_bit'
>>> model_facts("vit_base_patch16_224.augreg_in21k_ft_in1k")[1].arxiv
'2010.11929'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

import regex

from efficientdl.extractors.repos.family_table import FAMILY_TABLE, VARIANT_PATTERNS, Entry
from efficientdl.extractors.repos.naming import architecture_family

__all__ = [
    "FamilyFacts",
    "FAMILY_FACTS",
    "architecture_facts",
    "family_key",
    "model_facts",
]


@dataclass(frozen=True)
class FamilyFacts:
    """Architecture components of one family and the paper that states them.

    Parameters
    ----------
    key : str
        Family name as :func:`~efficientdl.extractors.repos.naming.architecture_family`
        returns it, or a variant name such as ``"mobilenetv3"``.
    title : str
        Title of the defining paper, or the implementation the facts come
        from when no paper states them.
    arxiv : str or None
        arXiv identifier of the paper.
    components : mapping
        Component name to its canonical value: a string for a choice
        component, a tuple of strings for a set component.
    """

    key: str
    title: str
    arxiv: str | None
    components: Mapping[str, str | tuple[str, ...]]

    @property
    def citation(self) -> str:
        """Title with its arXiv identifier, for provenance strings."""
        return f"{self.title} (arXiv:{self.arxiv})" if self.arxiv else self.title

    def as_fields(self) -> dict[str, object]:
        """Return the components as record fields (sets become lists)."""
        return {
            name: list(value) if isinstance(value, tuple) else value
            for name, value in self.components.items()
        }


def _resolve(key: str, entry: Entry, table: Mapping[str, Entry], seen: tuple[str, ...] = ()) -> dict:
    """Merge an entry over the entry it extends. A None value drops the inherited component."""
    if key in seen:
        raise ValueError(f"family entry {key!r} extends itself through {' -> '.join(seen)}")
    merged: dict = {}
    if entry.extends is not None:
        merged.update(_resolve(entry.extends, table[entry.extends], table, (*seen, key)))
    for name, value in entry.components.items():
        if value is None:
            merged.pop(name, None)
        else:
            merged[name] = value
    return merged


def _build(table: Mapping[str, Entry]) -> dict[str, FamilyFacts]:
    return {
        key: FamilyFacts(key, entry.title, entry.arxiv, _resolve(key, entry, table))
        for key, entry in table.items()
    }


#: Resolved facts by family or variant key.
FAMILY_FACTS: dict[str, FamilyFacts] = _build(FAMILY_TABLE)

_VARIANTS = tuple((regex.compile(pattern), key) for pattern, key in VARIANT_PATTERNS)


def architecture_facts(family: str) -> dict[str, object]:
    """Return the canonical architecture components of a family or variant key.

    Parameters
    ----------
    family : str
        A family as :func:`~efficientdl.extractors.repos.naming.architecture_family`
        returns it (``"resnet"``, ``"vit"``) or a variant key (``"mobilenetv3"``).

    Returns
    -------
    dict
        Component name to canonical value (sets as lists); ``{}`` for an
        unknown family.
    """
    facts = FAMILY_FACTS.get(family.strip().lower()) or FAMILY_FACTS.get(family.strip())
    return facts.as_fields() if facts else {}


@lru_cache(maxsize=8192)
def family_key(model_name: str) -> str:
    """Return the table key for a model name: a matching variant, else its family.

    The variant patterns are tried on the lower-cased architecture part of
    the name (before the first ``.``), in table order. Results are cached,
    because a zoo lists each model once per evaluation set.
    """
    architecture = model_name.split(".")[0].strip().lower()
    for pattern, key in _VARIANTS:
        if pattern.search(architecture):
            return key
    return architecture_family(model_name)


def model_facts(model_name: str) -> tuple[str, FamilyFacts] | None:
    """Return the table key and facts that apply to one model, or None when no entry does."""
    key = family_key(model_name)
    facts = FAMILY_FACTS.get(key)
    return (key, facts) if facts else None
