"""The family facts table: canonical values, lookups, and its effect on timm ingestion."""

from __future__ import annotations

import csv
import shutil
from collections import Counter

import pytest
import regex

from efficientdl.extractors.repos.families import FAMILY_FACTS, architecture_facts, family_key, model_facts
from efficientdl.extractors.repos.family_table import FAMILY_TABLE, VARIANT_PATTERNS
from efficientdl.extractors.repos.naming import architecture_family
from efficientdl.pipeline.load import ingest_path
from efficientdl.schema.components import COMPONENTS, Kind
from efficientdl.warehouse.db import Warehouse

#: Share of real timm rows whose normalisation, activation and skip connection the table fills.
#: Measured at 0.924, 0.921 and 0.927 on results-imagenet.csv, so the floor leaves a margin.
MIN_ARCHITECTURE_COVERAGE = 0.88

@pytest.mark.parametrize("key", sorted(FAMILY_FACTS))
def test_table_values_canonical(key):
    not_canonical = [
        (name, value)
        for name, values in FAMILY_FACTS[key].components.items()
        for value in (values if isinstance(values, tuple) else (values,))
        if COMPONENTS[name].vocabulary.lookup(value) != value
    ]
    assert not_canonical == []


@pytest.mark.parametrize("key", sorted(FAMILY_FACTS))
def test_table_kinds_match_components(key):
    for name, value in FAMILY_FACTS[key].components.items():
        assert isinstance(value, tuple) == (COMPONENTS[name].kind is Kind.SET), f"{key}.{name}"


@pytest.mark.parametrize("key", sorted(FAMILY_FACTS))
def test_table_entry_names_source(key):
    facts = FAMILY_FACTS[key]
    assert facts.title.strip()
    assert facts.arxiv is None or regex.fullmatch(r"\d{4}\.\d{4,5}", facts.arxiv)


def test_variant_patterns_point_to_entries():
    missing = [key for _, key in VARIANT_PATTERNS if key not in FAMILY_TABLE]
    assert missing == []


def test_extends_points_to_entries():
    missing = [key for key, entry in FAMILY_TABLE.items() if entry.extends and entry.extends not in FAMILY_TABLE]
    assert missing == []


@pytest.mark.parametrize(
    ("family", "component", "expected"),
    [
        ("resnet", "normalization", ["batch norm"]),
        ("resnet", "initialization", "Kaiming"),
        ("resnet", "pooling", ["max", "global average"]),
        ("resnet", "attention", []),
        ("resnet", "output_function", "softmax"),
        ("vit", "normalization", ["layer norm"]),
        ("vit", "attention", ["multi-head", "scaled dot-product"]),
        ("vit", "pooling", ["class token"]),
        ("vit", "initialization", "truncated normal"),
        ("convnext", "convolution", ["depthwise", "large kernel", "1x1"]),
        ("convnext", "normalization", ["layer norm", "LayerScale"]),
        ("efficientnet", "activation", ["SiLU"]),
        ("efficientnet", "attention", ["channel"]),
        ("densenet", "skip_connection", ["concatenated"]),
        ("swin", "attention", ["window", "multi-head", "scaled dot-product"]),
    ],
)
def test_known_family_component(family, component, expected):
    assert architecture_facts(family)[component] == expected


def test_unknown_family_returns_empty():
    assert architecture_facts("no_such_family") == {}


def test_facts_are_fresh_copies():
    architecture_facts("resnet")["activation"].append("GELU")
    assert architecture_facts("resnet")["activation"] == ["ReLU"]


def test_variant_overrides_inherited_component():
    assert architecture_facts("convnextv2")["normalization"] == ["layer norm", "global response norm"]


def test_variant_drops_unsettled_component():
    assert "initialization" not in architecture_facts("resnet_bit")


