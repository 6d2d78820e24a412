"""The default ranker: a linear scorer over every city, a learned-to-rank re-ranker of its
shortlist trained on what it re-ranks, and documented priors for rare, strong reasons."""

import numpy as np
from sklearn.base import clone

from .lambdarank import LambdaRanker
from .linear import LogisticRanker
from .segmented import SegmentedRanker
from .two_stage import Reranker

__all__ = ["ShortlistRanker", "DEFAULT_PRIORS", "DOCUMENTED_REASONS"]

DEFAULT_PRIORS = {"name.same_name_rarity": 10.0}
"""Fixed log-odds added per unit of a column, on top of what is learned.

Reasons people give for twinning that are rare in any partnerships file cannot be
learned from it: a model fitted without them (or with a handful) gives them no weight.
Among towns of 500+ people, a pair abroad sharing a folded name is about 1,400 times
likelier to be twinned than a random pair abroad (46 pairs in the shared file among
56,000 same-name pairs; issue 8). ``same_name_rarity`` is 1 for a town's only
namesake abroad and 1/m for each of m namesakes, so the prior spreads over them.
"""


DOCUMENTED_REASONS = (
    "name.same_name",
    "name.same_name_rarity",
    "name.near_name",
    "profile.industry_overlap",
    "profile.history_overlap",
    "profile.historic_country_tie",
    "profile.alliance_tie",
    "profile.diaspora_in_query",
    "profile.diaspora_in_candidate",
    "profile.diaspora_city",
)
"""Columns for reasons people give for twinning: both stages may only count them for a pair.

A partnerships file holds few pairs for each (and a model trained without them, as
``bench/reason_folds.py`` does, would otherwise learn to hold them against a pair)."""


class ShortlistRanker(Reranker):
    """Two stages trained for what each does, plus fixed priors.

    Stage one (``first``, default :class:`LogisticRanker`) scores every candidate and is
    trained on uniformly drawn negatives. Stage two (``second``, default
    :class:`LambdaRanker`) re-ranks stage one's best ``shortlist`` candidates and is
    trained on such shortlists mined from leak-free folds (``mine``). ``priors`` add
    fixed weights to both stages (see :data:`DEFAULT_PRIORS`). Scores of candidates
    outside the shortlist are shifted below the shortlist's, so one descending sort gives
    the final order; a candidate's contributions come from the stage that set its score,
    plus the priors.

    Parameters
    ----------
    first, second : PairRanker, optional
        Default: a :class:`SegmentedRanker` of logistic regressions (one for towns with
        partners, one for towns without; linear for each query, so the fast path holds)
        and a :class:`LambdaRanker`, both never counting :data:`DOCUMENTED_REASONS`
        against a pair (non-negative weights, monotone constraints).
    shortlist : int, default 1000
    priors : dict of str to float, optional
        Default :data:`DEFAULT_PRIORS`; ``{}`` for none.
    mined_negatives : int or None, default 100
        Negatives per mined training query kept for stage two (see
        :func:`~sistermatch.models.training.mine_shortlists`); None keeps them all.
    """

    def __init__(self, first=None, second=None, shortlist=1000, priors=None, mined_negatives=100):
        self.first = first
        self.second = second
        self.shortlist = shortlist
        self.priors = priors
        self.mined_negatives = mined_negatives

    def fit(self, X, y, sample_weight=None, feature_names=None, mine=None):
        """Fit stage one on ``(X, y)``, then stage two on the shortlists ``mine(stage_one)`` returns.

        Parameters
        ----------
        X, y : stage one's training rows (uniform negatives).
        mine : callable
            ``mine(model) -> (X2, y2, group)``: the shortlists of training queries ranked by
            ``model`` (stage one with the priors), rows of a query consecutive, ``group`` the
            rows per query. Without it, stage two learns from ``(X, y)`` as one group per row
            block of 25 (a fallback for tiny inputs).
        """
        # X only passes to the two stages, which convert what they use.
        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names, keep_float=True)
        if self.shortlist < 1:
            raise ValueError(f"shortlist must be positive, got {self.shortlist!r}")
        if self.priors is None:  # the documented defaults, for the columns this schema has
            priors = {k: v for k, v in DEFAULT_PRIORS.items() if k in names}
        else:
            priors = dict(self.priors)
            unknown = set(priors) - set(names)
            if unknown:
                raise ValueError(f"priors name unknown columns {sorted(unknown)}")
        self.feature_names_ = names
        self.prior_ = np.array([float(priors.get(n, 0.0)) for n in names])
        self.first_ = clone(
            self.first if self.first is not None else SegmentedRanker(LogisticRanker(non_negative=DOCUMENTED_REASONS))
        )
        self.first_.fit(X, y, sample_weight=w, feature_names=names)
        self.second_ = clone(self.second if self.second is not None else LambdaRanker(monotone=DOCUMENTED_REASONS))
        self.stage_ = "first"  # mining ranks with stage one (and the priors) only
        if mine is not None:
            X2, y2, group = mine(self)
        else:
            X2, y2, group = X, y, _blocks(len(y), 25)
        kwargs = {"group": group} if isinstance(self.second_, LambdaRanker) else {}
        self.second_.fit(X2, y2, feature_names=names, **kwargs)
        self.stage_ = "both"
        self.base_score_ = self.second_.base_score_
        return self

    def _prior(self, X):
        return X @ self.prior_.astype(X.dtype)

    def first_scores(self, X):
        """Stage one's scores with the priors (what picks the shortlist)."""
        X = self._check_X(X)
        return self.first_.decision_function(X) + self._prior(X)

    def first_contributions(self, X):
        X = self._check_X(X)
        return self.first_.contributions(X) + X * self.prior_

    def linear_stage(self, query_row=None):
        first = self.first_.linear_stage(query_row)
        if first is None:
            return None
        return first[0] + self.prior_, first[1]

    def pair_scores(self, X):
        X = self._check_X(X)
        return self.second_.decision_function(X) + self._prior(X)

    def pair_contributions(self, X):
        X = self._check_X(X)
        return self.second_.contributions(X) + X * self.prior_


def _blocks(n, size):
    sizes = [size] * (n // size)
    if n % size:
        sizes.append(n % size)
    return sizes
