"""One model per kind of query: towns with partners (warm) and towns without (cold)."""

import numpy as np
from sklearn.base import clone

from .base import PairRanker
from .linear import LogisticRanker

__all__ = ["SegmentedRanker"]


class SegmentedRanker(PairRanker):
    """Fit a separate copy of ``base`` for rows where ``column`` is zero and where it is not.

    Warm and cold queries weigh the same evidence differently (a cold town has no graph
    closeness to speak of, so size, distance and its neighbours' partners must carry
    it); a linear model cannot condition its weights on the query, two can.

    Parameters
    ----------
    base : PairRanker, default LogisticRanker()
    column : str, default "graph.query_degree"
    """

    def __init__(self, base=None, column="graph.query_degree"):
        self.base = base
        self.column = column

    def _segment(self, X):
        return np.asarray(X[:, self.feature_names_.index(self.column)]) > 0

    def fit(self, X, y, sample_weight=None, feature_names=None):
        # Each segment's rows are sliced out for its own model, which converts them.
        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names, keep_float=True)
        if self.column not in names:
            raise ValueError(f"segment column {self.column!r} is not among the features")
        self.feature_names_ = names
        seg = self._segment(X)
        self.models_ = []
        for part in (~seg, seg):
            if len(np.unique(y[part])) < 2:
                raise ValueError("each segment needs partners and non-partners to learn from")
            model = clone(self.base if self.base is not None else LogisticRanker())
            self.models_.append(
                model.fit(X[part], y[part], sample_weight=None if w is None else w[part], feature_names=names)
            )
        self.base_score_ = self.models_[1].base_score_
        return self

    def _route(self, X, method):
        X = self._check_X(X)
        seg = self._segment(X)
        out = None
        col = self.feature_names_.index(self.column)
        for flag, model in zip((False, True), self.models_):
            part = seg == flag
            if part.any():
                val = getattr(model, method)(X[part])
                if method == "contributions":
                    # The segment's own base score differs from the shared one; the gap is
                    # what being warm or cold contributes, so it goes to the segment column.
                    val[:, col] += model.base_score_ - self.base_score_
                if out is None:
                    out = np.zeros((len(X),) + val.shape[1:])
                out[part] = val
        return out if out is not None else np.zeros((0,) + (() if method == "decision_function" else (X.shape[1],)))

    def decision_function(self, X):
        return self._route(X, "decision_function")

    @property
    def query_columns(self):
        return (self.column,)

    def linear_stage(self, query_row=None):
        """The linear stage of the query's segment (read from ``query_row``), if linear."""
        if query_row is None:
            return None
        seg = bool(np.asarray(query_row)[self.feature_names_.index(self.column)] > 0)
        model = self.models_[int(seg)]
        return model.linear_stage()

    def contributions(self, X):
        return self._route(X, "contributions")
