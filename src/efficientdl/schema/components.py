"""The registry of the 27 components and the identity fields of a configuration.

Everything downstream (table columns, validation, feature encoding, search
spaces) is derived from :data:`COMPONENTS` and :data:`IDENTITY_FIELDS`, so a
new component is added here and nowhere else.

Examples
--------
>>> COMPONENTS["optimizer"].kind
<Kind.CHOICE: 'choice'>
>>> COMPONENTS["optimizer"].vocabulary.lookup("Adam W optimizer")
'AdamW'
>>> [c.name for c in components_of("hardware")]
['gpu_type', 'gpu_count']
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from efficientdl.schema import vocabulary as voc
from efficientdl.schema.vocabulary import Vocabulary


class Kind(str, Enum):
    """How many values a component takes."""

    NUMBER = "number"
    CHOICE = "choice"
    SET = "set"


@dataclass(frozen=True)
class Component:
    """One component of a training setup.

    Parameters
    ----------
    name : str
        Column name in ``configurations`` and key everywhere else.
    dimension : str
        Group the component belongs to (architecture, training, ...).
    kind : Kind
        Number, single choice or set of choices.
    unit : str or None
        Unit of a number, as stored (for example ``"M"`` for millions of
        parameters, ``"px"`` for the input side).
    vocabulary : Vocabulary or None
        Canonical values of a choice or set component.
    bounds : tuple of float or None
        Inclusive ``(low, high)`` range a stored number must fall in; values
        outside are invalid, not clipped.
    log_scale : bool
        Whether the number spans orders of magnitude and is encoded and
        searched on a log scale.
    integer : bool
        Whether the number is a count.
    description : str
        One line for help texts.
    """

    name: str
    dimension: str
    kind: Kind
    unit: str | None = None
    vocabulary: Vocabulary | None = None
    bounds: tuple[float, float] | None = None
    log_scale: bool = False
    integer: bool = False
    description: str = ""

    @property
    def is_number(self) -> bool:
        return self.kind is Kind.NUMBER


def _number(name, dimension, unit, bounds, *, log_scale=False, integer=False, description=""):
    return Component(name, dimension, Kind.NUMBER, unit, None, bounds, log_scale, integer, description)


def _choice(name, dimension, vocabulary, description=""):
    return Component(name, dimension, Kind.CHOICE, None, vocabulary, description=description)


def _set(name, dimension, vocabulary, description=""):
    return Component(name, dimension, Kind.SET, None, vocabulary, description=description)


_REGISTRY: tuple[Component, ...] = (
    _set("normalization", "architecture", voc.NORMALIZATION, "normalisation layers used"),
    _choice("initialization", "architecture", voc.INITIALIZATION, "weight initialisation scheme"),
    _set("convolution", "architecture", voc.CONVOLUTION, "convolution types used"),
    _set("skip_connection", "architecture", voc.SKIP_CONNECTION, "skip-connection types"),
    _set("activation", "architecture", voc.ACTIVATION, "activation functions"),
    _set("pooling", "architecture", voc.POOLING, "pooling operations"),
    _set("feedforward", "architecture", voc.FEEDFORWARD, "feed-forward blocks"),
    _set("attention", "architecture", voc.ATTENTION, "attention mechanisms"),
    _choice("output_function", "architecture", voc.OUTPUT_FUNCTION, "output (classifier) function"),
    _choice("lr_schedule", "training", voc.LR_SCHEDULE, "learning-rate schedule"),
    _choice("optimizer", "training", voc.OPTIMIZER, "optimizer"),
    _number("parameters", "training", "M", (0.001, 100_000.0), log_scale=True, description="trainable parameters, millions"),
    _number("batch_size", "training", "images", (1, 1_000_000), log_scale=True, integer=True, description="total batch size across devices"),
    _number("learning_rate", "training", None, (1e-8, 100.0), log_scale=True, description="base learning rate"),
    _number("epochs", "training", "epochs", (0.01, 100_000), log_scale=True, description="training epochs"),
    _set("regularization", "regularization", voc.REGULARIZATION, "regularisation techniques"),
    _set("data_augmentation", "regularization", voc.DATA_AUGMENTATION, "data augmentations"),
    _choice("framework", "framework", voc.FRAMEWORK, "training framework"),
    _number("train_size", "data", "images", (1, 1e11), log_scale=True, integer=True, description="training images"),
    _number("test_size", "data", "images", (1, 1e10), log_scale=True, integer=True, description="test images"),
    _number("input_size", "data", "px", (1, 10_000), integer=True, description="input side in pixels"),
    _number("num_classes", "data", "classes", (1, 1_000_000), log_scale=True, integer=True, description="output length"),
    _number("cosine_similarity", "data", None, (-1.0, 1.0), description="train/test pixel-distribution cosine similarity"),
    _number("js_divergence", "data", None, (0.0, 1.0), description="train/test Jensen-Shannon divergence (base 2)"),
    _number("l2_distance", "data", None, (0.0, 1e6), description="train/test pixel-distribution L2 distance"),
    _choice("gpu_type", "hardware", voc.GPU_TYPE, "accelerator model"),
    _number("gpu_count", "hardware", "devices", (1, 100_000), log_scale=True, integer=True, description="accelerators used"),
)

#: The 27 components by name, in the order of the design document.
COMPONENTS: dict[str, Component] = {c.name: c for c in _REGISTRY}

#: Fields that identify a configuration and its result rather than describe a setup.
IDENTITY_FIELDS: dict[str, Component] = {
    c.name: c
    for c in (
        Component("model_name", "identity", Kind.CHOICE, description="model name as its source spells it"),
        Component("architecture_family", "identity", Kind.CHOICE, description="architecture family (resnet, vit, ...)"),
        _choice("dataset", "identity", voc.DATASET, "evaluation dataset"),
        _choice("pretraining_data", "identity", voc.PRETRAINING_DATA, "data seen before training on the dataset"),
        _number("top1", "identity", "%", (0.0, 100.0), description="Top-1 accuracy, percent"),
    )
}

#: Every field a configuration value can be extracted for.
ALL_FIELDS: dict[str, Component] = {**IDENTITY_FIELDS, **COMPONENTS}

DIMENSIONS: tuple[str, ...] = ("architecture", "training", "regularization", "framework", "data", "hardware")

assert len(COMPONENTS) == 27, "the registry must hold exactly the 27 components"


def components_of(dimension: str) -> list[Component]:
    """Return the components of one dimension, in registry order."""
    if dimension not in DIMENSIONS:
        raise KeyError(f"unknown dimension {dimension!r}; known: {', '.join(DIMENSIONS)}")
    return [c for c in COMPONENTS.values() if c.dimension == dimension]


def get_field(name: str) -> Component:
    """Return the component or identity field called ``name``.

    Raises
    ------
    KeyError
        With the list of known names, when ``name`` is not one of them.
    """
    try:
        return ALL_FIELDS[name]
    except KeyError:
        raise KeyError(
            f"unknown component {name!r}; known components: {', '.join(ALL_FIELDS)}"
        ) from None
