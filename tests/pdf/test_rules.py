"""Sentence rules on sentences as papers write them."""

from __future__ import annotations

import pytest

from efficientdl.extractors.pdf.sentences import Sentence
from efficientdl.extractors.rules.data import augmentation_rule, framework_rule, hardware_rule, input_size_rule
from efficientdl.extractors.rules.training import (
    batch_size_rule,
    epochs_rule,
    iterations_rule,
    learning_rate_rule,
    optimizer_rule,
    regularization_rule,
    schedule_rule,
)


def _sentence(text: str, section: str = "training") -> Sentence:
    return Sentence(text, 4, [0.0, 0.0, 100.0, 10.0], section)


def _values(rule, text: str) -> list:
    return [f.value for f in rule(_sentence(text))]


@pytest.mark.parametrize(
    ("rule", "text", "expected"),
    [
        (optimizer_rule, "We use SGD with momentum 0.9 and Nesterov disabled.", "SGD momentum"),
        (optimizer_rule, "The models are optimized with AdamW.", "AdamW"),
        (learning_rate_rule, "The learning rate starts from 0.1 and is divided by 10.", 0.1),
        (learning_rate_rule, "We use an initial learning rate of 5 × 10−4.", 0.0005),
        (batch_size_rule, "We use SGD with a mini-batch size of 256.", 256),
        (batch_size_rule, "We train with 64 images per GPU on 8 GPUs.", 512),
        (epochs_rule, "All models are trained for 300 epochs.", 300),
        (schedule_rule, "The learning rate follows a cosine decay schedule with 5 warm-up epochs.", "linear warmup + cosine"),
        (schedule_rule, "The learning rate is divided by 10 every 30 epochs.", "step"),
        (input_size_rule, "A 224 × 224 crop is randomly sampled from the image.", 224),
        (framework_rule, "Our models are implemented in PyTorch.", "PyTorch"),
        (optimizer_rule, "We use the standard RMSPropOptimizer with decay 0.9.", "RMSProp"),
        (iterations_rule, "The models are trained for up to 60 × 10^4 iterations.", 600000),
        (iterations_rule, "Training is terminated at 64k iterations.", 64000),
        (input_size_rule, "A 224 224 crop is randomly sampled from an image.", 224),
        (epochs_rule, "We trained the network for roughly 90 cycles through the training set.", 90),
        (schedule_rule, "We divide the learning rate by 10 when the validation error stopped improving.", "reduce on plateau"),
        (augmentation_rule, "We extract random 224 × 224 patches (and their horizontal reflections).", ["random crop"]),
    ],
)
def test_rule_reads_value(rule, text, expected):
    assert expected in _values(rule, text)


def test_epochs_skip_step_interval():
    assert _values(epochs_rule, "The learning rate is divided by 10 every 30 epochs.") == []


def test_epochs_skip_warmup():
    assert _values(epochs_rule, "We use 5 warm-up epochs.") == []


def test_learning_rate_scaling_rule_kept():
    finding = learning_rate_rule(_sentence("The learning rate is lr = 1e-3 × batch size / 1024."))[0]
    assert finding.details == {"per_batch": 0.001, "reference_batch": 1024}


def test_negated_dropout_skipped():
    assert _values(regularization_rule, "We do not use dropout.") == []


def test_label_smoothing_found():
    assert ["label smoothing"] in _values(regularization_rule, "Label smoothing is set to 0.1.")


def test_augmentations_listed():
    values = _values(augmentation_rule, "MixUp, CutMix and RandAugment are used for data augmentation.")
    assert sorted(v[0] for v in values) == ["CutMix", "RandAugment", "mixup"]


def test_hardware_type_and_count():
    findings = hardware_rule(_sentence("Training takes 3 days on 8 Tesla V100 GPUs."))
    by_component = {f.component: f.value for f in findings}
    assert by_component == {"gpu_type": "V100", "gpu_count": 8}


def test_gpu_workers_counted():
    findings = hardware_rule(_sentence("We use 16 GPU asynchronous workers, and a batch size of 96."))
    assert [f.value for f in findings if f.component == "gpu_count"] == [16]


def test_related_work_low_confidence():
    finding = optimizer_rule(_sentence("Prior work trained with Adam.", section="related"))[0]
    assert finding.confidence < 0.8
