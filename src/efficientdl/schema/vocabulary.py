"""Canonical vocabularies of the categorical components, with their synonyms.

Each vocabulary maps a canonical value to the spellings met in papers, model
zoos and spreadsheets. Matching ignores case, spaces, hyphens, underscores
and a few filler words (see :func:`match_key`), so a synonym list only needs
the spellings that differ after that folding. Regular-expression patterns
catch parameterised spellings such as timm's ``rand-m9-mstd0.5``.

A vocabulary is *closed* when an unknown value is an error (an optimizer
nobody has heard of is more likely a typo than a new optimizer) and *open*
when new values are expected (datasets, GPU models); unknown values of an
open vocabulary are kept raw and flagged.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import regex

#: Words dropped before matching, so "AdamW optimizer" matches "AdamW".
FILLER_WORDS = (
    "optimizer",
    "optimiser",
    "optimization",
    "schedule",
    "scheduler",
    "decay schedule",
    "policy",
    "augmentation",
    "function",
    "gpus",
    "gpu",
    "graphics card",
)

_FILLER_RE = regex.compile(
    r"\b(?:" + "|".join(regex.escape(w) for w in sorted(FILLER_WORDS, key=len, reverse=True)) + r")\b",
    regex.IGNORECASE,
)


@functools.lru_cache(maxsize=65_536)
def match_key(text: str) -> str:
    """Fold a raw spelling to the key used for synonym lookup.

    Examples
    --------
    >>> match_key("Adam W optimizer")
    'adamw'
    >>> match_key("Rand-Augment")
    'randaugment'
    """
    folded = _FILLER_RE.sub(" ", text.strip().lower())
    return regex.sub(r"[^\p{L}\p{N}+]", "", folded)


@dataclass(frozen=True)
class Vocabulary:
    """Canonical values of one categorical component and their synonyms.

    Parameters
    ----------
    synonyms : dict
        Canonical value to the list of other spellings. The canonical value
        itself always matches.
    patterns : dict
        Canonical value to regular expressions tried on the lower-cased raw
        text when no synonym matches.
    closed : bool
        Whether a value outside the vocabulary is invalid (True) or only
        flagged (False).
    """

    synonyms: dict[str, tuple[str, ...]]
    patterns: dict[str, tuple[str, ...]] = field(default_factory=dict)
    closed: bool = True

    def __post_init__(self) -> None:
        index: dict[str, str] = {}
        for canonical, spellings in self.synonyms.items():
            for spelling in (canonical, *spellings):
                key = match_key(spelling)
                if key in index and index[key] != canonical:
                    raise ValueError(
                        f"synonym {spelling!r} maps to both {index[key]!r} and {canonical!r}"
                    )
                index[key] = canonical
        compiled = {
            canonical: tuple(regex.compile(p, regex.IGNORECASE) for p in pats)
            for canonical, pats in self.patterns.items()
        }
        object.__setattr__(self, "_index", index)
        object.__setattr__(self, "_compiled", compiled)

    @property
    def values(self) -> tuple[str, ...]:
        """Canonical values in declaration order."""
        return tuple(self.synonyms)

    def lookup(self, raw: str) -> str | None:
        """Return the canonical value for ``raw``, or None when it is unknown."""
        key = match_key(raw)
        if not key:
            return None
        index: dict[str, str] = self._index  # type: ignore[attr-defined]
        if key in index:
            return index[key]
        text = raw.strip().lower()
        for canonical, patterns in self._compiled.items():  # type: ignore[attr-defined]
            if any(p.search(text) for p in patterns):
                return canonical
        return None


NORMALIZATION = Vocabulary(
    {
        "batch norm": ("bn", "batchnorm", "batch normalization", "batch normalisation", "syncbn", "sync bn", "sync batch norm"),
        "layer norm": ("ln", "layernorm", "layer normalization", "layer normalisation"),
        "group norm": ("gn", "groupnorm", "group normalization"),
        "instance norm": ("in", "instancenorm", "instance normalization"),
        "spectral norm": ("spectral normalization",),
        "weight standardization": ("ws", "weight standardisation"),
        "LayerScale": ("layer scale",),
        "local response norm": ("lrn", "local response normalization"),
        "RMS norm": ("rmsnorm", "rms normalization"),
        "global response norm": ("grn", "global response normalization"),
        "EvoNorm": ("evonorm-s0", "evonorm-b0", "evonorm s0", "evonorm b0"),
    },
    closed=False,
)

INITIALIZATION = Vocabulary(
    {
        "Kaiming": ("kaiming initialization", "he", "he normal", "kaiming normal", "kaiming uniform", "msra", "he initialization"),
        "Xavier": ("xavier initialization", "glorot", "xavier uniform", "xavier normal", "glorot uniform"),
        "Fixup": ("fixup initialization",),
        "LSUV": ("layer-sequential unit-variance",),
        "truncated normal": ("trunc normal", "trunc_normal"),
        "orthogonal": (),
    },
    closed=False,
)

CONVOLUTION = Vocabulary(
    {
        "3x3": ("3x3 convolution", "3×3", "3 x 3"),
        "1x1": ("1x1 convolution", "1×1", "pointwise convolution 1x1"),
        "depthwise": ("depthwise convolution", "dw conv", "dwconv", "depth-wise"),
        "pointwise": ("pointwise convolution", "point-wise"),
        "grouped": ("group convolution", "grouped convolution", "groupconv"),
        "depthwise separable": ("separable convolution", "depthwise separable convolution", "separable"),
        "MixConv": ("mixed depthwise convolution",),
        "selective kernel": ("sk", "skconv", "selective kernel convolution"),
        "gated": ("gated convolution", "gnconv"),
        "dilated": ("atrous", "dilated convolution"),
        "deformable": ("deformable convolution",),
        "large kernel": ("large kernel convolution",),
        "convolution": ("conv", "standard convolution"),
    },
    closed=False,
)

SKIP_CONNECTION = Vocabulary(
    {
        "residual": ("residual connection", "residual connections", "identity shortcut", "shortcut", "skip", "resnet", "residual block"),
        "concatenated": ("dense", "dense connection", "concatenation", "densely connected"),
        "zero-padded shortcut": ("zero padding shortcut", "zero-padded identity"),
        "deactivable": ("stochastic depth skip",),
    },
    closed=False,
)

ACTIVATION = Vocabulary(
    {
        "ReLU": ("rectified linear unit", "relu6"),
        "GELU": ("gaussian error linear unit",),
        "SiLU": ("swish", "silu/swish", "swish-1"),
        "hard swish": ("hswish", "h-swish", "hardswish"),
        "PReLU": ("parametric relu",),
        "leaky ReLU": ("lrelu", "leakyrelu"),
        "GLU": ("gated linear unit", "swiglu", "geglu"),
        "tanh": ("hyperbolic tangent",),
        "sigmoid": ("logistic",),
        "softplus": (),
        "CReLU": ("concatenated relu",),
        "Mish": (),
        "hard sigmoid": ("hsigmoid", "h-sigmoid", "hardsigmoid"),
        "ELU": (),
        "StarReLU": ("star relu",),
    },
    closed=False,
)

POOLING = Vocabulary(
    {
        "max": ("max pooling", "maxpool", "max pool"),
        "average": ("average pooling", "avg pool", "avgpool", "mean pooling"),
        "global average": ("global average pooling", "gap", "global avg pool", "global pooling"),
        "generalized mean": ("gem", "generalized mean pooling", "generalised mean"),
        "spatial pyramid": ("spp", "spatial pyramid pooling"),
        "center": ("center pooling",),
        "class token": ("cls token", "class token pooling"),
        "attention pooling": ("attentive pooling", "attention pool"),
    },
    closed=False,
)

FEEDFORWARD = Vocabulary(
    {
        "dense": ("dense connections", "fully connected", "fc", "dense layer"),
        "linear": ("linear layer", "linear classifier"),
        "position-wise FFN": ("position-wise feed-forward layer", "ffn", "position-wise feed-forward", "feed-forward network", "feedforward network"),
        "MLP block": ("mlp", "mlp block", "multi-layer perceptron", "token-mixing mlp", "channel-mixing mlp"),
        "affine": ("affine transformation",),
    },
    closed=False,
)

ATTENTION = Vocabulary(
    {
        "scaled dot-product": ("scaled dot-product attention", "dot-product attention", "self-attention", "self attention"),
        "multi-head": ("multi-head attention", "mhsa", "mha", "multihead attention", "multi-head self-attention"),
        "window": ("sliding window attention", "dilated sliding window attention", "window attention", "shifted window", "shift window multihead self attention", "swin attention", "shifted window attention", "window / shifted window"),
        "channel": ("se", "squeeze-and-excitation", "squeeze and excitation", "channel attention", "se block", "eca"),
        "multi-axis": ("multi-axis attention", "max-sa"),
        "class attention": ("class-attention", "ca"),
        "linear": ("linear attention",),
        "pooling attention": ("pooling-attention", "mhpa"),
        "spatial": ("spatial attention", "cbam"),
        "cross-covariance": ("xca", "cross-covariance attention", "transposed attention"),
        "outlook": ("outlook attention", "outlooker"),
        "multi-query": ("multi-query attention", "mqa", "mobile mqa"),
        "cosine": ("scaled cosine attention", "cosine attention"),
    },
    closed=False,
)

OUTPUT_FUNCTION = Vocabulary(
    {
        "softmax": ("soft-max",),
        "sigmoid": ("logistic",),
        "sparsemax": (),
        "adaptive softmax": (),
    },
)

LR_SCHEDULE = Vocabulary(
    {
        "step": ("step decay", "steplr", "step lr", "stepwise"),
        "multistep": ("multi-step", "multisteplr", "multi step", "piecewise constant", "piecewise"),
        "cosine": ("cosine annealing", "cosineannealinglr", "cosine decay", "coslr", "cos", "half-cosine"),
        "linear warmup + cosine": ("warmup cosine", "cosine with warmup", "linear warm-up + cosine", "warmup + cosine"),
        "linear warmup + linear decay": ("linear warmup with linear decay", "warmup linear", "linear warm-up + linear decay", "warmup + linear decay"),
        "linear decay": ("linear", "linearlr"),
        "exponential": ("exponential decay", "exponentiallr", "exp"),
        "polynomial": ("poly", "polynomial decay", "polylr"),
        "one-cycle": ("onecycle", "one cycle", "1cycle", "onecyclelr"),
        "constant": ("fixed", "constant lr"),
        "reduce on plateau": ("plateau", "reducelronplateau"),
    },
)

OPTIMIZER = Vocabulary(
    {
        "SGD": ("stochastic gradient descent", "vanilla sgd"),
        "SGD momentum": ("sgd with momentum", "momentum sgd", "momentum", "sgdm", "sgd+momentum"),
        "Nesterov": ("nesterov momentum", "sgd nesterov", "nesterov sgd", "nag", "sgd with nesterov momentum"),
        "Adam": ("adaptive moment estimation",),
        "AdamW": ("adam w", "adam with decoupled weight decay", "adamw decoupled", "decoupled adam"),
        "RMSProp": ("rmsprop with momentum", "rms prop", "rmsproptf", "rmsprop tf"),
        "LAMB": (),
        "LARS": ("lars sgd",),
        "AdaGrad": (),
        "AdamP": (),
        "AdaBelief": (),
        "Adafactor": (),
        "Lion": (),
        "NAdam": (),
        "RAdam": (),
        "SAM": ("sharpness-aware minimization",),
    },
)

REGULARIZATION = Vocabulary(
    {
        "dropout": ("drop out", "attention dropout", "attn drop", "drop rate"),
        "label smoothing": ("labelsmoothing", "label smoothing regularization", "lsr", "labelsmoothloss"),
        "weight decay": ("wd", "l2 weight decay", "decoupled weight decay"),
        "stochastic depth": ("scheduleddroppath", "scheduled drop path", "drop path", "droppath", "drop-path", "drop path rate", "stochasticdepth"),
        "DropBlock": ("drop block",),
        "L1": ("l1 regularization", "l1 penalty"),
        "L2": ("l2 regularization", "l2 penalty"),
        "R1": ("r1 penalty",),
        "EMA": ("model ema", "exponential moving average", "ema"),
        "gradient clipping": ("clip grad", "grad clip", "gradient clip"),
        "knowledge distillation": ("distillation", "kd"),
    },
    closed=False,
)

DATA_AUGMENTATION = Vocabulary(
    {
        "flip": ("flipping", "random horizontal flips", "random horizontal flipping", "flips", "horizontal flip", "random horizontal flip", "randomflip", "hflip", "random flip", "mirror"),
        "random resized crop": ("random resized cropping", "randomresizedcrop", "random-resized crop", "rrc", "scale augmentation", "random sized crop"),
        "random crop": ("random crops", "cropping", "random cropping", "randomcrop", "random cropping", "crop", "padding crop"),
        "inception crop": ("inception-style crop", "inception style cropping", "inception preprocessing"),
        "color jitter": ("colorjitter", "colour jitter", "color jittering", "photometric distortion", "color augmentation"),
        "AutoAugment": ("auto augment", "autoaug", "aa"),
        "RandAugment": ("randaug", "rand augment", "random augment"),
        "TrivialAugment": ("trivial augment", "trivialaugmentwide"),
        "AugMix": ("aug mix",),
        "mixup": ("mixup prob", "mix up", "batchmixup"),
        "CutMix": ("cutmix prob", "cut mix", "batchcutmix"),
        "random erasing": ("rand erasing", "erasing prob", "erasing", "randomerasing", "random erase", "reprob"),
        "cutout": ("cut out",),
        "Gaussian blur": ("gaussianblur", "blur"),
        "solarization": ("solarize", "solarization augmentation"),
        "grayscale": ("random grayscale", "randomgrayscale", "gray scale"),
        "PCA lighting": ("lighting", "pca noise", "alexnet-style lighting", "fancy pca"),
        "repeated augmentation": ("repeataugsampler", "repeat aug", "repeated aug"),
        "3-Augment": ("3augment", "three augment", "threeaugment"),
    },
    patterns={
        "RandAugment": (r"^rand-m\d", r"^randaugment\b", r"^rand-"),
        "AutoAugment": (r"^original(-mstd[\d.]+)?$", r"^v0r?(-mstd[\d.]+)?$", r"^autoaugment\b"),
        "AugMix": (r"^augmix-",),
        "TrivialAugment": (r"^trivialaugment",),
    },
    closed=False,
)

FRAMEWORK = Vocabulary(
    {
        "PyTorch": ("torch", "pytorch lightning", "timm", "mmpretrain", "mmcls", "mmclassification", "detectron2", "fairseq"),
        "TensorFlow": ("tf", "tensorflow 2", "keras", "tf2", "tensorflow/keras"),
        "JAX": ("flax", "jax/flax", "haiku", "big_vision", "scenic"),
        "Caffe": (),
        "Caffe2": (),
        "MXNet": ("gluon", "gluoncv", "apache mxnet"),
        "PaddlePaddle": ("paddle", "paddleclas"),
        "Torch7": ("lua torch", "torch7 (lua)"),
        "Theano": (),
        "MatConvNet": (),
        "DistBelief": (),
    },
)

GPU_TYPE = Vocabulary(
    {
        "V100": ("tesla v100", "v100-sxm2", "v100 32gb", "v100 16gb", "v100-32g", "v100-16g", "nvidia v100"),
        "A100": ("a100-80g", "a100-40g", "a100 80gb", "a100 40gb", "nvidia a100", "a100-sxm4"),
        "H100": ("nvidia h100", "h100-80g"),
        "A6000": ("rtx a6000",),
        "Quadro RTX 8000": ("rtx 8000", "quadro rtx8000"),
        "RTX 3090": ("3090", "geforce rtx 3090", "rtx3090"),
        "RTX 4090": ("4090", "geforce rtx 4090", "rtx4090"),
        "2080 Ti": ("rtx 2080 ti", "geforce rtx 2080 ti", "2080ti", "rtx2080ti"),
        "1080 Ti": ("gtx 1080 ti", "geforce gtx 1080 ti", "1080ti"),
        "1080": ("gtx 1080", "geforce gtx 1080"),
        "Titan X": ("gtx titan x", "titanx", "titan x pascal", "titan"),
        "Titan Xp": ("xp", "titan xp", "titanxp"),
        "Titan V": ("titanv",),
        "K40": ("tesla k40", "k40m", "k40c"),
        "K80": ("tesla k80",),
        "P100": ("tesla p100",),
        "T4": ("tesla t4",),
        "M40": ("tesla m40",),
        "GTX 580": ("580", "gtx580"),
        "TPU v2": ("tpuv2", "cloud tpu v2"),
        "TPU v3": ("tpuv3", "cloud tpu v3"),
        "TPU v4": ("tpuv4", "cloud tpu v4"),
        "CPU": ("cpus",),
    },
    closed=False,
)

DATASET = Vocabulary(
    {
        "ImageNet-1k": ("imagenet", "ilsvrc", "ilsvrc2012", "ilsvrc-2012", "imagenet-1k", "in1k", "in-1k", "imagenet1k", "imagenet 2012"),
        "ImageNet-ReaL": ("imagenet real", "real", "imagenet-real labels"),
        "ImageNetV2": ("imagenetv2", "imagenet-v2", "imagenetv2-matched-frequency", "imagenet v2 matched frequency"),
        "ImageNet-Sketch": ("sketch", "imagenet sketch"),
        "ImageNet-A": ("imagenet a", "natural adversarial examples"),
        "ImageNet-R": ("imagenet r", "imagenet-rendition", "imagenet rendition"),
        "ImageNet-21k": ("imagenet21k", "in21k", "in22k", "imagenet-22k", "imagenet22k", "imagenet 21k", "imagenet-21k-p"),
        "CIFAR-10": ("cifar10", "cifar 10"),
        "CIFAR-100": ("cifar100", "cifar 100"),
        "SVHN": (),
        "MNIST": (),
        "Fashion-MNIST": ("fashionmnist", "fmnist"),
        "digits": ("sklearn digits", "uci digits", "handwritten digits"),
        "STL-10": ("stl10",),
        "Places365": ("places-365", "places"),
        "iNaturalist": ("inaturalist 2018", "inat", "inat2018", "inaturalist2018"),
        "CUB-200-2011": ("cub", "cub200", "cub-200", "caltech-ucsd birds"),
        "Oxford Flowers-102": ("flowers102", "flowers", "oxford flowers", "oxford 102 flowers"),
        "Oxford-IIIT Pets": ("pets", "oxford pets", "oxford-iiit pet"),
        "Stanford Cars": ("cars", "stanford cars"),
        "Food-101": ("food101",),
        "Caltech-101": ("caltech101",),
        "Tiny ImageNet": ("tinyimagenet", "tiny-imagenet", "tiny imagenet 200"),
        "PASCAL VOC 2007": ("voc2007", "pascal voc", "voc07"),
        "JFT-300M": ("jft", "jft300m"),
        "LAION-2B": ("laion2b", "laion-2b"),
    },
    closed=False,
)

PRETRAINING_DATA = Vocabulary(
    {
        "none": ("from scratch", "scratch", "no pretraining", "in1k", "imagenet-1k only"),
        "ImageNet-1k": ("imagenet", "in1k-pretrained", "imagenet-1k pretrained"),
        "ImageNet-21k": ("in21k", "in22k", "imagenet-22k", "imagenet22k", "imagenet21k", "in21k-selfsl", "in22k-selfsl", "imagenet-21k-p"),
        "ImageNet-1k self-supervised": ("in1k-selfsl", "in1k-ssl", "imagenet-1k self-supervised", "in1k-dist"),
        "ImageNet-1k adversarial": ("in1k-adv", "adversarial"),
        "JFT-300M": ("jft", "jft300m", "jft-300m", "jft3b", "jft-3b"),
        "LAION-2B": ("laion", "laion2b", "laion-2b", "laion400m", "laion-400m", "laion2b-clip"),
        "OpenAI CLIP (WIT-400M)": ("openai", "clip", "wit400m", "wit-400m", "openai-clip"),
        "Merged-38M": ("m38m", "merged38m"),
        "Merged-30M": ("m30m", "merged30m"),
        "Instagram-940M": ("ig1b", "ig", "instagram", "ig-1b", "ig3.5b", "instagram-3.5b"),
        "YFCC100M": ("yfcc", "yfcc100m", "yfcc-100m"),
        "WebLI": ("webli",),
        "DataComp-1B": ("datacomp", "datacomp1b", "dfn2b", "dfn5b"),
        "COCO": ("mscoco",),
        "other": (),
    },
    closed=False,
)
