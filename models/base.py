"""The model contract: score feature rows, and split every score into per-feature contributions."""

import numpy as np
from sklearn.base import BaseEstimator

from sistermatch.errors import InvalidInput, NotFittedError

__all__ = ["PairRanker"]


class PairRanker(BaseEstimator):
    """Base class of every ranking model.

    A model scores (query, candidate) feature rows; higher is a better partner. Every
    model also explains itself: ``contributions(X)`` returns one column per feature
    with ``contributions(X).sum(axis=1) + base_score_ == decision_function(X)``, which is
    what the reasons shown to people are made of.

    Subclasses implement ``fit(X, y, sample_weight=None, feature_names=None)``,
    ``decision_function(X)`` and ``contributions(X)``.
    """

    #: False for models whose weights are set, not learned (no training rows are built).
    needs_training = True

    def _check_X(self, X):
        if not hasattr(self, "feature_names_"):
            raise NotFittedError(f"{type(self).__name__} is not fitted; call fit first")
        X = np.asarray(X)
        if X.dtype.kind != "f":
            X = X.astype(np.float64)
        if X.ndim != 2 or X.shape[1] != len(self.feature_names_):
            raise InvalidInput(f"expected {len(self.feature_names_)} feature columns, got shape {X.shape}")
        return X

    @staticmethod
    def _check_fit_args(X, y, sample_weight, feature_names, keep_float=False):
        """Validated ``(X, y, w, names)``; ``X`` as float64, or with ``keep_float`` in its
        own floating type (a model that only passes ``X`` on, or slices it, need not make
        a float64 copy of a training set of a million rows)."""
        X = np.asarray(X)
        if not (keep_float and X.dtype.kind == "f"):
            X = X.astype(np.float64, copy=False)
        y = np.asarray(y)
        if X.ndim != 2:
            raise ValueError(f"X must be 2-D, got shape {X.shape}")
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} rows but y has {len(y)}")
        if set(np.unique(y)) - {0, 1}:
            raise ValueError("y must hold 0 (not a partner) and 1 (a partner)")
        if len(np.unique(y)) < 2:
            raise ValueError("y must hold both partners (1) and non-partners (0)")
        names = tuple(feature_names) if feature_names is not None else tuple(f"x{i}" for i in range(X.shape[1]))
        if len(names) != X.shape[1]:
            raise ValueError(f"{len(names)} feature names for {X.shape[1]} columns")
        w = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        return X, y.astype(int), w, names

    def decision_function(self, X):
        raise NotImplementedError

    def contributions(self, X):
        raise NotImplementedError

    def contributions_at(self, X, rows):
        """Contributions of ``X[rows]`` as scored among all rows of ``X`` (a model whose score
        of a row depends on the others, like a two-stage one, overrides this)."""
        return self.contributions(np.asarray(X)[np.asarray(rows, dtype=np.int64)])

    def linear_stage(self, query_row=None):
        """``(weights, intercept)`` when the model's first (or only) stage is linear in the
        features, so an engine can score every city by parts (:meth:`FeatureSet.linear_score`)
        without building the feature matrix; None otherwise.

        ``query_row`` is one feature row of the query (against any candidate), for models
        whose linear weights depend on the query: it must hold the columns named by
        :attr:`query_columns` (which must not depend on the candidate); others may be NaN.
        """
        return None

    #: Columns of the query's row that :meth:`linear_stage` reads (none: it needs no row).
    query_columns = ()

    def rank_first(self, first_scores, features_of):
        """Scores of every candidate given the linear stage's scores ``first_scores``.

        ``features_of(positions)`` returns the feature rows of those candidates (a model
        that re-ranks a shortlist asks for the shortlist's rows only). Returns the scores
        and a boolean mask of the candidates whose score the second stage set (None for a
        one-stage model). Only for models whose :meth:`linear_stage` is not None.
        """
        return first_scores, None

    def contributions_rows(self, X, reranked=None):
        """Contributions of feature rows ``X`` scored by the stage :meth:`rank_first` said
        (``reranked``, a boolean per row, or None for a one-stage model)."""
        return self.contributions(X)

    def pair_scores(self, X):
        """Each row's score on its own, not as part of one query's candidate list (pairs
        of different queries, e.g. the candidates' side of a mutual ranking)."""
        return self.decision_function(X)

    def pair_contributions(self, X):
        """Contributions matching :meth:`pair_scores`."""
        return self.contributions(X)

    def warm_up(self):
        """Load now what scoring would otherwise load on first use (e.g. compiled code),
        before serving or forking workers. Returns self."""
        return self
