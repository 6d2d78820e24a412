"""Gradient-boosted trees (scikit-learn's HistGradientBoosting) with exact per-feature contributions.

Contributions are path attributions (Saabas, :mod:`.paths`): summed over the trees,
they and the expected score of the roots give the model's raw score exactly.
"""

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from threadpoolctl import ThreadpoolController

from .base import PairRanker
from .paths import TreePaths

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
        # The trees' node arrays are private to scikit-learn (it has no public dump).
        baseline = float(np.ravel(self.model_._baseline_prediction)[0])
        self.paths_ = TreePaths.from_sklearn([p[0].nodes for p in self.model_._predictors], baseline)
        self.base_score_ = self.paths_.base_score
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
        return self.paths_.contributions(X)
