"""Tests of `LambdaRanker` (models/lambdarank.py) beyond the contract."""

import numpy as np

from conftest import NAMES, TEST, TRAIN
from sistermatch.models import LambdaRanker


def test_lambdarank_monotone_columns_only_raise_the_score():
    X, y = TRAIN
    X = X.copy()
    X[:, 5] = -y + np.random.default_rng(0).normal(scale=0.3, size=len(y))
    model = LambdaRanker(n_estimators=40, min_child_samples=5, monotone=["noise"]).fit(X, y, feature_names=NAMES)
    rows = np.repeat(TEST[0][:20], 5, axis=0)
    rows[:, 5] = np.tile(np.linspace(-2, 2, 5), 20)
    scores = model.decision_function(rows).reshape(20, 5)
    assert (np.diff(scores, axis=1) >= -1e-9).all()
