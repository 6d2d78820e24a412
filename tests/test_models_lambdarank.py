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


def test_the_truncation_level_reaches_lightgbm_and_changes_what_it_learns():
    X, y = TRAIN
    group = [len(y) // 4] * 3 + [len(y) - 3 * (len(y) // 4)]
    fits = {
        level: LambdaRanker(n_estimators=20, min_child_samples=5, truncation_level=level).fit(X, y, group=group)
        for level in (2, 30)
    }
    assert {level: int(r.booster_.params["lambdarank_truncation_level"]) for level, r in fits.items()} == {2: 2, 30: 30}
    assert not np.array_equal(fits[2].decision_function(TEST[0]), fits[30].decision_function(TEST[0]))
