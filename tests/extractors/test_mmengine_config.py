"""Resolving mmengine configs as data: inheritance, references, arithmetic, and hostile files."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from efficientdl.extractors.repos.mmengine_config import ConfigError, ConfigResolver, resolve_config

CONFIGS = Path(__file__).resolve().parents[1] / "fixtures" / "mmpretrain_checkout" / "configs"


@pytest.fixture(scope="module")
def resolver():
    return ConfigResolver()


@pytest.fixture(scope="module")
def resnet_lsr(resolver):
    return resolver.resolve(CONFIGS / "resnet" / "resnet50_8xb64-lsr-coslr_in1k.py")


@pytest.fixture(scope="module")
def deit(resolver):
    return resolver.resolve(CONFIGS / "deit" / "deit-small_4xb256_in1k.py")


@pytest.fixture(scope="module")
def swin_new_style(resolver):
    return resolver.resolve(CONFIGS / "swin_newstyle" / "swin-tiny_16xb64_in1k.py")


def test_three_level_inheritance_reads_every_file(resnet_lsr):
    names = [p.name for p in resnet_lsr.files]
    assert names == [
        "resnet50.py", "imagenet_bs32.py", "imagenet_bs256.py", "default_runtime.py",
        "resnet50_8xb32_in1k.py", "resnet50_8xb64-lsr-coslr_in1k.py",
    ]


def test_nested_dicts_merge_with_base(resnet_lsr):
    optimizer = resnet_lsr.get("optim_wrapper.optimizer")
    assert optimizer == {"type": "SGD", "lr": 0.2, "momentum": 0.9, "weight_decay": 0.0001, "nesterov": True}


def test_child_value_overrides_base(resnet_lsr):
    assert resnet_lsr.get("train_cfg.max_epochs") == 200
    assert resnet_lsr.get("train_cfg.val_interval") == 1


def test_arithmetic_learning_rate(deit):
    assert deit.get("optim_wrapper.optimizer.lr") == pytest.approx(5e-4 * 1024 / 512)


def test_scheduler_list_with_warmup(resnet_lsr):
    schedulers = resnet_lsr.get("param_scheduler")
    assert [s["type"] for s in schedulers] == ["LinearLR", "CosineAnnealingLR"]
    assert schedulers[1]["T_max"] == 195


def test_module_variable_in_later_value(deit):
    schedulers = deit.get("param_scheduler")
    assert schedulers[0]["end"] == 20
    assert schedulers[1]["begin"] == 20


def test_delete_replaces_base_dict(resnet_lsr):
    assert resnet_lsr.get("model.head.loss") == {"type": "LabelSmoothLoss", "label_smooth_val": 0.1, "mode": "original"}


def test_bare_base_reference_and_slice(resnet_lsr):
    types = [step["type"] for step in resnet_lsr.get("train_dataloader.dataset.pipeline")]
    assert types == ["LoadImageFromFile", "RandomResizedCrop", "RandomFlip", "ColorJitter", "PackInputs"]


def test_quoted_base_reference(resnet_lsr):
    pipeline = resnet_lsr.get("val_dataloader.dataset.pipeline")
    assert pipeline[1] == {"type": "ResizeEdge", "scale": 256, "edge": "short"}


def test_base_attribute_reference(deit):
    assert deit.get("val_dataloader.dataset.pipeline.2") == {"type": "CenterCrop", "crop_size": 224}


def test_comprehension_over_base_values(resnet_lsr):
    assert resnet_lsr.get("milestones") == {"stage0": 30, "stage1": 60, "stage2": 90}


def test_comprehension_with_builtin_call(deit):
    assert deit.get("train_dataloader.dataset.pipeline.3.hparams.pad_val") == [104, 116, 124]


def test_subscript_slice_of_base_values(deit):
    assert deit.get("train_dataloader.dataset.pipeline.4.fill_color") == [103.53, 116.28, 123.675]


def test_predefined_variable_substituted(resnet_lsr):
    assert resnet_lsr.get("work_dir") == "./work_dirs/default_runtime"


def test_new_style_read_base_and_update(swin_new_style):
    assert swin_new_style.get("optim_wrapper.optimizer") == {"type": "AdamW", "lr": 1e-3, "weight_decay": 0.05}
    assert swin_new_style.get("train_dataloader.batch_size") == 64
    assert swin_new_style.get("param_scheduler.1.type") == "CosineAnnealingLR"


def test_source_of_names_setting_file(resnet_lsr):
    assert resnet_lsr.source_of("optim_wrapper.optimizer.lr").endswith("resnet50_8xb64-lsr-coslr_in1k.py")
    assert resnet_lsr.source_of("optim_wrapper.optimizer.momentum").endswith("imagenet_bs256.py")


def test_fixture_configs_fully_resolved(resnet_lsr, deit, swin_new_style):
    for config in (resnet_lsr, deit, swin_new_style):
        assert config.unresolved == [], config.path


HOSTILE = """\
import os
os.system('touch {marker}')
__import__('os').system('touch {marker}')
escape = __import__('subprocess').run(['touch', '{marker}'])
opened = open('{marker}', 'w')
evaluated = eval("open('{marker}', 'w')")
exec("open('{marker}', 'w')")
called = (lambda: open('{marker}', 'w'))()
klass = ().__class__.__base__.__subclasses__()
huge_list = [0] * 10 ** 9
huge_text = 'a' * 10 ** 9
huge_power = 2 ** 10 ** 10
huge_format = '{{:>999999999}}'.format(1)
def hook():
    open('{marker}', 'w')
