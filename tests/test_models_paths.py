"""Path attributions of tree ensembles (models/paths.py), for LightGBM and scikit-learn trees."""

import numpy as np
import pytest

from sistermatch.models import BoostedRanker, LambdaRanker
from sistermatch.models.paths import TreePaths


def _data(seed=0, n=3000):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    X[rng.random(n) < 0.3, 2] = 0.0  # many exact zeros
    X[rng.random(n) < 0.1, 4] = np.nan  # missing values
    y = (X[:, 0] + X[:, 1] * (X[:, 2] > 0) + rng.normal(scale=0.5, size=n) > 1.0).astype(int)
    return X, y


@pytest.mark.parametrize("objective", ["lambdarank", "binary"])
def test_lightgbm_path_contributions_sum_to_the_booster_score(objective):
    X, y = _data()
    r = LambdaRanker(objective=objective, n_estimators=40, min_child_samples=20).fit(X, y, group=[100] * 30)
    c = r.contributions(X)
    np.testing.assert_allclose(c.sum(axis=1) + r.base_score_, r.booster_.predict(X, raw_score=True), atol=1e-9)
    # A wrong turn anywhere (NaN, zero, threshold ties) would land on another leaf and
    # break the sum; the rows hold NaNs and exact zeros on purpose.
    assert np.isnan(X).any() and (X == 0).any()


def test_the_expected_score_is_treeshap_s():
    X, y = _data(1)
    r = LambdaRanker(n_estimators=30, min_child_samples=20).fit(X, y, group=[100] * 30)
    shap = r.booster_.predict(X[:5], pred_contrib=True)
    assert r.base_score_ == pytest.approx(shap[0, -1], abs=1e-9)


def test_shap_option_gives_lightgbm_s_own_values():
    X, y = _data(2)
    r = LambdaRanker(n_estimators=30, min_child_samples=20, explain="shap").fit(X, y, group=[100] * 30)
    np.testing.assert_allclose(r.contributions(X[:20]), r.booster_.predict(X[:20], pred_contrib=True)[:, :-1])
    path = LambdaRanker(n_estimators=30, min_child_samples=20).fit(X, y, group=[100] * 30)
    # Both explain the same score; they split it differently.
    np.testing.assert_allclose(path.contributions(X[:20]).sum(1), r.contributions(X[:20]).sum(1), atol=1e-9)
    with pytest.raises(ValueError, match="explain"):
        LambdaRanker(explain="lime").fit(X, y)


def test_a_feature_never_split_on_gets_nothing():
    X, y = _data(3)
    X[:, 5] = 1.0  # constant: no tree can split on it
    r = LambdaRanker(n_estimators=20, min_child_samples=20).fit(X, y, group=[100] * 30)
    assert np.all(r.contributions(X)[:, 5] == 0)
    assert np.abs(r.contributions(X)[:, 0]).sum() > 0


def test_one_split_credits_the_step_to_its_feature():
    # One stump: each row's contribution is its leaf's value minus the root's
    # count-weighted mean, all of it on the split feature.
    rng = np.random.default_rng(4)
    X = rng.normal(size=(1000, 2))
    y = (X[:, 0] > 0).astype(int)
    r = LambdaRanker(objective="binary", n_estimators=1, num_leaves=2, min_child_samples=5).fit(X, y)
    root = r.booster_.dump_model()["tree_info"][0]["tree_structure"]
    leaves = [root["left_child"], root["right_child"]]
    mean = sum(leaf["leaf_value"] * leaf["leaf_count"] for leaf in leaves) / sum(leaf["leaf_count"] for leaf in leaves)
    assert r.base_score_ == pytest.approx(mean, abs=1e-12)
    c = r.contributions(X)
    np.testing.assert_allclose(c[:, 1], 0.0)
    left = X[:, 0] <= root["threshold"]
    np.testing.assert_allclose(c[left, 0], leaves[0]["leaf_value"] - mean, atol=1e-12)
    np.testing.assert_allclose(c[~left, 0], leaves[1]["leaf_value"] - mean, atol=1e-12)


def test_sklearn_trees_share_the_walk():
    X, y = _data(5)
    X = np.nan_to_num(X)
    b = BoostedRanker(max_iter=20).fit(X, y)
    np.testing.assert_allclose(b.contributions(X).sum(1) + b.base_score_, b.decision_function(X), atol=1e-9)


def test_categorical_splits_are_refused():
    node = {"split_feature": 0, "threshold": "1||2", "decision_type": "==", "left_child": {}, "right_child": {}}

    class Fake:
        def dump_model(self):
            return {"tree_info": [{"tree_structure": node}]}

    with pytest.raises(ValueError, match="numerical splits only"):
        TreePaths.from_lightgbm(Fake())


def test_leaf_sums_equal_the_walk():
    # LambdaRanker explains a row from LightGBM's own leaf indices and each leaf's summed
    # path; the walk down the dumped trees must give the same split of the score.
    X, y = _data(6)
    r = LambdaRanker(n_estimators=40, min_child_samples=20).fit(X, y, group=[100] * 30)
    walk = TreePaths.from_lightgbm(r.booster_).contributions(X)
    np.testing.assert_allclose(r.contributions(X), walk, atol=1e-12)