@pytest.mark.parametrize(
    ("model_name", "key"),
    [
        ("resnet50.a1_in1k", "resnet"),
        ("resnetv2_50x1_bit.goog_in21k_ft_in1k", "resnet_bit"),
        ("resnet50_gn.a1h_in1k", "resnet_gn"),
        ("resnet33ts.ra2_in1k", "resnet_silu"),
        ("regnetz_c16_evos.ch_in1k", "regnetz_evos"),
        ("resnetv2_50d_evos.ah_in1k", "resnet_evos"),
        ("mobilenetv1_100.ra4_e3600_r224_in1k", "mobilenetv1"),
        ("tf_mobilenetv3_small_minimal_100.in1k", "mobilenetv3_minimal"),
        ("tf_mobilenetv3_large_100.in1k", "mobilenetv3"),
        ("mobilenetv4_hybrid_medium.e500_r224_in1k", "mobilenetv4_hybrid"),
        ("vit_medium_patch16_gap_256.sw_in12k_ft_in1k", "vit_gap"),
        ("vit_so400m_patch14_siglip_378.webli_ft_in1k", "vit_siglip"),
        ("vit_small_r26_s32_224.augreg_in21k_ft_in1k", "vit_hybrid"),
        ("deit3_small_patch16_224.fb_in1k", "deit3"),
        ("efficientvit_m5.r224_in1k", "efficientvit_m"),
        ("efficientvit_b0.r224_in1k", "efficientvit"),
        ("inception_v3.tv_in1k", "inception_v3"),
        ("vgg16_bn.tv_in1k", "vgg_bn"),
        ("xception65.ra3_in1k", "xception_aligned"),
        ("legacy_xception.tf_in1k", "xception"),
    ],
)
def test_model_resolves_to_entry(model_name, key):
    assert family_key(model_name) == key


def test_mmpretrain_name_uses_family():
    assert model_facts("resnet50_8xb32_in1k")[0] == "resnet"


def test_table_covers_top_60_families(shared_dir):
    path = shared_dir / "sources" / "timm-results" / "results-imagenet.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        counts = Counter(architecture_family(row["model"]) for row in csv.DictReader(handle))
    missing = [family for family, _ in counts.most_common(60) if not architecture_facts(family)]
    assert missing == []


@pytest.fixture(scope="module")
def timm_ingest(shared_dir, tmp_path_factory):
    """Ingest the real timm ImageNet-1k results twice into one warehouse; return both reports and its path."""
    # One evaluation set keeps the test fast; the other five files repeat the same 1,556 models.
    directory = tmp_path_factory.mktemp("timm-results")
    for name in ("results-imagenet.csv", "model_metadata-in1k.csv"):
        shutil.copyfile(shared_dir / "sources" / "timm-results" / name, directory / name)
    path = directory / "warehouse.duckdb"
    with Warehouse(path) as wh:
        first = ingest_path(wh, "timm", directory)
        second = ingest_path(wh, "timm", directory)
    return first, second, path


@pytest.mark.parametrize("component", ["normalization", "activation", "skip_connection"])
def test_real_timm_rows_filled(timm_ingest, component):
    _, _, path = timm_ingest
    with Warehouse(path, read_only=True) as wh:
        share = wh.execute(f"SELECT avg(({component} IS NOT NULL)::INT) FROM configurations").fetchone()[0]
    assert share >= MIN_ARCHITECTURE_COVERAGE


def test_real_timm_nothing_quarantined(timm_ingest):
    first, _, _ = timm_ingest
    assert first.quarantined == 0


def test_real_timm_rerun_changes_nothing(timm_ingest):
    first, second, _ = timm_ingest
    assert (second.loaded, second.updated, second.unchanged) == (0, 0, first.loaded)


def test_real_timm_row_names_family_source(timm_ingest):
    _, _, path = timm_ingest
    with Warehouse(path, read_only=True) as wh:
        provenance = wh.execute(
            "SELECT provenance->>'$.fields.normalization' FROM configurations "
            "WHERE model_name = 'convnext_tiny.fb_in1k' AND dataset = 'ImageNet-1k' LIMIT 1"
        ).fetchone()[0]
    assert provenance == "family facts: A ConvNet for the 2020s (arXiv:2201.03545)"

