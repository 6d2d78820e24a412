"""Gradient-boosted trees (scikit-learn's HistGradientBoosting) with exact per-feature contributions.

Contributions follow the path attribution of Saabas: walking a row down a tree, each
split moves the expected score from the parent's value to the child's, and that move
is credited to the split's feature. Summed over trees, the contributions plus the
expected score of the root give the model's raw score exactly.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from .base import PairRanker

__all__ = ["BoostedRanker"]

_THREADPOOLS = None


def _single_threaded():
    """Limit OpenMP to one thread (the controller scans the loaded libraries once, not per call)."""
    global _THREADPOOLS
    if _THREADPOOLS is None:
        _THREADPOOLS = ThreadpoolController()
    return _THREADPOOLS.limit(limits=1, user_api="openmp")


class BoostedRanker(PairRanker):
    """Boosted trees scoring pairs (log-odds), explained per feature.

    Parameters
    ----------
    max_iter : int, default 200
    learning_rate : float, default 0.08
    max_leaf_nodes : int, default 31
    min_samples_leaf : int, default 40
    l2_regularization : float, default 1.0
    random_state : int, default 0
    """

    def __init__(
        self,
        max_iter=200,
        learning_rate=0.08,
        max_leaf_nodes=31,
        min_samples_leaf=40,
        l2_regularization=1.0,
        random_state=0,
    ):
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, feature_names=None):
        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names)
        self.model_ = HistGradientBoostingClassifier(
            max_iter=self.max_iter,
            learning_rate=self.learning_rate,
            max_leaf_nodes=self.max_leaf_nodes,
            min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization,
            early_stopping=False,
            random_state=self.random_state,
        ).fit(X, y, sample_weight=w)
        self.feature_names_ = names
        self.trees_ = [_expected_values(p[0].nodes) for p in self.model_._predictors]
        baseline = float(np.ravel(self.model_._baseline_prediction)[0])
        self.base_score_ = baseline + sum(float(ev[0]) for _, ev in self.trees_)
        self.paths_ = _pad_trees(self.trees_)
        return self

    def decision_function(self, X):
        X = self._check_X(X)
        if len(X) == 0:
            return np.zeros(0)
        # A shortlist is small: OpenMP threads cost more than they save here, and they
        # oversubscribe the cores when batch workers run side by side.
        with _single_threaded():
            return np.asarray(self.model_.decision_function(X), dtype=np.float64).ravel()

    def contributions(self, X):
        X = self._check_X(X)
        if not hasattr(self, "paths_"):
            self.paths_ = _pad_trees(self.trees_)
        feat, thr, left, right, leaf, ev, miss_left = self.paths_
        n, t = len(X), feat.shape[0]
        d = X.shape[1]
        out = np.zeros(n * d)
        tree = np.broadcast_to(np.arange(t), (n, t))
        row = np.broadcast_to(np.arange(n)[:, None], (n, t))
        node = np.zeros((n, t), dtype=np.int64)
        # Walk every row down every tree at once, one level per step.
        while True:
            active = ~leaf[tree, node]
            if not active.any():
                break
            ti, ni, ri = tree[active], node[active], row[active]
            f = feat[ti, ni]
            x = X[ri, f]
            go_left = np.where(np.isnan(x), miss_left[ti, ni], x <= thr[ti, ni])
            child = np.where(go_left, left[ti, ni], right[ti, ni])
            out += np.bincount(ri * d + f, weights=ev[ti, child] - ev[ti, ni], minlength=n * d)
            node[active] = child
        return out.reshape(n, d)


def _pad_trees(trees):
    """The trees' node arrays padded to one (n_trees, max_nodes) array per field."""
    size = max(len(nodes) for nodes, _ in trees)
    shape = (len(trees), size)
    feat = np.zeros(shape, dtype=np.int64)
    thr = np.zeros(shape)
    left = np.zeros(shape, dtype=np.int64)
    right = np.zeros(shape, dtype=np.int64)
    leaf = np.ones(shape, dtype=bool)
    ev = np.zeros(shape)
    miss_left = np.zeros(shape, dtype=bool)
    for i, (nodes, values) in enumerate(trees):
        k = len(nodes)
        feat[i, :k] = nodes["feature_idx"]
        thr[i, :k] = nodes["num_threshold"]
        left[i, :k] = nodes["left"]
        right[i, :k] = nodes["right"]
        leaf[i, :k] = nodes["is_leaf"].astype(bool)
        ev[i, :k] = values
        miss_left[i, :k] = nodes["missing_go_to_left"].astype(bool)
    return feat, thr, left, right, leaf, ev, miss_left


def _expected_values(nodes):
    """Each node's expected raw value: leaves keep theirs, a split averages its children by count."""
    ev = nodes["value"].astype(np.float64).copy()
    count = nodes["count"].astype(np.float64)
    for k in range(len(nodes) - 1, -1, -1):
        if not nodes["is_leaf"][k]:
            left, right = nodes["left"][k], nodes["right"][k]
            total = count[left] + count[right]
            ev[k] = (ev[left] * count[left] + ev[right] * count[right]) / total if total else 0.0
    return nodes, ev