model = dict(type='ResNet', depth=50, init=os.getcwd())
"""


def test_hostile_config_never_executed(tmp_path, caplog):
    marker = tmp_path / "executed"
    path = tmp_path / "hostile.py"
    path.write_text(HOSTILE.format(marker=marker))

    with caplog.at_level(logging.WARNING):
        config = resolve_config(path)

    assert not marker.exists()
    for name in ("escape", "opened", "evaluated", "called", "klass", "huge_list", "huge_text", "huge_power", "huge_format"):
        assert config.get(name) is None, name
    assert config.get("model.depth") == 50
    assert config.get("model.init") is None
    expressions = [u.expression for u in config.unresolved]
    assert "__import__('os')" in expressions
    assert any("eval(" in e for e in expressions)
    assert str(path) in caplog.text


def test_unresolved_logged_with_file_and_expression(tmp_path, caplog):
    path = tmp_path / "partial.py"
    path.write_text("lr = 0.1\noptimizer = dict(type='SGD', lr=lr * 2, momentum=get_momentum())\n")

    with caplog.at_level(logging.WARNING):
        config = resolve_config(path)

    assert config.get("optimizer.lr") == pytest.approx(0.2)
    assert config.get("optimizer.momentum") is None
    assert f"{path}:2: cannot resolve get_momentum()" in caplog.text


def test_base_cycle_raises(tmp_path):
    (tmp_path / "a.py").write_text("_base_ = './b.py'\nx = 1\n")
    (tmp_path / "b.py").write_text("_base_ = ['./a.py']\ny = 2\n")
    with pytest.raises(ConfigError, match=r"cycle a\.py -> b\.py -> a\.py"):
        resolve_config(tmp_path / "a.py")


def test_missing_base_names_file(tmp_path):
    path = tmp_path / "child.py"
    path.write_text("_base_ = ['../_base_/nowhere.py']\n")
    with pytest.raises(ConfigError, match=r"child\.py: base config '../_base_/nowhere.py' not found"):
        resolve_config(path)


def test_syntax_error_names_file(tmp_path):
    path = tmp_path / "broken.py"
    path.write_text("model = dict(type='ResNet'\n")
    with pytest.raises(ConfigError, match=r"broken\.py:1: not valid Python"):
        resolve_config(path)


def test_work_budget_stops_evaluation(tmp_path):
    path = tmp_path / "busy.py"
    path.write_text("".join(f"x{i} = list(range(90000))\n" for i in range(80)) + "last = 1\n")
    config = resolve_config(path)
    assert config.get("x0") is not None
    assert config.get("x79") is None
    assert config.get("last") == 1
