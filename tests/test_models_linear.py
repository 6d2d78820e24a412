"""Tests of `HandWeightedRanker` and `LogisticRanker` (models/linear.py) beyond the contract."""

import numpy as np

from conftest import NAMES, TEST, TRAIN, auc
from sistermatch.models import HandWeightedRanker, LogisticRanker


def test_hand_weights_score_is_the_weighted_sum():
    model = HandWeightedRanker({"name.same_name": 2.0, "size.population_gap": -1.0}).fit(
        np.zeros((2, 6)), None, feature_names=NAMES
    )
    X = np.array([[1.0, 0.5, 9, 9, 9, 9], [0.0, 2.0, 9, 9, 9, 9]])
    np.testing.assert_allclose(model.decision_function(X), [1.5, -2.0])
    assert model.base_score_ == 0.0
    assert not HandWeightedRanker().needs_training


def test_logistic_non_negative_columns_never_count_against_a_pair():
    X, y = TRAIN
    X = X.copy()
    X[:, 5] = -y + np.random.default_rng(0).normal(scale=0.3, size=len(y))  # "noise" now speaks against partners
    free = LogisticRanker().fit(X, y, feature_names=NAMES)
    assert free.coef_[5] < 0
    bounded = LogisticRanker(non_negative=["noise"]).fit(X, y, feature_names=NAMES)
    assert bounded.coef_[5] == 0.0
    assert bounded.coef_[0] > 0  # the other weights are still learned
    assert auc(bounded.decision_function(TEST[0]), TEST[1]) > 0.9


def test_logistic_fit_leaves_its_input_alone_and_float32_rows_fit_the_same_model():
    X, y = TRAIN
    X64 = np.array(X, dtype=np.float64)
    before = X64.copy()
    LogisticRanker().fit(X64, y, feature_names=NAMES)
    np.testing.assert_array_equal(X64, before)  # standardised in place only on its own copy
    # A float32 training set (as the engine builds one) is converted, never standardised in
    # its own type: the same model as from its float64 copy.
    X32 = X64.astype(np.float32)
    b = LogisticRanker().fit(X32, y, feature_names=NAMES)
    c = LogisticRanker().fit(X32.astype(np.float64), y, feature_names=NAMES)
    np.testing.assert_array_equal(b.coef_, c.coef_)
    assert b.base_score_ == c.base_score_
