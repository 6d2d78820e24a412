"""Tests of `SegmentedRanker` (models/segmented.py) beyond the contract."""

import pytest

from conftest import NAMES, TRAIN
from sistermatch.models import SegmentedRanker


def test_segmented_needs_both_segments():
    X, y = TRAIN
    X = X.copy()
    X[:, 4] = 1.0  # every query warm: nothing to learn the cold model from
    with pytest.raises(ValueError, match="segment"):
        SegmentedRanker().fit(X, y, feature_names=NAMES)
