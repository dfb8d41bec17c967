"""RelevanceFilter: both term lists with an abstract, either list on a title alone, custom lists."""

from __future__ import annotations

import pytest

from efficientdl.pipeline.relevance import RelevanceFilter


def test_abstract_needs_both_lists():
    keep = RelevanceFilter()
    assert not keep.is_relevant("A study", "We train a deep network on speech recordings.")


def test_abstract_with_both_lists():
    keep = RelevanceFilter()
    assert keep.is_relevant("mixup", "Experiments on ImageNet-2012 and CIFAR-10 with deep neural networks.")


def test_title_alone_needs_one_term():
    assert RelevanceFilter().is_relevant("Squeeze-and-Excitation Networks", None)


def test_title_alone_off_topic():
    assert not RelevanceFilter().is_relevant("Long short-term memory", None)


def test_custom_terms():
    keep = RelevanceFilter(image_terms=("chest x-ray",), dl_terms=("densenet",))
    assert keep.is_relevant("CheXNet", "A DenseNet reads chest X-rays.")


def test_empty_term_list_rejected():
    with pytest.raises(ValueError, match="at least one term"):
        RelevanceFilter(image_terms=())
