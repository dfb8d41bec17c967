"""Architecture family and pretraining data read from model names.

timm names a checkpoint ``<architecture>.<pretrained tag>``, e.g.
``convnext_base.fb_in22k_ft_in1k``; mmpretrain names a config
``<arch>_<gpus>xb<per-gpu batch>_<data>``. Both encode facts the
predictor needs, and this module reads them with explicit rules.

Examples
--------
>>> architecture_family("tf_efficientnet_b0.ns_jft_in1k")
'efficientnet'
>>> architecture_family("eva02_large_patch14_448.mim_m38m_ft_in22k_in1k")
'eva'
>>> pretraining_from_tag("fb_in22k_ft_in1k")
'ImageNet-21k'
>>> pretraining_from_tag("ra2_in1k")
'none'
"""

from __future__ import annotations

import regex

_PREFIXES = ("tf_", "gluon_", "legacy_", "ig_", "ssl_", "swsl_", "adv_", "ens_adv_", "timm_", "tv_", "tv2_")

#: Family names used as they are, checked before the generic rule.
_KNOWN_FAMILIES = (
    "vit", "deit", "cait", "swin", "swinv2", "convnext", "convnextv2", "efficientnet", "mobilenet",
    "resnet", "resnext", "seresnext", "seresnet", "regnet", "densenet", "inception", "xception",
    "mixer", "poolformer", "eva", "beit", "levit", "ghostnet", "mobilevit", "coat", "xcit",
)

#: Short first tokens that are whole family names, not qualifiers.
_SHORT_FAMILIES = ("vit", "dla", "dpn", "vgg", "pit", "tnt", "nest", "volo", "bat", "cait", "coat", "swin", "eva", "beit", "deit", "gmlp", "pvt", "hrnet", "sam", "mae")

#: Tag fragments naming the pretraining data, most specific first.
_PRETRAINING_TAGS = (
    (r"laion", "LAION-2B"),
    (r"openai", "OpenAI CLIP (WIT-400M)"),
    (r"datacomp|dfn\d", "DataComp-1B"),
    (r"webli", "WebLI"),
    (r"m38m", "Merged-38M"),
    (r"m30m", "Merged-30M"),
    (r"jft", "JFT-300M"),
    (r"ig\d*b|(?:^|_)ig(?:_|$)|swsl|wsl", "Instagram-940M"),
    (r"yfcc|semisl", "YFCC100M"),
    (r"in2[12]k|in12k|imagenet2[12]k|21k|22k", "ImageNet-21k"),
    (r"mim|mae|selfsl|dino|ssl", "ImageNet-1k self-supervised"),
)


def architecture_family(model_name: str) -> str:
    """Return the lower-case architecture family of a timm or mmpretrain model name."""
    base = model_name.split(".")[0].lower()
    for prefix in _PREFIXES:
        if base.startswith(prefix):
            base = base[len(prefix):]
            break
    tokens = [t for t in regex.split(r"[_\-]", base) if t]
    stem = _strip_version(tokens[0])
    if stem in _KNOWN_FAMILIES or len(tokens) == 1:
        return stem
    if len(stem) <= 4 and stem not in _SHORT_FAMILIES:
        # A short qualifier such as "wide", "nf" or "tiny" belongs to the family name.
        return f"{stem}_{_strip_version(tokens[1])}"
    return stem


def _strip_version(token: str) -> str:
    """Drop depth, width and version suffixes: resnet50d, mobilenetv3, eva02."""
    stem = regex.sub(r"(?:v\d+[a-z]{0,2}|\d+[a-z]{0,2})$", "", token) or token
    return regex.sub(r"(?<=[a-z]{3})v$", "", stem)


def pretraining_from_tag(tag: str) -> str:
    """Return the canonical pretraining data named in a timm pretrained tag.

    A tag that names only ImageNet-1k (``ra2_in1k``, ``a1h_in1k``) means
    the model was trained from scratch on ImageNet-1k: ``"none"``.
    """
    lowered = tag.lower()
    for pattern, canonical in _PRETRAINING_TAGS:
        if regex.search(pattern, lowered):
            return canonical
    return "none"
