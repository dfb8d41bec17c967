"""The table of training recipes behind timm pretrained tags (data only).

A timm checkpoint is named ``<architecture>.<pretrained tag>``. Many tags
stand for a documented recipe: ``a1_in1k`` is procedure A1 of "ResNet
strikes back", ``tv_in1k`` the original torchvision recipe. Some tags mean
different recipes for different architectures (``fb_in1k`` is the DeiT
recipe for DeiT and the ConvNeXt recipe for ConvNeXt), so an entry may be
restricted to architectures by a pattern. Entries are tried in order and
the first whose tag and pattern match wins, so restricted entries come
before the general entry of the same tag.

Numbers are the published values: ``learning_rate`` is the base rate at the
stated ``batch_size`` (total over devices). A component the source does not
settle is left out. Tags of fine-tuned checkpoints (``..._ft_in1k``) are not
listed, because their Top-1 depends on both the pre-training and the
fine-tuning recipe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class TagRecipe:
    """One documented training recipe and the timm tags that name it.

    Parameters
    ----------
    tags : tuple of str
        Pretrained tags the recipe applies to, e.g. ``("a1_in1k",)``.
    source : str
        Where the recipe is documented, starting with ``NOTE: from``.
    components : dict
        Component name to canonical value: a string for a choice, a tuple for
        a set, a number for a numeric component.
    details : dict
        Facts that are not components (weight decay, warm-up epochs, loss).
    models : str or None
        Regular expression the lower-cased architecture name must match;
        None applies the entry to every architecture with the tag.
    """

    tags: tuple[str, ...]
    source: str
    components: dict[str, Any]
    details: dict[str, Any] = field(default_factory=dict)
    models: Optional[str] = None


_RSB = "NOTE: from ResNet strikes back: An improved training procedure in timm (arXiv:2110.00476)"
_TIMM_CARD = "NOTE: from the timm model card recipe template"
_TORCHVISION = "NOTE: from the torchvision classification reference scripts (references/classification)"
_TORCHVISION_V2 = (
    "NOTE: from How to Train State-Of-The-Art Models Using TorchVision's Latest Primitives "
    "(PyTorch blog, 2021) and the torchvision weight documentation"
)
_DEIT = "NOTE: from Training data-efficient image transformers & distillation through attention (arXiv:2012.12877)"
_SWIN = "NOTE: from Swin Transformer (arXiv:2103.14030), ImageNet-1k training settings"

_BASIC_AUGMENTATION = ("random resized crop", "flip")
_DEIT_AUGMENTATION = (*_BASIC_AUGMENTATION, "RandAugment", "mixup", "CutMix", "random erasing")

_RSB_COMMON = dict(optimizer="LAMB", lr_schedule="linear warmup + cosine", batch_size=2048)
_RSB_DETAILS = dict(loss="binary cross-entropy", warmup_epochs=5, cutmix_alpha=1.0,
                    note="hyper-parameters as published for ResNet-50")

_DEIT_RECIPE = dict(
    optimizer="AdamW", lr_schedule="linear warmup + cosine", learning_rate=1e-3, batch_size=1024,
    regularization=("weight decay", "label smoothing", "stochastic depth"),
    data_augmentation=(*_DEIT_AUGMENTATION, "repeated augmentation"),
)
_DEIT_DETAILS = dict(
    learning_rate_rule="5e-4 x batch size / 512", weight_decay=0.05, warmup_epochs=5, label_smoothing=0.1,
    stochastic_depth=0.1, mixup_alpha=0.8, cutmix_alpha=1.0, random_erasing=0.25, randaugment="rand-m9-mstd0.5-inc1",
)

_SWIN_RECIPE = dict(
    optimizer="AdamW", lr_schedule="linear warmup + cosine", learning_rate=1e-3, batch_size=1024, epochs=300,
    regularization=("weight decay", "label smoothing", "stochastic depth"), data_augmentation=_DEIT_AUGMENTATION,
)

TAG_RECIPES: tuple[TagRecipe, ...] = (
    # ResNet strikes back and the timm recipe templates.
    TagRecipe(
        ("a1_in1k",), f"{_RSB}, procedure A1",
        dict(_RSB_COMMON, learning_rate=5e-3, epochs=600,
             regularization=("weight decay", "stochastic depth"),
             data_augmentation=(*_BASIC_AUGMENTATION, "RandAugment", "mixup", "CutMix", "repeated augmentation")),
        dict(_RSB_DETAILS, weight_decay=0.01, mixup_alpha=0.2, randaugment="rand-m7-mstd0.5", stochastic_depth=0.05,
             train_resolution=224),
    ),
    TagRecipe(
        ("a2_in1k",), f"{_RSB}, procedure A2",
        dict(_RSB_COMMON, learning_rate=5e-3, epochs=300,
             regularization=("weight decay", "stochastic depth"),
             data_augmentation=(*_BASIC_AUGMENTATION, "RandAugment", "mixup", "CutMix", "repeated augmentation")),
        dict(_RSB_DETAILS, weight_decay=0.02, mixup_alpha=0.1, randaugment="rand-m7-mstd0.5", stochastic_depth=0.05,
             train_resolution=224),
    ),
    TagRecipe(
        ("a3_in1k",), f"{_RSB}, procedure A3",
        dict(_RSB_COMMON, learning_rate=8e-3, epochs=100,
             regularization=("weight decay",),
             data_augmentation=(*_BASIC_AUGMENTATION, "RandAugment", "mixup", "CutMix")),
        dict(_RSB_DETAILS, weight_decay=0.02, mixup_alpha=0.1, randaugment="rand-m6-mstd0.5", train_resolution=160),
    ),
    TagRecipe(
        ("a1h_in1k",), f"{_TIMM_CARD} (based on ResNet strikes back A1, arXiv:2110.00476)",
        dict(optimizer="LAMB", lr_schedule="linear warmup + cosine",
             regularization=("dropout", "stochastic depth"), data_augmentation=("RandAugment",)),
        dict(loss="binary cross-entropy",
             note="A1 with stronger dropout, stochastic depth and RandAugment than the paper"),
    ),
    TagRecipe(
        ("c1_in1k", "c2_in1k", "c3_in1k"), f"{_TIMM_CARD} (ResNet strikes back C recipes, arXiv:2110.00476)",
        dict(optimizer="Nesterov", lr_schedule="linear warmup + cosine", regularization=("gradient clipping",)),
        dict(gradient_clipping="adaptive gradient clipping (AGC)"),
    ),
    TagRecipe(
        ("ra_in1k", "ra2_in1k"),
        f"{_TIMM_CARD} (RandAugment RA/RA2 recipes, published as procedure B in arXiv:2110.00476)",
        dict(optimizer="RMSProp", lr_schedule="exponential", regularization=("EMA",),
             data_augmentation=("RandAugment",)),
        dict(optimizer_detail="RMSProp with TensorFlow 1.0 epsilon behaviour",
             lr_schedule_detail="step schedule with exponential decay (staircase) and warm-up"),
    ),
    TagRecipe(
        ("ra3_in1k",), f"{_TIMM_CARD} (RandAugment RA3 recipe, related to procedure B in arXiv:2110.00476)",
        dict(data_augmentation=("RandAugment",)),
    ),
    TagRecipe(
        ("rmsp_in1k",), f"{_TIMM_CARD} (RMSProp recipe without RandAugment)",
        dict(optimizer="RMSProp", lr_schedule="exponential", regularization=("EMA", "dropout"),
             data_augmentation=("random resized crop", "random erasing", "mixup")),
        dict(optimizer_detail="RMSProp with TensorFlow 1.0 epsilon behaviour",
             lr_schedule_detail="step schedule with exponential decay (staircase) and warm-up"),
    ),
    # torchvision.
    TagRecipe(
        ("tv_in1k",), _TORCHVISION,
        dict(optimizer="SGD momentum", lr_schedule="step", learning_rate=0.1, batch_size=256, epochs=90,
             regularization=("weight decay",), data_augmentation=_BASIC_AUGMENTATION),
        dict(momentum=0.9, weight_decay=1e-4, lr_step_epochs=30, lr_gamma=0.1, devices="8 GPUs x 32 images"),
        models=r"^resnet(?:18|34|50|101|152)$",
    ),
    TagRecipe(
        ("tv_in1k",), _TORCHVISION,
        dict(optimizer="SGD momentum", lr_schedule="step", learning_rate=0.1, batch_size=256, epochs=100,
             regularization=("weight decay",), data_augmentation=_BASIC_AUGMENTATION),
        dict(momentum=0.9, weight_decay=1e-4, lr_step_epochs=30, lr_gamma=0.1),
        models=r"^resnext50_32x4d$",
    ),
    TagRecipe(
        ("tv_in1k",), _TORCHVISION,
        dict(optimizer="SGD momentum", lr_schedule="step", epochs=100,
             regularization=("weight decay",), data_augmentation=_BASIC_AUGMENTATION),
        dict(devices="64 GPUs (8 nodes x 8)"),
        models=r"^resnext101_32x8d$",
    ),
    TagRecipe(
        ("tv_in1k",), f"{_TORCHVISION}; VGG without batch norm starts at learning rate 0.01",
        dict(optimizer="SGD momentum", lr_schedule="step", learning_rate=0.01, batch_size=256, epochs=90,
             regularization=("weight decay",), data_augmentation=_BASIC_AUGMENTATION),
        dict(momentum=0.9, weight_decay=1e-4, lr_step_epochs=30, lr_gamma=0.1),
        models=r"^vgg\d+$",
    ),
    TagRecipe(
        ("tv_in1k",), _TORCHVISION,
        dict(optimizer="SGD momentum", lr_schedule="step", learning_rate=0.1, batch_size=256, epochs=90,
             regularization=("weight decay",), data_augmentation=_BASIC_AUGMENTATION),
        dict(momentum=0.9, weight_decay=1e-4, lr_step_epochs=30, lr_gamma=0.1),
        models=r"^vgg\d+_bn$",
    ),
    TagRecipe(
        ("tv2_in1k",), _TORCHVISION_V2,
        dict(optimizer="SGD momentum", lr_schedule="linear warmup + cosine", learning_rate=0.5, batch_size=1024,
             epochs=600, regularization=("weight decay", "label smoothing", "EMA"),
             data_augmentation=(*_BASIC_AUGMENTATION, "TrivialAugment", "mixup", "CutMix", "random erasing",
                                "repeated augmentation")),
        dict(momentum=0.9, weight_decay=2e-5, norm_weight_decay=0.0, warmup_epochs=5, label_smoothing=0.1,
             mixup_alpha=0.2, cutmix_alpha=1.0, random_erasing=0.1, train_crop_size=176, val_resize_size=232,
             repeated_augmentation_repeats=4),
        models=r"^resnet(?:50|101|152)$",
    ),
    TagRecipe(
        ("tv2_in1k",), _TORCHVISION_V2,
        dict(optimizer="SGD momentum", lr_schedule="linear warmup + cosine"),
    ),
    # Recipes of the papers that define a family, by architecture.
    TagRecipe(
        ("fb_in1k",), _DEIT, _DEIT_RECIPE | dict(epochs=300), _DEIT_DETAILS,
        models=r"^deit_(?:tiny|small|base)_patch16_224$",
    ),
    TagRecipe(
        ("fb_in1k",), _DEIT,
        _DEIT_RECIPE | dict(epochs=300, regularization=(*_DEIT_RECIPE["regularization"], "knowledge distillation")),
        _DEIT_DETAILS | dict(teacher="RegNetY-16GF", distillation="hard, with a distillation token"),
        models=r"^deit_(?:tiny|small|base)_distilled_patch16_224$",
    ),
    TagRecipe(
        ("fb_in1k",), _DEIT, _DEIT_RECIPE, _DEIT_DETAILS | dict(note="fine-tuned at 384 px after training at 224 px"),
        models=r"^deit_base_patch16_384$",
    ),
    TagRecipe(
        ("fb_in1k",), _DEIT,
        _DEIT_RECIPE | dict(regularization=(*_DEIT_RECIPE["regularization"], "knowledge distillation")),
        _DEIT_DETAILS | dict(teacher="RegNetY-16GF", note="fine-tuned at 384 px after training at 224 px"),
        models=r"^deit_base_distilled_patch16_384$",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from DeiT III: Revenge of the ViT (arXiv:2204.07118)",
        dict(optimizer="LAMB", lr_schedule="linear warmup + cosine", batch_size=2048,
             regularization=("weight decay", "stochastic depth"),
             data_augmentation=("3-Augment", "CutMix", "random crop", "flip")),
        dict(loss="binary cross-entropy", note="400 or 800 epochs depending on the model size"),
        models=r"^deit3_",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from A ConvNet for the 2020s (arXiv:2201.03545), ImageNet-1k training settings",
        dict(optimizer="AdamW", lr_schedule="linear warmup + cosine", learning_rate=4e-3, batch_size=4096,
             epochs=300, regularization=("weight decay", "label smoothing", "stochastic depth"),
             data_augmentation=_DEIT_AUGMENTATION),
        dict(weight_decay=0.05, warmup_epochs=20, mixup_alpha=0.8, cutmix_alpha=1.0, random_erasing=0.25,
             label_smoothing=0.1, randaugment="rand-m9-mstd0.5-inc1", layer_scale_init=1e-6),
        models=r"^convnext_(?:tiny|small|base|large)$",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from XCiT: Cross-Covariance Image Transformers (arXiv:2106.09681)",
        dict(optimizer="AdamW", epochs=400), models=r"^xcit_",
    ),
    TagRecipe(
        ("fb_dist_in1k",), "NOTE: from XCiT: Cross-Covariance Image Transformers (arXiv:2106.09681)",
        dict(optimizer="AdamW", epochs=400, regularization=("knowledge distillation",)), models=r"^xcit_",
    ),
    TagRecipe(
        ("fb_dist_in1k",), "NOTE: from Going deeper with Image Transformers (arXiv:2103.17239)",
        dict(epochs=400, regularization=("knowledge distillation", "stochastic depth")), models=r"^cait_",
    ),
    TagRecipe(
        ("fb_dist_in1k",), "NOTE: from LeViT (arXiv:2104.01136)",
        dict(optimizer="AdamW", epochs=1000, regularization=("knowledge distillation",)), models=r"^levit_",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from ResMLP (arXiv:2105.03404)",
        dict(optimizer="LAMB", epochs=400), dict(learning_rate=5e-3, weight_decay=0.2), models=r"^resmlp_",
    ),
    TagRecipe(
        ("fb_distilled_in1k",), "NOTE: from ResMLP (arXiv:2105.03404)",
        dict(optimizer="LAMB", epochs=400, regularization=("knowledge distillation",)), models=r"^resmlp_",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from ConViT (arXiv:2103.10697), which trains with the DeiT recipe",
        dict(optimizer="AdamW", epochs=300), models=r"^convit_",
    ),
    TagRecipe(
        ("fb_in1k",), "NOTE: from MViTv2 (arXiv:2112.01526)",
        dict(optimizer="AdamW", epochs=300), models=r"^mvitv2_",
    ),
    TagRecipe(("ms_in1k",), _SWIN, _SWIN_RECIPE, dict(weight_decay=0.05, warmup_epochs=20),
              models=r"^swin_(?:tiny|small|base)_patch4_window7_224$"),
    TagRecipe(
        ("ms_in1k",), "NOTE: from Swin Transformer V2 (arXiv:2111.09883), ImageNet-1k training settings",
        _SWIN_RECIPE | dict(regularization=(*_SWIN_RECIPE["regularization"], "gradient clipping")),
        dict(weight_decay=0.05, warmup_epochs=20, gradient_clipping_max_norm=5.0),
        models=r"^swinv2_(?:tiny|small|base)_window(?:8|16)_256$",
    ),
    TagRecipe(
        ("ms_in1k",), "NOTE: from Focal Modulation Networks (arXiv:2203.11926), which follows the Swin recipe",
        dict(optimizer="AdamW", lr_schedule="linear warmup + cosine", learning_rate=1e-3, batch_size=1024,
             epochs=300, regularization=("weight decay", "stochastic depth")),
        dict(weight_decay=0.05, warmup_epochs=20), models=r"^focalnet_",
    ),
    TagRecipe(
        ("tf_in1k",), "NOTE: from Revisiting ResNets: Improved Training and Scaling Strategies (arXiv:2103.07579)",
        dict(optimizer="SGD momentum", lr_schedule="cosine", learning_rate=1.6, batch_size=4096, epochs=350,
             regularization=("weight decay", "label smoothing", "dropout", "stochastic depth", "EMA"),
             data_augmentation=("RandAugment",)),
        dict(momentum=0.9, weight_decay=4e-5, label_smoothing=0.1, ema_decay=0.9999),
        models=r"^resnetrs\d",
    ),
    TagRecipe(
        ("dm_in1k",), "NOTE: from High-Performance Large-Scale Image Recognition Without Normalization "
        "(arXiv:2102.06171)",
        dict(optimizer="Nesterov", lr_schedule="linear warmup + cosine", learning_rate=1.6, batch_size=4096,
             epochs=360,
             regularization=("weight decay", "dropout", "stochastic depth", "label smoothing", "EMA",
                             "gradient clipping"),
             data_augmentation=(*_BASIC_AUGMENTATION, "RandAugment", "mixup", "CutMix")),
        dict(momentum=0.9, weight_decay=2e-5, warmup_epochs=5, label_smoothing=0.1, ema_decay=0.99999,
             gradient_clipping="adaptive gradient clipping (AGC)"),
    ),
    TagRecipe(
        ("aa_in1k",), "NOTE: from EfficientNet (arXiv:1905.11946), ImageNet training settings",
        dict(optimizer="RMSProp", lr_schedule="exponential", learning_rate=0.256, batch_size=4096,
             regularization=("weight decay", "dropout", "stochastic depth"), data_augmentation=("AutoAugment",)),
        dict(lr_schedule_detail="decays by 0.97 every 2.4 epochs", weight_decay=1e-5, rmsprop_decay=0.9,
             rmsprop_momentum=0.9, batch_norm_momentum=0.99, stochastic_depth_survival=0.8),
        models=r"^tf_efficientnet_b\d$",
    ),
    TagRecipe(
        ("ns_jft_in1k",), "NOTE: from Self-training with Noisy Student improves ImageNet classification "
        "(arXiv:1911.04252)",
        dict(regularization=("dropout", "stochastic depth"), data_augmentation=("RandAugment",)),
        dict(note="student trained on labelled ImageNet and pseudo-labelled JFT images"),
    ),
    TagRecipe(
        ("augreg_in1k",), "NOTE: from How to train your ViT? Data, Augmentation, and Regularization in Vision "
        "Transformers (arXiv:2106.10270)",
        dict(optimizer="Adam", lr_schedule="linear warmup + cosine", batch_size=4096, epochs=300,
             regularization=("weight decay", "gradient clipping")),
        dict(adam_betas=(0.9, 0.999), gradient_clipping_global_norm=1.0, warmup_steps=10_000),
    ),
    TagRecipe(
        ("cvnets_in1k",), "NOTE: from MobileViT (arXiv:2110.02178) and MobileViTv2 (arXiv:2206.02680)",
        dict(optimizer="AdamW", lr_schedule="linear warmup + cosine", epochs=300),
    ),
    TagRecipe(
        ("rvgg_in1k",), "NOTE: from RepVGG (arXiv:2101.03697)",
        dict(optimizer="SGD momentum", lr_schedule="cosine"),
    ),
    TagRecipe(
        ("sail_in1k",), "NOTE: from MetaFormer Is Actually What You Need for Vision (arXiv:2111.11418)",
        dict(optimizer="AdamW", lr_schedule="linear warmup + cosine", learning_rate=4e-3, batch_size=4096,
             epochs=300, regularization=("weight decay", "label smoothing", "stochastic depth"),
             data_augmentation=("RandAugment", "mixup", "CutMix")),
        dict(learning_rate_rule="1e-3 x batch size / 1024", weight_decay=0.05, warmup_epochs=5,
             label_smoothing=0.1),
        models=r"^poolformer_",
    ),
    TagRecipe(
        ("sail_in1k",), "NOTE: from MetaFormer Baselines (arXiv:2210.13452), InceptionNeXt (arXiv:2303.16900) "
        "and VOLO (arXiv:2106.13112)",
        dict(optimizer="AdamW", epochs=300),
    ),
    TagRecipe(
        ("pycls_in1k",), "NOTE: from Designing Network Design Spaces (arXiv:2003.13678) and the pycls model zoo",
        dict(lr_schedule="linear warmup + cosine", epochs=100, regularization=("weight decay",)),
        dict(weight_decay=5e-5, warmup_epochs=5),
    ),
    TagRecipe(
        ("gluon_in1k",), "NOTE: from Bag of Tricks for Image Classification with Convolutional Neural Networks "
        "(arXiv:1812.01187) and the GluonCV training scripts",
        dict(optimizer="Nesterov", lr_schedule="linear warmup + cosine"),
        dict(note="label smoothing, mixup and distillation differ per model and are not listed"),
    ),
)

#: Tag tokens that mark knowledge distillation in timm names (``fb_dist_in1k``, ``apple_dist_in1k``,
#: ``dist_450e_in1k``, ``ssld_in1k``).
DISTILLATION_TOKENS: frozenset[str] = frozenset({"dist", "distilled", "ssld"})

#: Tag tokens that mark a checkpoint pre-trained or fine-tuned on other data, whose epoch count in the
#: tag belongs to that other stage.
MULTI_STAGE_TOKENS: frozenset[str] = frozenset({"ft", "in12k", "in21k", "in22k", "jft", "laion2b", "m38m"})
