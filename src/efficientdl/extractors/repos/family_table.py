"""The table of architecture facts per model family (data only).

Each entry names its source and the components that source states. An
entry may extend another one: it inherits every component and overrides the
ones it names, and a component set to None is dropped because the variant
does not settle it. :mod:`efficientdl.extractors.repos.families` resolves
the table and looks models up in it.

Conventions that keep entries comparable:

- ``feedforward`` lists ``"dense"`` for a fully connected classifier and
  ``"MLP block"`` for a transformer-style two-layer MLP inside each block.
- ``convolution`` uses ``"1x1"`` for pointwise convolutions and
  ``"large kernel"`` for depthwise kernels of 7x7 and more.
- ``activation`` lists the activations of the main path. The sigmoid gate
  of a squeeze-and-excitation module is implied by ``attention: channel``
  and not listed, except for MobileNetV3-style hard-sigmoid gates.
- ``skip_connection: []``, ``attention: []`` and ``normalization: []`` state
  that the family has none.
- Components marked with a timm module as their source were read from the
  timm 1.0 model definitions, because the variant exists only there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

Value = Union[str, tuple[str, ...], None]


@dataclass(frozen=True)
class Entry:
    """One row of the table before inheritance is resolved."""

    title: str
    arxiv: Optional[str]
    components: dict[str, Value] = field(default_factory=dict)
    extends: Optional[str] = None


def _entry(title: str, arxiv: Optional[str], *, extends: Optional[str] = None, **components: Value) -> Entry:
    return Entry(title, arxiv, components, extends)


_CNN_HEAD = dict(pooling=("global average",), feedforward=("dense",), output_function="softmax")
_VIT_BLOCK = dict(
    normalization=("layer norm",),
    skip_connection=("residual",),
    activation=("GELU",),
    feedforward=("MLP block", "dense"),
    attention=("multi-head", "scaled dot-product"),
    output_function="softmax",
)
_MBCONV = dict(
    normalization=("batch norm",),
    convolution=("depthwise", "1x1", "3x3"),
    skip_connection=("residual",),
    **_CNN_HEAD,
)

_TIMM_BYOBNET = "timm byobnet.py model definitions (timm 1.0)"

FAMILY_TABLE: dict[str, Entry] = {
    # ResNet and its direct descendants.
    "resnet": _entry(
        "Deep Residual Learning for Image Recognition", "1512.03385",
        normalization=("batch norm",), initialization="Kaiming", convolution=("3x3", "1x1"),
        skip_connection=("residual",), activation=("ReLU",), pooling=("max", "global average"),
        feedforward=("dense",), attention=(), output_function="softmax",
    ),
    "resnet_v2": _entry("Identity Mappings in Deep Residual Networks", "1603.05027", extends="resnet"),
    "resnet_bit": _entry(
        "Big Transfer (BiT): General Visual Representation Learning", "1912.11370", extends="resnet_v2",
        normalization=("group norm", "weight standardization"), initialization=None,
    ),
    "resnet_gn": _entry("Group Normalization", "1803.08494", extends="resnet", normalization=("group norm",)),
    "resnet_evos": _entry(
        "Evolving Normalization-Activation Layers", "2004.02967", extends="resnet_v2",
        normalization=("EvoNorm",), activation=None,
    ),
    "resnet_silu": _entry(
        _TIMM_BYOBNET, None, extends="resnet", activation=("SiLU",), pooling=("global average",), convolution=None,
    ),
    "resnetrs": _entry(
        "Revisiting ResNets: Improved Training and Scaling Strategies", "2103.07579", extends="resnet",
        attention=("channel",), pooling=("global average",), initialization=None,
    ),
    "resnetaa": _entry(
        "Making Convolutional Networks Shift-Invariant Again", "1904.11486", extends="resnet",
        pooling=("global average",),
    ),
    "resnetblur": _entry(
        "Making Convolutional Networks Shift-Invariant Again", "1904.11486", extends="resnetaa",
        pooling=("max", "global average"),
    ),
    "wide_resnet": _entry("Wide Residual Networks", "1605.07146", extends="resnet", initialization=None),
    "resnext": _entry(
        "Aggregated Residual Transformations for Deep Neural Networks", "1611.05431", extends="resnet",
        convolution=("3x3", "1x1", "grouped"),
    ),
    "resnext_silu": _entry(_TIMM_BYOBNET, None, extends="resnext", activation=("SiLU",)),
    "seresnet": _entry(
        "Squeeze-and-Excitation Networks", "1709.01507", extends="resnet", attention=("channel",), initialization=None,
    ),
    "seresnext": _entry(
        "Squeeze-and-Excitation Networks", "1709.01507", extends="resnext", attention=("channel",), initialization=None,
    ),
    "seresnextaa": _entry(
        "Squeeze-and-Excitation Networks, with anti-aliased downsampling as in Making Convolutional Networks "
        "Shift-Invariant Again (arXiv:1904.11486)", "1709.01507", extends="seresnext",
        pooling=("global average",),
    ),
    "seresnet_silu": _entry(_TIMM_BYOBNET, None, extends="seresnet", activation=("SiLU",), pooling=("global average",)),
    "seresnext_silu": _entry(_TIMM_BYOBNET, None, extends="seresnext", activation=("SiLU",)),
    "ecaresnet": _entry(
        "ECA-Net: Efficient Channel Attention for Deep Convolutional Neural Networks", "1910.03151",
        extends="resnet", attention=("channel",), initialization=None,
    ),
    "resnest": _entry(
        "ResNeSt: Split-Attention Networks", "2004.08955", extends="resnet",
        convolution=("3x3", "1x1", "grouped"), attention=("channel",),
        pooling=("max", "average", "global average"), initialization=None,
    ),
    "res2net": _entry(
        "Res2Net: A New Multi-scale Backbone Architecture", "1904.01169", extends="resnet", initialization=None,
    ),
    "tresnet": _entry(
        "TResNet: High Performance GPU-Dedicated Architecture", "2003.13630",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual",),
        activation=("leaky ReLU",), attention=("channel",), **_CNN_HEAD,
    ),
    "dla": _entry(
        "Deep Layer Aggregation", "1707.06484",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual", "concatenated"),
        activation=("ReLU",), attention=(), pooling=("max", "global average"), feedforward=("dense",),
        output_function="softmax",
    ),
    "dla_x": _entry("Deep Layer Aggregation", "1707.06484", extends="dla", convolution=("3x3", "1x1", "grouped")),
    "dpn": _entry(
        "Dual Path Networks", "1707.01629", extends="resnext",
        skip_connection=("residual", "concatenated"), initialization=None,
    ),
    "densenet": _entry(
        "Densely Connected Convolutional Networks", "1608.06993",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("concatenated",),
        activation=("ReLU",), pooling=("max", "average", "global average"), feedforward=("dense",),
        attention=(), output_function="softmax",
    ),
    "vgg": _entry(
        "Very Deep Convolutional Networks for Large-Scale Image Recognition", "1409.1556",
        normalization=(), convolution=("3x3",), skip_connection=(), activation=("ReLU",), pooling=("max",),
        feedforward=("dense",), attention=(), output_function="softmax",
    ),
    "vgg_bn": _entry(
        "Batch Normalization: Accelerating Deep Network Training by Reducing Internal Covariate Shift",
        "1502.03167", extends="vgg", normalization=("batch norm",),
    ),
    "repvgg": _entry(
        "RepVGG: Making VGG-style ConvNets Great Again", "2101.03697",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual",),
        activation=("ReLU",), attention=(), **_CNN_HEAD,
    ),
    "repvgg_grouped": _entry(
        "RepVGG: Making VGG-style ConvNets Great Again", "2101.03697", extends="repvgg",
        convolution=("3x3", "1x1", "grouped"),
    ),
    "repvgg_se": _entry(
        "RepVGG: Making VGG-style ConvNets Great Again (RepVGG-D2se of the official repository)", "2101.03697",
        extends="repvgg", attention=("channel",),
    ),
    "hrnet": _entry(
        "Deep High-Resolution Representation Learning for Visual Recognition", "1908.07919",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual",),
        activation=("ReLU",), attention=(), **_CNN_HEAD,
    ),
    "regnetx": _entry(
        "Designing Network Design Spaces", "2003.13678",
        normalization=("batch norm",), convolution=("3x3", "1x1", "grouped"), skip_connection=("residual",),
        activation=("ReLU",), attention=(), **_CNN_HEAD,
    ),
    "regnety": _entry("Designing Network Design Spaces", "2003.13678", extends="regnetx", attention=("channel",)),
    "regnetz": _entry(
        "Fast and Accurate Model Scaling", "2103.06877", extends="regnety", activation=("SiLU",),
    ),
    "regnetz_evos": _entry(
        "Evolving Normalization-Activation Layers", "2004.02967", extends="regnetz",
        normalization=("EvoNorm",), activation=None,
    ),
    "ese_vovnet": _entry(
        "CenterMask: Real-Time Anchor-Free Instance Segmentation", "1911.06667",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("concatenated", "residual"),
        activation=("ReLU",), attention=("channel",), pooling=("max", "global average"),
        feedforward=("dense",), output_function="softmax",
    ),
    "cs3darknet": _entry(
        "CSPNet: A New Backbone that can Enhance Learning Capability of CNN (activation from timm cspnet.py)",
        "1911.11929",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual", "concatenated"),
        activation=("SiLU",), **_CNN_HEAD,
    ),
    "cs3sedarknet": _entry(
        "CSPNet: A New Backbone that can Enhance Learning Capability of CNN (activation from timm cspnet.py)",
        "1911.11929", extends="cs3darknet", attention=("channel",),
    ),
    "cspnet": _entry(
        "CSPNet: A New Backbone that can Enhance Learning Capability of CNN (activation from timm cspnet.py)",
        "1911.11929", extends="cs3darknet", activation=("leaky ReLU",), convolution=None, pooling=None,
    ),
    "darknet": _entry(
        "YOLOv3: An Incremental Improvement", "1804.02767",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual",),
        activation=("leaky ReLU",), attention=(), **_CNN_HEAD,
    ),
    "skresnet": _entry(
        "Selective Kernel Networks", "1903.06586", extends="resnet",
        convolution=("selective kernel", "3x3", "1x1"), attention=None, initialization=None,
    ),
    "convmixer": _entry(
        "Patches Are All You Need?", "2201.09792",
        normalization=("batch norm",), convolution=("depthwise", "large kernel", "1x1"),
        skip_connection=("residual",), attention=(), **_CNN_HEAD,
    ),
    "hgnet": _entry(
        "PP-HGNet, PaddleClas model documentation", None,
        normalization=("batch norm",), activation=("ReLU",), skip_connection=("concatenated",),
        pooling=("max", "global average"), feedforward=("dense",), output_function="softmax",
    ),
    "fasternet": _entry(
        "Run, Don't Walk: Chasing Higher FLOPS for Faster Neural Networks", "2303.03667",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=("residual",),
        attention=(), **_CNN_HEAD,
    ),
    # Normaliser-free networks.
    "dm_nfnet": _entry(
        "High-Performance Large-Scale Image Recognition Without Normalization", "2102.06171",
        normalization=("weight standardization",), convolution=("3x3", "1x1", "grouped"),
        skip_connection=("residual",), activation=("GELU",), attention=("channel",), **_CNN_HEAD,
    ),
    "eca_nfnet": _entry(
        "High-Performance Large-Scale Image Recognition Without Normalization (NFNet-L variant of timm nfnet.py)",
        "2102.06171", extends="dm_nfnet", activation=("SiLU",),
    ),
    "nf_resnet": _entry(
        "Characterizing signal propagation to close the performance gap in unnormalized ResNets", "2101.08692",
        extends="resnet", normalization=("weight standardization",), initialization=None,
    ),
    # Inception and Xception.
    "inception": _entry(
        "Rethinking the Inception Architecture for Computer Vision; Inception-v4; InceptionNeXt "
        "(components shared by all three)", "1512.00567",
        normalization=("batch norm",), **_CNN_HEAD,
    ),
    "inception_v3": _entry(
        "Rethinking the Inception Architecture for Computer Vision", "1512.00567",
        normalization=("batch norm",), convolution=("3x3", "1x1"), skip_connection=(), activation=("ReLU",),
        pooling=("max", "average", "global average"), feedforward=("dense",), attention=(),
        output_function="softmax",
    ),
    "inception_v4": _entry(
        "Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning", "1602.07261",
        extends="inception_v3",
    ),
    "inception_resnet_v2": _entry(
        "Inception-v4, Inception-ResNet and the Impact of Residual Connections on Learning", "1602.07261",
        extends="inception_v3", skip_connection=("residual",),
    ),
    "inception_next": _entry(
        "InceptionNeXt: When Inception Meets ConvNeXt", "2303.16900",
        normalization=("batch norm", "LayerScale"), convolution=("depthwise", "1x1"), skip_connection=("residual",),
        activation=("GELU",), pooling=("global average",), feedforward=("MLP block", "dense"), attention=(),
        output_function="softmax",
    ),
    "xception": _entry(
        "Xception: Deep Learning with Depthwise Separable Convolutions", "1610.02357",
        normalization=("batch norm",), convolution=("depthwise separable", "depthwise", "1x1"),
        skip_connection=("residual",), activation=("ReLU",), pooling=("max", "global average"),
        feedforward=("dense",), attention=(), output_function="softmax",
    ),
    "xception_aligned": _entry(
        "Encoder-Decoder with Atrous Separable Convolution for Semantic Image Segmentation", "1802.02611",
        extends="xception", pooling=("global average",),
    ),
    # Mobile convolutional networks.
    "mobilenet": _entry(
        "MobileNets v1 to v4 (components shared by all four)", "1704.04861",
        normalization=("batch norm",), convolution=("depthwise", "1x1", "3x3"), **_CNN_HEAD,
    ),
    "mobilenet_edgetpu": _entry(
        "MobileNets v1 to v4 (components shared by all four)", "1704.04861", extends="mobilenet", convolution=None,
    ),
    "mobilenetv1": _entry(
        "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision Applications", "1704.04861",
        extends="mobilenet", convolution=("depthwise separable", "depthwise", "1x1", "3x3"),
        skip_connection=(), activation=("ReLU",), attention=(),
    ),
    "mobilenetv2": _entry(
        "MobileNetV2: Inverted Residuals and Linear Bottlenecks", "1801.04381",
        extends="mobilenet", skip_connection=("residual",), activation=("ReLU",), attention=(),
    ),
    "mobilenetv3": _entry(
        "Searching for MobileNetV3", "1905.02244", extends="mobilenet",
        skip_connection=("residual",), activation=("hard swish", "ReLU", "hard sigmoid"), attention=("channel",),
    ),
    "mobilenetv3_minimal": _entry(
        "MobileNetV3 minimalistic variants, TensorFlow Models slim documentation", None,
        extends="mobilenetv3", activation=("ReLU",), attention=(),
    ),
    "mobilenetv4": _entry(
        "MobileNetV4: Universal Models for the Mobile Ecosystem", "2404.10518",
        extends="mobilenet", skip_connection=("residual",), activation=("ReLU",), attention=(),
    ),
    "mobilenetv4_hybrid": _entry(
        "MobileNetV4: Universal Models for the Mobile Ecosystem", "2404.10518",
        extends="mobilenetv4", attention=("multi-query",),
    ),
    "mobilenetv4_hybrid_large": _entry(
        "MobileNetV4: Universal Models for the Mobile Ecosystem", "2404.10518",
        extends="mobilenetv4_hybrid", activation=("GELU",),
    ),
    "efficientnet": _entry(
        "EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks", "1905.11946",
        activation=("SiLU",), attention=("channel",), **_MBCONV,
    ),
    "efficientnet_lite": _entry(
        "EfficientNet-Lite, TensorFlow TPU models documentation", None,
        extends="efficientnet", activation=("ReLU",), attention=(),
    ),
    "efficientnet_edgetpu": _entry(
        "EfficientNet-EdgeTPU, TensorFlow TPU models documentation", None,
        extends="efficientnet", activation=("ReLU",), attention=(),
    ),
    "efficientnetv2": _entry(
        "EfficientNetV2: Smaller Models and Faster Training", "2104.00298", extends="efficientnet",
    ),
    "tinynet": _entry(
        "Model Rubik's Cube: Twisting Resolution, Depth and Width for TinyNets", "2010.14819",
        extends="efficientnet",
    ),
    "mixnet": _entry(
        "MixConv: Mixed Depthwise Convolutional Kernels", "1907.09595", extends="efficientnet",
        convolution=("MixConv", "depthwise", "1x1", "3x3"), activation=("ReLU", "SiLU"),
    ),
    "mnasnet": _entry(
        "MnasNet: Platform-Aware Neural Architecture Search for Mobile", "1807.11626",
        activation=("ReLU",), attention=(), **_MBCONV,
    ),
    "semnasnet": _entry(
        "MnasNet: Platform-Aware Neural Architecture Search for Mobile", "1807.11626",
        extends="mnasnet", attention=("channel",),
    ),
    "fbnet": _entry(
        "FBNetV3: Joint Architecture-Recipe Search using Predictor Pretraining", "2006.02049",
        activation=("hard swish",), attention=("channel",), **_MBCONV,
    ),
    "hardcorenas": _entry(
        "HardCoRe-NAS: Hard Constrained diffeRentiable Neural Architecture Search", "2102.11646",
        activation=("hard swish", "ReLU"), attention=("channel",), **_MBCONV,
    ),
    "ghostnet": _entry(
        "GhostNet: More Features from Cheap Operations", "1911.11907",
        activation=("ReLU",), attention=("channel",), **_MBCONV,
    ),
    "repghostnet": _entry(
        "RepGhost: A Hardware-Efficient Ghost Module via Re-parameterization", "2211.06088", extends="ghostnet",
    ),
    "rexnet": _entry(
        "Rethinking Channel Dimensions for Efficient Model Design", "2007.00992",
        activation=("SiLU", "ReLU"), attention=("channel",), **_MBCONV,
    ),
    "mobileone": _entry(
        "MobileOne: An Improved One millisecond Mobile Backbone", "2206.04861",
        normalization=("batch norm",), convolution=("depthwise", "1x1", "3x3"), activation=("ReLU",), **_CNN_HEAD,
    ),
    "repvit": _entry(
        "RepViT: Revisiting Mobile CNN From ViT Perspective", "2307.09283",
        activation=("GELU",), attention=("channel",), **_MBCONV,
    ),
    # Modernised convolutional networks.
    "convnext": _entry(
        "A ConvNet for the 2020s", "2201.03545",
        normalization=("layer norm", "LayerScale"), initialization="truncated normal",
        convolution=("depthwise", "large kernel", "1x1"), skip_connection=("residual",), activation=("GELU",),
        pooling=("global average",), feedforward=("MLP block", "dense"), attention=(), output_function="softmax",
    ),
    "convnextv2": _entry(
        "ConvNeXt V2: Co-designing and Scaling ConvNets with Masked Autoencoders", "2301.00808",
        extends="convnext", normalization=("layer norm", "global response norm"),
    ),
    "convnext_rms": _entry(
        "timm convnext.py model definitions (timm 1.0)", None, extends="convnext",
        normalization=("RMS norm", "LayerScale"),
    ),
    "mambaout": _entry(
        "MambaOut: Do We Really Need Mamba for Vision?", "2405.07992",
        normalization=("layer norm",), convolution=("depthwise", "large kernel", "gated"),
        skip_connection=("residual",), activation=("GELU",), attention=(), **_CNN_HEAD,
    ),
    "convformer": _entry(
        "MetaFormer Baselines for Vision", "2210.13452",
        normalization=("layer norm",), convolution=("depthwise", "large kernel", "1x1"),
        skip_connection=("residual",), activation=("StarReLU",), pooling=("global average",),
        feedforward=("MLP block", "dense"), attention=(), output_function="softmax",
    ),
    "caformer": _entry(
        "MetaFormer Baselines for Vision", "2210.13452", extends="convformer",
        attention=("multi-head", "scaled dot-product"),
    ),
    "poolformer": _entry(
        "MetaFormer Is Actually What You Need for Vision", "2111.11418",
        normalization=("group norm", "LayerScale"), convolution=("1x1",), skip_connection=("residual",),
        activation=("GELU",), pooling=("average", "global average"), feedforward=("MLP block", "dense"),
        attention=(), output_function="softmax",
    ),
    "poolformerv2": _entry(
        "MetaFormer Baselines for Vision", "2210.13452", extends="poolformer",
        normalization=("group norm",), activation=("StarReLU",),
    ),
    "focalnet": _entry(
        "Focal Modulation Networks", "2203.11926",
        normalization=("layer norm",), convolution=("depthwise", "1x1", "gated"), skip_connection=("residual",),
        activation=("GELU",), pooling=("global average",), feedforward=("MLP block", "dense"), attention=(),
        output_function="softmax",
    ),
    "rdnet": _entry(
        "DenseNets Reloaded: Paradigm Shift Beyond ResNets and ViTs", "2403.19588",
        normalization=("layer norm",), convolution=("depthwise", "large kernel", "1x1"),
        skip_connection=("concatenated",), activation=("GELU",), attention=("channel",), **_CNN_HEAD,
    ),
    # Vision transformers.
    "vit": _entry(
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale "
        "(initialization from timm vision_transformer.py)", "2010.11929",
        initialization="truncated normal", pooling=("class token",), **_VIT_BLOCK,
    ),
    "vit_gap": _entry(
        "timm vision_transformer.py model definitions (timm 1.0)", None, extends="vit",
        pooling=("global average",),
    ),
    "vit_hybrid": _entry(
        "An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale (ResNet hybrid)",
        "2010.11929", extends="vit",
        normalization=("layer norm", "group norm", "weight standardization"), convolution=("3x3", "1x1"),
        activation=("GELU", "ReLU"), pooling=("class token", "max"),
    ),
    "vit_siglip": _entry(
        "Sigmoid Loss for Language Image Pre-Training", "2303.15343", extends="vit",
        pooling=("attention pooling",), initialization=None,
    ),
    "deit": _entry(
        "Training data-efficient image transformers & distillation through attention", "2012.12877",
        initialization="truncated normal", pooling=("class token",), **_VIT_BLOCK,
    ),
    "deit3": _entry(
        "DeiT III: Revenge of the ViT", "2204.07118", extends="deit",
        normalization=("layer norm", "LayerScale"),
    ),
    "flexivit": _entry(
        "FlexiViT: One Model for All Patch Sizes", "2212.08013", pooling=("class token",), **_VIT_BLOCK,
    ),
    "eva": _entry(
        "EVA: Exploring the Limits of Masked Visual Representation Learning at Scale", "2211.07636",
        pooling=("global average",), **_VIT_BLOCK,
    ),
    "eva02": _entry(
        "EVA-02: A Visual Representation for Neon Genesis", "2303.11331", extends="eva", activation=("GLU", "SiLU"),
    ),
    "beit": _entry(
        "BEiT: BERT Pre-Training of Image Transformers", "2106.08254",
        pooling=("global average",), **{**_VIT_BLOCK, "normalization": ("layer norm", "LayerScale")},
    ),
    "beit3": _entry(
        "Image as a Foreign Language: BEiT Pretraining for All Vision and Vision-Language Tasks", "2208.10442",
        pooling=("global average",), **_VIT_BLOCK,
    ),
    "cait": _entry(
        "Going deeper with Image Transformers", "2103.17239",
        pooling=("class token",),
        **{**_VIT_BLOCK, "normalization": ("layer norm", "LayerScale"),
           "attention": ("multi-head", "scaled dot-product", "class attention")},
    ),
    "xcit": _entry(
        "XCiT: Cross-Covariance Image Transformers", "2106.09681",
        convolution=("3x3", "depthwise"), pooling=("class token",),
        **{**_VIT_BLOCK, "normalization": ("layer norm", "batch norm", "LayerScale"),
           "attention": ("cross-covariance", "class attention")},
    ),
    "convit": _entry(
        "ConViT: Improving Vision Transformers with Soft Convolutional Inductive Biases", "2103.10697",
        pooling=("class token",), **_VIT_BLOCK,
    ),
    "tnt": _entry("Transformer in Transformer", "2103.00112", pooling=("class token",), **_VIT_BLOCK),
    "mvitv2": _entry(
        "MViTv2: Improved Multiscale Vision Transformers for Classification and Detection", "2112.01526",
        pooling=("max", "global average"),
        **{**_VIT_BLOCK, "attention": ("multi-head", "scaled dot-product", "pooling attention")},
    ),
    "pit": _entry(
        "Rethinking Spatial Dimensions of Vision Transformers", "2103.16302",
        convolution=("depthwise",), pooling=("class token",), **_VIT_BLOCK,
    ),
    "crossvit": _entry(
        "CrossViT: Cross-Attention Multi-Scale Vision Transformer for Image Classification", "2103.14899",
        pooling=("class token",), **_VIT_BLOCK,
    ),
    "volo": _entry(
        "VOLO: Vision Outlooker for Visual Recognition", "2106.13112",
        convolution=("3x3",), pooling=("class token",),
        **{**_VIT_BLOCK, "normalization": ("layer norm", "batch norm"),
           "attention": ("outlook", "multi-head", "scaled dot-product", "class attention")},
    ),
    "coat": _entry(
        "Co-Scale Conv-Attentional Image Transformers", "2104.06399",
        convolution=("depthwise",), pooling=("class token",),
        **{**_VIT_BLOCK, "attention": ("multi-head", "linear")},
    ),
    "twins": _entry(
        "Twins: Revisiting the Design of Spatial Attention in Vision Transformers", "2104.13840",
        convolution=("depthwise",), pooling=("global average",), **_VIT_BLOCK,
    ),
    "twins_svt": _entry(
        "Twins: Revisiting the Design of Spatial Attention in Vision Transformers", "2104.13840",
        extends="twins", attention=("multi-head", "scaled dot-product", "window"),
    ),
    "pvt": _entry(
        "PVT v2: Improved Baselines with Pyramid Vision Transformer", "2106.13797",
        convolution=("depthwise", "3x3"), pooling=("global average",), **_VIT_BLOCK,
    ),
    "swin": _entry(
        "Swin Transformer: Hierarchical Vision Transformer using Shifted Windows", "2103.14030",
        pooling=("global average",), **{**_VIT_BLOCK, "attention": ("window", "multi-head", "scaled dot-product")},
    ),
    "swinv2": _entry(
        "Swin Transformer V2: Scaling Up Capacity and Resolution", "2111.09883", extends="swin",
        attention=("window", "multi-head", "cosine"),
    ),
    "hiera": _entry(
        "Hiera: A Hierarchical Vision Transformer without the Bells-and-Whistles", "2306.00989",
        pooling=("max", "global average"), **_VIT_BLOCK,
    ),
    "resmlp": _entry(
        "ResMLP: Feedforward networks for image classification with data-efficient training", "2105.03404",
        normalization=("LayerScale",), skip_connection=("residual",), activation=("GELU",),
        pooling=("global average",), feedforward=("affine", "linear", "MLP block", "dense"), attention=(),
        output_function="softmax",
    ),
    "mixer": _entry(
        "MLP-Mixer: An all-MLP Architecture for Vision", "2105.01601",
        normalization=("layer norm",), skip_connection=("residual",), activation=("GELU",),
        pooling=("global average",), feedforward=("MLP block", "dense"), attention=(), output_function="softmax",
    ),
    # Hybrids of convolution and attention.
    "maxvit": _entry(
        "MaxViT: Multi-Axis Vision Transformer", "2204.01697",
        normalization=("batch norm", "layer norm"), convolution=("depthwise", "1x1", "3x3"),
        skip_connection=("residual",), activation=("GELU",), pooling=("global average",),
        feedforward=("MLP block", "dense"),
        attention=("multi-axis", "window", "multi-head", "scaled dot-product", "channel"), output_function="softmax",
    ),
    "coatnet": _entry(
        "CoAtNet: Marrying Convolution and Attention for All Data Sizes", "2106.04803",
        normalization=("batch norm", "layer norm"), convolution=("depthwise", "1x1", "3x3"),
        skip_connection=("residual",), activation=("GELU",), pooling=("global average",),
        feedforward=("MLP block", "dense"), attention=("multi-head", "scaled dot-product", "channel"),
        output_function="softmax",
    ),
    "tiny_vit": _entry(
        "TinyViT: Fast Pretraining Distillation for Small Vision Transformers", "2207.10666",
        normalization=("batch norm", "layer norm"), convolution=("depthwise", "1x1", "3x3"),
        skip_connection=("residual",), activation=("GELU",), pooling=("global average",),
        feedforward=("MLP block", "dense"), attention=("window", "multi-head", "scaled dot-product"),
        output_function="softmax",
    ),
    "mobilevit": _entry(
        "MobileViT: Light-weight, General-purpose, and Mobile-friendly Vision Transformer", "2110.02178",
        normalization=("batch norm", "layer norm"), convolution=("depthwise", "1x1", "3x3"),
        skip_connection=("residual",), activation=("SiLU",), attention=("multi-head", "scaled dot-product"),
        **_CNN_HEAD,
    ),
    "mobilevitv2": _entry(
        "Separable Self-attention for Mobile Vision Transformers", "2206.02680", extends="mobilevit",
        normalization=None, attention=("linear",),
    ),
    "efficientvit": _entry(
        "EfficientViT: Multi-Scale Linear Attention for High-Resolution Dense Prediction", "2205.14756",
        activation=("hard swish",), attention=("linear",),
        **{**_MBCONV, "convolution": ("depthwise", "1x1", "3x3", "grouped")},
    ),
    "efficientvit_l": _entry(
        "EfficientViT: Multi-Scale Linear Attention for High-Resolution Dense Prediction", "2205.14756",
        extends="efficientvit", activation=("GELU",),
    ),
    "efficientvit_m": _entry(
        "EfficientViT: Memory Efficient Vision Transformer with Cascaded Group Attention", "2305.07027",
        activation=("ReLU",), attention=("multi-head", "scaled dot-product", "channel"), **_MBCONV,
    ),
    "fastvit": _entry(
        "FastViT: A Fast Hybrid Vision Transformer using Structural Reparameterization", "2303.14189",
        normalization=("batch norm",), convolution=("depthwise", "large kernel", "1x1", "3x3"),
        skip_connection=("residual",), activation=("GELU",), attention=("channel",), **_CNN_HEAD,
    ),
    "fastvit_attention": _entry(
        "FastViT: A Fast Hybrid Vision Transformer using Structural Reparameterization", "2303.14189",
        extends="fastvit", attention=("multi-head", "scaled dot-product", "channel"),
    ),
    "nextvit": _entry(
        "Next-ViT: Next Generation Vision Transformer for Efficient Deployment in Realistic Industrial "
        "Scenarios", "2207.05501",
        normalization=("batch norm",), skip_connection=("residual",), activation=("ReLU",),
        attention=("multi-head", "scaled dot-product"), **_CNN_HEAD,
    ),
    "levit": _entry(
        "LeViT: a Vision Transformer in ConvNet's Clothing for Faster Inference", "2104.01136",
        normalization=("batch norm",), convolution=("3x3",), skip_connection=("residual",),
        activation=("hard swish",), pooling=("global average",), feedforward=("MLP block", "dense"),
        attention=("multi-head", "scaled dot-product"), output_function="softmax",
    ),
    "edgenext": _entry(
        "EdgeNeXt: Efficiently Amalgamated CNN-Transformer Architecture for Mobile Vision Applications",
        "2206.10589",
        normalization=("layer norm",), convolution=("depthwise", "1x1"), skip_connection=("residual",),
        activation=("GELU",), attention=("cross-covariance", "multi-head"), **_CNN_HEAD,
    ),
    "efficientformer": _entry(
        "EfficientFormer: Vision Transformers at MobileNet Speed", "2206.01191",
        normalization=("batch norm", "layer norm", "LayerScale"), convolution=("1x1", "3x3"),
        skip_connection=("residual",), activation=("GELU",), pooling=("average", "global average"),
        feedforward=("MLP block", "dense"), attention=("multi-head", "scaled dot-product"),
        output_function="softmax",
    ),
    "efficientformerv2": _entry(
        "Rethinking Vision Transformers for MobileNet Size and Speed", "2212.08059",
        normalization=("batch norm",), convolution=("depthwise", "1x1", "3x3"), skip_connection=("residual",),
        activation=("GELU",), attention=("multi-head", "scaled dot-product"), **_CNN_HEAD,
    ),
}

#: (pattern on the lower-cased architecture name, table key), tried in order
#: before the family rule. More specific patterns come first.
VARIANT_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"^resnetv2_.*_bit", "resnet_bit"),
    (r"^resnetv2_\w*_evos$", "resnet_evos"),
    (r"^(?:resnet|resnetv2)\w*_gn$", "resnet_gn"),
    (r"^resnetv2_", "resnet_v2"),
    (r"^resnet(?:32|33)ts$|^resnet(?:51|61)q$", "resnet_silu"),
    (r"^resnext26ts$", "resnext_silu"),
    (r"^seresnet33ts$", "seresnet_silu"),
    (r"^seresnext26ts$", "seresnext_silu"),
    (r"^(?:legacy_)?senet154$", "seresnext"),
    (r"^ecaresnetlight$", "ecaresnet"),
    (r"^regnetz_\w+_evos$", "regnetz_evos"),
    (r"^rexnetr_", "rexnet"),
    (r"^csp(?:resnet|resnext|darknet)\d", "cspnet"),
    (r"^darknetaa\d", "darknet"),
    (r"^resnetblur\d", "resnetblur"),
    (r"^densenetblur\d", "densenet"),
    (r"^dla\d+x|^dla\d+_res2next", "dla_x"),
    (r"^dla\d", "dla"),
    (r"^repvgg_\w*g\d+$", "repvgg_grouped"),
    (r"^repvgg_\w*se$", "repvgg_se"),
    (r"^mnasnet_small$|^mobilenet_edgetpu", "mobilenet_edgetpu"),
    (r"^mvitv2_", "mvitv2"),
    (r"^vgg\d+_bn$", "vgg_bn"),
    (r"^nfnet_l\d", "eca_nfnet"),
    (r"^inception_v3$", "inception_v3"),
    (r"^inception_v4$", "inception_v4"),
    (r"^inception_resnet_v2$", "inception_resnet_v2"),
    (r"^inception_next_", "inception_next"),
    (r"^xception\d", "xception_aligned"),
    (r"^(?:tf_)?mobilenetv3_.*minimal", "mobilenetv3_minimal"),
    (r"^mobilenetv1_", "mobilenetv1"),
    (r"^mobilenetv2_", "mobilenetv2"),
    (r"^(?:tf_)?mobilenetv3_", "mobilenetv3"),
    (r"^mobilenetv4_hybrid_large", "mobilenetv4_hybrid_large"),
    (r"^mobilenetv4_hybrid_", "mobilenetv4_hybrid"),
    (r"^mobilenetv4_", "mobilenetv4"),
    (r"^(?:tf_)?efficientnet_lite\d", "efficientnet_lite"),
    (r"^(?:tf_)?efficientnet_e[sml](?:_pruned)?$", "efficientnet_edgetpu"),
    (r"^(?:tf_)?efficientnetv2_", "efficientnetv2"),
    (r"^convnextv2_", "convnextv2"),
    (r"^convnext_\w*rms", "convnext_rms"),
    (r"^poolformerv2_", "poolformerv2"),
    (r"^vit_\w*_r\d*_s\d+", "vit_hybrid"),
    (r"^vit_\w*(?:_gap_|_gap$|_clsgap)", "vit_gap"),
    (r"^vit_(?!\w*_cls_)(?:s?relpos_|\w*_rpn_)", "vit_gap"),
    (r"^vit_\w*siglip", "vit_siglip"),
    (r"^deit3_", "deit3"),
    (r"^eva02_", "eva02"),
    (r"^beit3_", "beit3"),
    (r"^swinv2_", "swinv2"),
    (r"^twins_svt_", "twins_svt"),
    (r"^mobilevitv2_", "mobilevitv2"),
    (r"^efficientvit_m\d", "efficientvit_m"),
    (r"^efficientvit_l\d", "efficientvit_l"),
    (r"^fastvit_(?:sa|ma)\d", "fastvit_attention"),
    (r"^efficientformerv2_", "efficientformerv2"),
)
