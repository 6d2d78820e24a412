"""QuickScorer over a LightGBM ensemble (models/forest.py): the booster's own scores and leaves, bit for bit."""

import lightgbm
import numpy as np
import pytest

from sistermatch.kernels import LazyKernel
from sistermatch.models import LambdaRanker
from sistermatch.models import forest as forest_module
from sistermatch.models.forest import CompiledForest
from sistermatch.models.paths import TreePaths


def _booster(seed, num_leaves, n=2000, d=7, rounds=40, **params):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    X[:, 3] = np.round(X[:, 3])  # many ties on the thresholds
    y = (X[:, 0] + X[:, 1] * (X[:, 3] > 0) + rng.normal(scale=0.5, size=n) > 0.5).astype(int)
    params = {"verbose": -1, "num_leaves": num_leaves, "min_child_samples": 5, "seed": seed, **params}
    return X, lightgbm.train(params, lightgbm.Dataset(X, y), rounds)


@pytest.mark.parametrize("num_leaves", [2, 7, 31, 64])
def test_scores_and_leaves_are_the_booster_s_own(num_leaves):
    X, booster = _booster(num_leaves, num_leaves)
    forest = CompiledForest(TreePaths.from_lightgbm(booster))
    rows = np.vstack([X, X[:50] + 1e-3, np.full((1, X.shape[1]), 1e6, np.float32)])  # off the training grid too
    assert (forest.raw_scores(rows) == booster.predict(rows, raw_score=True)).all()
    assert (forest.leaves(rows) == booster.predict(rows, pred_leaf=True)).all()
    # float64 rows take the same turns as LightGBM's.
    rows64 = rows.astype(np.float64) + np.linspace(-1e-9, 1e-9, rows.shape[1])
    assert (forest.raw_scores(rows64) == booster.predict(rows64, raw_score=True)).all()


@pytest.mark.parametrize("n_rows", [1, 7, 8, 9, 17])
def test_any_number_of_rows_scores_as_each_alone(n_rows):
    # Rows go through the kernel eight at a time; a short block, and rows far below and
    # above every threshold or on one, score as the booster scores each of them.
    X, booster = _booster(3, 15)
    forest = CompiledForest(TreePaths.from_lightgbm(booster))
    rows = X[:n_rows].copy()
    rows[0] = -1e6
    if n_rows > 2:
        rows[1] = 1e6
    rows[-1, 3] = forest.thresholds_[len(forest.thresholds_) // 2]
    assert (forest.raw_scores(rows) == booster.predict(rows, raw_score=True)).all()
    assert (forest.leaves(rows) == booster.predict(rows, pred_leaf=True)).all()
    alone = np.concatenate([forest.raw_scores(row[None, :]) for row in rows])
    assert (forest.raw_scores(rows) == alone).all()


def test_a_tree_without_splits_gives_its_one_leaf():
    X, booster = _booster(0, 7, rounds=3, min_gain_to_split=1e9)  # no split pays: one-leaf trees
    forest = CompiledForest(TreePaths.from_lightgbm(booster))
    assert (forest.raw_scores(X) == booster.predict(X, raw_score=True)).all()
    assert forest.raw_scores(X[:0]).shape == (0,)


def test_more_than_64_leaves_do_not_fit_one_word():
    _, booster = _booster(1, 100, n=5000, rounds=2)
    with pytest.raises(ValueError, match="at most 64"):
        CompiledForest(TreePaths.from_lightgbm(booster))


def test_missing_values_go_back_to_the_booster():
    X, booster = _booster(2, 15)
    forest = CompiledForest(TreePaths.from_lightgbm(booster))
    assert forest.handles(X)
    X[::7, 1] = np.nan
    assert not forest.handles(X)
    # Zero read as missing changes the turns: such ensembles always use the booster.
    _, zero = _booster(3, 15, zero_as_missing=True)
    assert not CompiledForest(TreePaths.from_lightgbm(zero)).handles(X[1::7])


def test_the_ranker_scores_the_same_with_and_without_missing_values():
    X, _ = _booster(4, 15)
    y = (X[:, 0] > 0.5).astype(int)
    r = LambdaRanker(n_estimators=30, min_child_samples=20).fit(X, y, group=[100] * 20).warm_up()
    assert r.forest_.handles(X) and r._forest_scores(X)
    np.testing.assert_array_equal(r.decision_function(X), r.booster_.predict(X, raw_score=True))
    X[::5, 2] = np.nan  # the booster's own predictor takes these
    np.testing.assert_array_equal(r.decision_function(X), r.booster_.predict(X, raw_score=True))
    c = r.contributions(X)
    np.testing.assert_allclose(c.sum(axis=1) + r.base_score_, r.booster_.predict(X, raw_score=True), atol=1e-9)


def test_the_kernel_loads_once_the_booster_has_scored_enough_rows(monkeypatch):
    monkeypatch.setattr(forest_module, "KERNEL", LazyKernel(forest_module._compile, pays_after=1500))
    X, _ = _booster(5, 7, n=1000)
    r = LambdaRanker(n_estimators=10, min_child_samples=20).fit(X, (X[:, 0] > 0).astype(int), group=[100] * 10)
    first = r.decision_function(X)  # 1,000 rows: the booster scores them
    assert not forest_module.KERNEL.loaded
    second = r.decision_function(X)  # 2,000 rows in all: the kernel loads and scores
    assert forest_module.KERNEL.loaded
    np.testing.assert_array_equal(first, second)
