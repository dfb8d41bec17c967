"""Map an architecture family and a parameter count to a timm model.

Each supported family has a ladder of timm models ordered from largest to
smallest. The faithful choice is the rung whose ImageNet-1k parameter count
is closest (on a log scale) to the configuration's ``parameters``. The
rungs below it are the stand-ins that :mod:`efficientdl.verify.train` steps
down to when the time budget cannot train the faithful model. The ladders
end with timm's ``test_*`` models (a few hundred thousand parameters), so a
stand-in always exists.

Parameter counts are measured, not copied: the model is built on PyTorch's
``meta`` device (no memory, no weights, no download) and its parameters are
counted.

Examples
--------
>>> choose_model("resnet", 25.6).timm_name
'resnet50'
>>> choose_model("resnet", 25.6).stand_ins[:2]
['resnet34', 'resnet18']
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field
from functools import lru_cache

logger = logging.getLogger(__name__)

#: Family to timm models, largest first. Every name exists in ``timm.list_models()`` (timm 1.0).
FAMILY_LADDERS: dict[str, tuple[str, ...]] = {
    "resnet": ("resnet152", "resnet101", "resnet50", "resnet34", "resnet18", "resnet10t", "test_resnet"),
    "resnext": ("resnext101_32x8d", "resnext50_32x4d", "resnet18", "resnet10t", "test_resnet"),
    "vit": (
        "vit_huge_patch14_224",
        "vit_large_patch16_224",
        "vit_base_patch16_224",
        "vit_small_patch16_224",
        "vit_tiny_patch16_224",
        "test_vit",
    ),
    "deit": ("deit_base_patch16_224", "deit_small_patch16_224", "deit_tiny_patch16_224", "test_vit"),
    "convnext": (
        "convnext_xlarge",
        "convnext_large",
        "convnext_base",
        "convnext_small",
        "convnext_tiny",
        "convnext_nano",
        "convnext_pico",
        "convnext_femto",
        "convnext_atto",
        "test_convnext",
    ),
    "efficientnet": (
        "efficientnet_b7",
        "efficientnet_b6",
        "efficientnet_b5",
        "efficientnet_b4",
        "efficientnet_b3",
        "efficientnet_b2",
        "efficientnet_b1",
        "efficientnet_b0",
        "test_efficientnet",
    ),
    "mobilenet": (
        "mobilenetv3_large_100",
        "mobilenetv2_100",
        "mobilenetv3_large_075",
        "mobilenetv2_050",
        "mobilenetv3_small_100",
        "mobilenetv3_small_050",
        "test_efficientnet",
    ),
}

#: Model used when a configuration gives a family but no parameter count.
FAMILY_DEFAULTS: dict[str, str] = {
    "resnet": "resnet50",
    "resnext": "resnext50_32x4d",
    "vit": "vit_base_patch16_224",
    "deit": "deit_small_patch16_224",
    "convnext": "convnext_tiny",
    "efficientnet": "efficientnet_b0",
    "mobilenet": "mobilenetv3_large_100",
}

#: Family used when the configuration names none that is supported.
FALLBACK_FAMILY = "resnet"


@dataclass
class ModelChoice:
    """The timm model chosen for a configuration and the smaller ones that may replace it.

    Attributes
    ----------
    timm_name : str
        Faithful model name, present in ``timm.list_models()``.
    family : str
        Family whose ladder ``stand_ins`` come from.
    parameters_m : float
        Parameters of ``timm_name`` with a 1000-class head, millions.
    stand_ins : list of str
        Smaller models of the ladder, largest first.
    notes : list of str
        How the choice was made when it is not a plain match (an unknown
        family, a missing parameter count).
    """

    timm_name: str
    family: str
    parameters_m: float
    stand_ins: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@lru_cache(maxsize=None)
def count_parameters_m(timm_name: str, num_classes: int = 1000) -> float:
    """Return the parameter count of a timm model in millions, built on the meta device."""
    import timm
    import torch

    with torch.device("meta"):
        model = timm.create_model(timm_name, pretrained=False, num_classes=num_classes)
    return sum(p.numel() for p in model.parameters()) / 1e6


@lru_cache(maxsize=1)
def _timm_names() -> frozenset[str]:
    import timm

    return frozenset(timm.list_models())


def timm_architecture(model_name: str | None) -> str | None:
    """Return the timm architecture named by ``model_name`` (its pretrained tag dropped), or None.

    >>> timm_architecture("resnet50.a1_in1k")
    'resnet50'
    >>> timm_architecture("ResNet-50 (paper)") is None
    True
    """
    if not model_name:
        return None
    base = str(model_name).split(".")[0].strip()
    return base if base in _timm_names() else None


def _closest(ladder: tuple[str, ...], parameters_m: float) -> str:
    return min(ladder, key=lambda name: abs(math.log(count_parameters_m(name)) - math.log(parameters_m)))


def choose_model(family: str | None, parameters_m: float | None, model_name: str | None = None) -> ModelChoice:
    """Choose the timm model for a configuration.

    Parameters
    ----------
    family : str or None
        Architecture family (``resnet``, ``vit``, ...). Case is ignored.
    parameters_m : float or None
        Parameters of the configured model, millions.
    model_name : str or None
        The configuration's model name. When it is a timm architecture
        (``resnet50.a1_in1k`` is), that model is used as it is.

    Returns
    -------
    ModelChoice
    """
    notes: list[str] = []
    family_key = (family or "").strip().lower() or None
    ladder_key = family_key if family_key in FAMILY_LADDERS else None

    direct = timm_architecture(model_name)
    if direct is not None:
        ladder_key = ladder_key or _ladder_containing(direct) or FALLBACK_FAMILY
        ladder = FAMILY_LADDERS[ladder_key]
        parameters = count_parameters_m(direct)
        stand_ins = [name for name in ladder if count_parameters_m(name) < parameters]
        return ModelChoice(direct, ladder_key, parameters, stand_ins)

    if ladder_key is None:
        ladder_key = FALLBACK_FAMILY
        notes.append(
            f"architecture_family {family!r} has no timm ladder (supported: {', '.join(FAMILY_LADDERS)}); "
            f"used {FALLBACK_FAMILY}"
        )
    ladder = FAMILY_LADDERS[ladder_key]

    if parameters_m is None or parameters_m <= 0:
        chosen = FAMILY_DEFAULTS[ladder_key]
        notes.append(f"parameters missing; used the family default {chosen}")
    else:
        chosen = _closest(ladder, parameters_m)

    stand_ins = list(ladder[ladder.index(chosen) + 1:])
    return ModelChoice(chosen, ladder_key, count_parameters_m(chosen), stand_ins, notes)


def _ladder_containing(timm_name: str) -> str | None:
    for key, ladder in FAMILY_LADDERS.items():
        if timm_name in ladder:
            return key
    return None
