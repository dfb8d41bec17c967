"""Training recipes read from timm pretrained tags, and filling records with published facts."""

from __future__ import annotations

import shutil

import pytest
import regex

from efficientdl.extractors.records import RawRecord
from efficientdl.extractors.repos.published_facts import apply_published_facts
from efficientdl.extractors.repos.tag_table import TAG_RECIPES
from efficientdl.extractors.repos.timm_results import extract_timm_results
from efficientdl.extractors.repos.timm_tags import epochs_from_tag, recipe_from_tag, tag_recipe
from efficientdl.schema.components import COMPONENTS, Kind

#: Share of real ImageNet-1k timm rows whose optimizer a tag documents, measured at 0.31.
MIN_OPTIMIZER_COVERAGE = 0.27

def _invalid_values(recipe):
    invalid = []
    for name, value in recipe.components.items():
        component = COMPONENTS[name]
        if component.kind is Kind.NUMBER:
            low, high = component.bounds
            valid = low <= value <= high
        elif component.kind is Kind.SET:
            valid = [component.vocabulary.lookup(v) for v in value] == list(value)
        else:
            valid = component.vocabulary.lookup(value) == value
        if not valid:
            invalid.append((name, value))
    return invalid


@pytest.mark.parametrize("recipe", TAG_RECIPES, ids=lambda recipe: f"{recipe.tags[0]}:{recipe.models}")
def test_recipe_values_valid(recipe):
    assert _invalid_values(recipe) == []


@pytest.mark.parametrize("recipe", TAG_RECIPES, ids=lambda recipe: f"{recipe.tags[0]}:{recipe.models}")
def test_recipe_source_is_note(recipe):
    assert recipe.source.startswith("NOTE: from ")


@pytest.mark.parametrize("recipe", [r for r in TAG_RECIPES if r.models], ids=lambda recipe: recipe.models)
def test_recipe_model_pattern_compiles(recipe):
    assert regex.compile(recipe.models)


@pytest.mark.parametrize(
    ("model_name", "expected"),
    [
        ("resnet50.a1_in1k", {"optimizer": "LAMB", "epochs": 600, "batch_size": 2048, "learning_rate": 5e-3}),
        ("resnet50.a2_in1k", {"optimizer": "LAMB", "epochs": 300, "batch_size": 2048, "learning_rate": 5e-3}),
        ("resnet50.a3_in1k", {"optimizer": "LAMB", "epochs": 100, "batch_size": 2048, "learning_rate": 8e-3}),
        ("resnet50.tv_in1k", {"optimizer": "SGD momentum", "lr_schedule": "step", "learning_rate": 0.1,
                              "batch_size": 256, "epochs": 90}),
        ("vgg16.tv_in1k", {"learning_rate": 0.01}),
        ("resnet50.tv2_in1k", {"lr_schedule": "linear warmup + cosine", "learning_rate": 0.5, "epochs": 600}),
        ("deit_small_patch16_224.fb_in1k", {"optimizer": "AdamW", "epochs": 300, "batch_size": 1024}),
        ("convnext_tiny.fb_in1k", {"optimizer": "AdamW", "learning_rate": 4e-3, "batch_size": 4096}),
        ("deit3_small_patch16_224.fb_in1k", {"optimizer": "LAMB", "batch_size": 2048}),
        ("efficientnet_b0.ra_in1k", {"optimizer": "RMSProp", "lr_schedule": "exponential"}),
        ("dm_nfnet_f0.dm_in1k", {"optimizer": "Nesterov", "epochs": 360}),
    ],
)
def test_known_tag_recipe(model_name, expected):
    recipe = recipe_from_tag(model_name)
    assert {name: recipe.get(name) for name in expected} == expected


def test_recipe_details_name_source():
    details = recipe_from_tag("resnet50.a1_in1k")["details"]
    assert details["recipe_source"].startswith("NOTE: from ResNet strikes back")


def test_recipe_augmentations_listed():
    augmentations = recipe_from_tag("deit_small_patch16_224.fb_in1k")["data_augmentation"]
    assert {"RandAugment", "mixup", "CutMix", "random erasing", "repeated augmentation"} <= set(augmentations)


def test_distilled_deit_lists_distillation():
    regularization = recipe_from_tag("deit_small_distilled_patch16_224.fb_in1k")["regularization"]
    assert "knowledge distillation" in regularization


def test_bare_tag_skips_restricted_recipes():
    assert recipe_from_tag("fb_in1k") == {}


def test_bare_tag_uses_general_recipe():
    assert recipe_from_tag("a1_in1k")["epochs"] == 600


def test_tag_recipe_restricted_by_architecture():
    assert tag_recipe("xcit_tiny_12_p16_224.fb_in1k").models == r"^xcit_"


def test_unknown_tag_returns_empty():
    assert recipe_from_tag("some_model.unknown_tag") == {}


def test_recipe_lists_are_fresh_copies():
    recipe_from_tag("resnet50.a1_in1k")["regularization"].append("dropout")
    assert "dropout" not in recipe_from_tag("resnet50.a1_in1k")["regularization"]


@pytest.mark.parametrize(
    ("tag", "epochs"),
    [
        ("ra4_e3600_r224_in1k", 3600),
        ("e500_r224_in1k", 500),
        ("dist_450e_in1k", 450),
        ("1200ep_in1k", 1200),
        ("sw_e150_in12k_ft_in1k", None),
        ("ra2_in1k", None),
    ],
)
def test_epochs_from_tag(tag, epochs):
    assert epochs_from_tag(tag) == epochs


def test_distillation_token_adds_regularization():
    assert recipe_from_tag("fastvit_sa12.apple_dist_in1k")["regularization"] == ["knowledge distillation"]


def test_apply_fills_family_and_recipe():
    fields = {"model_name": "resnet50.a1_in1k"}
    sources: dict[str, str] = {}
    filled = apply_published_facts(fields, sources, "resnet50.a1_in1k")
    assert {"normalization", "activation", "optimizer", "epochs"} <= set(filled)
    assert sources["optimizer"].startswith("timm tag a1_in1k: NOTE: from ResNet strikes back")


def test_apply_keeps_stated_values():
    fields = {"activation": ["GELU"], "epochs": 42}
    sources = {"activation": "config", "epochs": "config"}
    apply_published_facts(fields, sources, "resnet50.a1_in1k")
    assert (fields["activation"], fields["epochs"]) == (["GELU"], 42)
    assert (sources["activation"], sources["epochs"]) == ("config", "config")


def test_apply_stores_recipe_details():
    details: dict = {}
    apply_published_facts({}, {}, "resnet50.a1_in1k", details)
    assert details["published_recipe"]["weight_decay"] == 0.01


def test_apply_mmpretrain_name_adds_no_recipe():
    fields: dict = {}
    apply_published_facts(fields, {}, "resnet50_8xb32_in1k")
    assert fields["activation"] == ["ReLU"]
    assert "optimizer" not in fields


def test_real_timm_records_recipe_coverage(shared_dir, tmp_path):
    shutil.copyfile(shared_dir / "sources" / "timm-results" / "results-imagenet.csv", tmp_path / "results-imagenet.csv")
    records = [item for item in extract_timm_results(tmp_path) if isinstance(item, RawRecord)]
    with_optimizer = sum(1 for record in records if record.fields.get("optimizer"))
    a1_optimizers = {r.fields.get("optimizer") for r in records if r.fields["model_name"].endswith(".a1_in1k")}
    assert with_optimizer / len(records) >= MIN_OPTIMIZER_COVERAGE
    assert a1_optimizers == {"LAMB"}
