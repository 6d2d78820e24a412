"""Tests of `SegmentedRanker` (models/segmented.py) beyond the contract."""

import numpy as np
import pytest

from conftest import NAMES, TRAIN
from sistermatch.models import SegmentedRanker


def test_segmented_needs_both_segments():
    X, y = TRAIN
    X = X.copy()
    X[:, 4] = 1.0  # every query warm: nothing to learn the cold model from
    with pytest.raises(ValueError, match="segment"):
        SegmentedRanker().fit(X, y, feature_names=NAMES)


def test_segments_of_a_float32_training_set_fit_as_their_float64_copies():
    X, y = TRAIN
    X32 = np.asarray(X, dtype=np.float32)
    a = SegmentedRanker().fit(X32, y, feature_names=NAMES)
    b = SegmentedRanker().fit(X32.astype(np.float64), y, feature_names=NAMES)
    for ma, mb in zip(a.models_, b.models_):
        np.testing.assert_array_equal(ma.coef_, mb.coef_)
