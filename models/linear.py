"""Linear rankers: a transparent hand-weighted baseline and a learned logistic regression."""

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from .base import PairRanker

__all__ = ["HandWeightedRanker", "LogisticRanker", "DEFAULT_HAND_WEIGHTS"]

# Signs and sizes set by hand from what is known about twinning (MODELLING.md): graph
# closeness first, then size, country ties, names and profiles.
DEFAULT_HAND_WEIGHTS = {
    "size.log_population": 0.4,
    "size.population_gap": -0.8,
    "size.both_capitals": 1.5,
    "geography.log_distance": -0.3,
    "name.same_name": 3.0,
    "country.same_language": 0.3,
    "country.country_pair_log": 0.4,
    "graph.candidate_degree": 1.0,
    "graph.common_partners": 1.5,
    "graph.partners_in_country": 0.8,
    "graph.neighbour_partner": 2.0,
    "graph.neighbour_country": 0.3,
    "profile.industry_overlap": 0.5,
    "profile.history_overlap": 0.3,
    "profile.historic_country_tie": 0.2,
    "profile.diaspora_in_query": 0.5,
}


class HandWeightedRanker(PairRanker):
    """Score = sum of ``weights[name] * x[name]``; columns without a weight count zero.

    Also serves the one-feature baselines: ``HandWeightedRanker({"size.log_population": 1})``
    ranks by population only.

    Parameters
    ----------
    weights : dict of str to float, optional
        Defaults to :data:`DEFAULT_HAND_WEIGHTS`.

    Examples
    --------
    >>> import numpy as np
    >>> r = HandWeightedRanker({"a": 2.0}).fit(np.zeros((2, 2)), [0, 1], feature_names=["a", "b"])
    >>> r.decision_function(np.array([[1.0, 5.0]]))
    array([2.])
    """

    needs_training = False

    def __init__(self, weights=None):
        self.weights = weights

    def fit(self, X, y=None, sample_weight=None, feature_names=None):
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        names = tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(X.shape[1]))
        if len(names) != X.shape[1]:
            raise ValueError(f"{len(names)} feature names for {X.shape[1]} columns")
        weights = DEFAULT_HAND_WEIGHTS if self.weights is None else self.weights
        unknown = set(weights) - set(names)
        if unknown and not set(weights) & set(names):
            raise ValueError(f"none of the weighted features {sorted(unknown)} is among the columns")
        self.feature_names_ = names
        self.coef_ = np.array([float(weights.get(n, 0.0)) for n in names])
        self.base_score_ = 0.0
        return self

    def contributions(self, X):
        return self._check_X(X) * self.coef_

    def decision_function(self, X):
        return self._check_X(X) @ self.coef_

    def linear_stage(self, query_row=None):
        return self.coef_, 0.0


class LogisticRanker(PairRanker):
    """Logistic regression on standardised features.

    A feature's contribution is ``coef * (x - mean) / scale``: zero for an average
    candidate, positive where the feature speaks for the pair.

    Parameters
    ----------
    C : float, default 1.0
        Inverse regularisation strength.
    max_iter : int, default 500
    non_negative : sequence of str
        Columns whose weight may not be negative (documented reasons for twinning: a
        model that never saw such pairs must not learn to hold them against a pair).
    """

    def __init__(self, C=1.0, max_iter=500, non_negative=()):
        self.C = C
        self.max_iter = max_iter
        self.non_negative = non_negative

    def fit(self, X, y, sample_weight=None, feature_names=None):
        given = X
        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names)
        if self.C <= 0:
            raise ValueError(f"C must be positive, got {self.C!r}")
        self.scaler_ = StandardScaler().fit(X, sample_weight=w)
        self.scaler_.scale_[self.scaler_.scale_ == 0] = 1.0
        # Standardised in place when X is this fit's own float64 copy (never the caller's array).
        Z = self.scaler_.transform(X, copy=np.may_share_memory(X, given))
        bounded = np.array([n in set(self.non_negative) for n in names], dtype=bool)
        # Columns that may only speak for a pair: a fit that gives one a negative weight is
        # redone without it (active set), until no bounded weight is negative.
        active = np.ones(len(names), dtype=bool)
        while True:
            Za = Z if active.all() else Z[:, active]
            model = LogisticRegression(C=self.C, max_iter=self.max_iter).fit(Za, y, sample_weight=w)
            coef = np.zeros(len(names))
            coef[active] = model.coef_.ravel()
            negative = bounded & (coef < 0)
            if not negative.any():
                break
            active &= ~negative
        self.feature_names_ = names
        self.coef_ = coef / self.scaler_.scale_
        self.center_ = self.scaler_.mean_.copy()
        # The score of an average candidate: contributions are measured from it.
        self.base_score_ = float(model.intercept_[0])
        return self

    def contributions(self, X):
        return (self._check_X(X) - self.center_) * self.coef_

    def decision_function(self, X):
        # Same as (X - center) @ coef + base, without a centred copy of X.
        return self._check_X(X) @ self.coef_ + (self.base_score_ - self.center_ @ self.coef_)

    def linear_stage(self, query_row=None):
        return self.coef_, self.base_score_ - self.center_ @ self.coef_
