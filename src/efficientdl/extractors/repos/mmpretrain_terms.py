"""Map the technique and architecture terms of mmpretrain metafiles onto components.

mmpretrain metafiles describe a collection with Papers-with-Code terms:
``Training Techniques`` (``SGD with Momentum``, ``Weight Decay``,
``Mixup``) and ``Architecture`` (``Layer Normalization``,
``Scaled Dot-Product Attention``, ``Dense Connections``). A term is mapped
by the explicit table below first, then by the component vocabularies in a
fixed order. Terms that match nothing (``Transformer``, ``MoCo``) are
returned as unmapped, for the caller to keep in ``details``.

Examples
--------
>>> map_terms(["SGD with Momentum", "Weight Decay", "Cosine Annealing", "No BN decay"])
({'optimizer': ['SGD momentum'], 'regularization': ['weight decay'], 'lr_schedule': ['cosine']}, ['No BN decay'])
>>> map_terms(["Dense Connections", "Tanh Activation"])[0]
{'feedforward': ['dense'], 'activation': ['tanh']}
"""

from __future__ import annotations

from efficientdl.schema.components import COMPONENTS

#: Terms whose words match no vocabulary entry, with the component values they name.
#: "Dense Connections" is Papers-with-Code's name for fully connected layers.
EXPLICIT_TERMS: dict[str, tuple[tuple[str, str], ...]] = {
    "Dense Connections": (("feedforward", "dense"),),
    "Tanh Activation": (("activation", "tanh"),),
    "Squeeze-and-Excitation Block": (("attention", "channel"),),
    "Inverted Residual Block": (("skip_connection", "residual"), ("convolution", "depthwise")),
    "MBConv": (("skip_connection", "residual"), ("convolution", "depthwise")),
    "Residual Connection": (("skip_connection", "residual"),),
    "Wide Residual Block": (("skip_connection", "residual"),),
    "Res2Net Block": (("skip_connection", "residual"),),
    "DenseBlock": (("skip_connection", "concatenated"),),
    "Window Multi-head Self-Attention": (("attention", "window"),),
    "Channel Self-attention": (("attention", "channel"),),
    "Sub Layer Normalization": (("normalization", "layer norm"),),
    "Precise BN": (("normalization", "batch norm"),),
    "SGD with nesterov": (("optimizer", "Nesterov"),),
    "RMSprop with Momentum": (("optimizer", "RMSProp"),),
    "Attention Dropout": (("regularization", "dropout"),),
}

#: Components tried for a term not in :data:`EXPLICIT_TERMS`, in this order.
LOOKUP_ORDER = (
    "optimizer",
    "lr_schedule",
    "regularization",
    "data_augmentation",
    "normalization",
    "attention",
    "activation",
    "convolution",
    "pooling",
    "skip_connection",
    "feedforward",
    "output_function",
)


def map_terms(terms: list[str]) -> tuple[dict[str, list[str]], list[str]]:
    """Map metafile terms to component values.

    Returns
    -------
    mapped : dict
        Component name to its canonical values, in the order first met.
    unmapped : list of str
        Terms that name no component value.
    """
    mapped: dict[str, list[str]] = {}
    unmapped: list[str] = []
    for term in terms:
        pairs = EXPLICIT_TERMS.get(term) or _lookup(term)
        if not pairs:
            unmapped.append(term)
            continue
        for component, value in pairs:
            values = mapped.setdefault(component, [])
            if value not in values:
                values.append(value)
    return mapped, unmapped


def _lookup(term: str) -> tuple[tuple[str, str], ...]:
    for component in LOOKUP_ORDER:
        canonical = COMPONENTS[component].vocabulary.lookup(term)
        if canonical is not None:
            return ((component, canonical),)
    return ()
