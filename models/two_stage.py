"""Two stages: a fast scorer over every candidate, a stronger model re-ranking its shortlist."""

import numpy as np
from sklearn.base import clone

from .base import PairRanker
from .boosted import BoostedRanker
from .linear import LogisticRanker

__all__ = ["Reranker", "TwoStageRanker"]


def best_of(scores, n):
    """Positions of the ``n`` highest ``scores`` (in no order) and the highest score left out
    (-inf when none is).

    One selection over a few thousand scores instead of all of them: the best ``n + 1``
    lie at or above a threshold read off an evenly spaced sample (chosen so that about
    twice as many pass), and a full selection runs only when too few do.
    """
    scores = np.asarray(scores, dtype=np.float64)
    if len(scores) <= n:
        return np.arange(len(scores)), -np.inf
    if n == 0:
        return np.zeros(0, dtype=np.int64), float(scores.max())
    pool = None
    stride = len(scores) // (SAMPLE_PER_PICK * (n + 1))
    if stride >= 4:
        sample = scores[::stride]
        rank = min(len(sample) - 1, 2 * (n + 1) // stride + 16)
        threshold = -np.partition(-sample, rank)[rank]
        pool = np.flatnonzero(scores >= threshold)
        if len(pool) <= n:
            pool = None
    if pool is None:
        pool = np.arange(len(scores))
    part = pool[np.argpartition(-scores[pool], n)]
    return part[:n], float(scores[part[n]])


SAMPLE_PER_PICK = 8
"""Sampled scores per score picked by :func:`best_of` (a 1,000-long shortlist of 235,000
cities: every 29th score, 8,100 in all)."""


class Reranker(PairRanker):
    """What every two-stage model shares: a first stage scores every candidate, a second
    re-scores its best ``shortlist``, and both stages explain their scores.

    Subclasses set ``first_``, ``second_`` and ``shortlist``; they may add terms to both
    stages through :meth:`first_scores`, :meth:`first_contributions`, :meth:`pair_scores`
    and :meth:`pair_contributions`. Scores of candidates outside the shortlist are shifted
    below the shortlist's, so one descending sort gives the final order; a candidate's
    contributions come from the stage that set its score.
    """

    #: "first" while only the first stage is fitted (when the second learns from its lists).
    stage_ = "both"

    def _shortlist(self, s1):
        """The shortlist's positions (sorted), its mask over ``s1``, and the best score left out."""
        short, rest_best = best_of(s1, self.shortlist)
        short.sort()
        mask = np.zeros(len(s1), dtype=bool)
        mask[short] = True
        return short, mask, rest_best

    def _shortlist_mask(self, s1):
        return self._shortlist(s1)[1]

    def first_scores(self, X):
        """The first stage's scores (what picks the shortlist)."""
        return self.first_.decision_function(self._check_X(X))

    def first_contributions(self, X):
        return self.first_.contributions(self._check_X(X))

    def pair_scores(self, X):
        return self.second_.decision_function(self._check_X(X))

    def pair_contributions(self, X):
        return self.second_.contributions(self._check_X(X))

    def warm_up(self):
        self.first_.warm_up()
        self.second_.warm_up()
        return self

    @property
    def query_columns(self):
        return self.first_.query_columns

    def linear_stage(self, query_row=None):
        return self.first_.linear_stage(query_row)

    def rank_first(self, first_scores, features_of):
        s1 = np.asarray(first_scores, dtype=np.float64)
        if self.stage_ == "first":
            return s1, None
        short, mask, rest_best = self._shortlist(s1)
        if not len(short):
            return s1.copy(), mask
        s2 = self.pair_scores(features_of(short))
        if len(short) < len(s1):
            # The rest move below the shortlist (one whole-array pass).
            scores = s1 - (max(0.0, rest_best - s2.min()) + 1.0)
        else:
            scores = s1.copy()
        scores[short] = s2
        return scores, mask

    def decision_function(self, X):
        X = self._check_X(X)
        return self.rank_first(self.first_scores(X), lambda pos: X[pos])[0]

    def contributions_rows(self, X, reranked=None):
        X = self._check_X(X)
        reranked = np.ones(len(X), dtype=bool) if reranked is None else np.asarray(reranked, dtype=bool)
        out = np.empty((len(X), X.shape[1]))
        if reranked.any():
            out[reranked] = self.pair_contributions(X[reranked])
        if (~reranked).any():
            out[~reranked] = self.first_contributions(X[~reranked])
        return out

    def contributions_at(self, X, rows):
        """Contributions of ``X[rows]`` from the stage that scored each among all rows of ``X``."""
        X = self._check_X(X)
        rows = np.asarray(rows, dtype=np.int64)
        return self.contributions_rows(X[rows], self._shortlist_mask(self.first_scores(X))[rows])

    def contributions(self, X):
        """Contributions of rows as one candidate list: a list of at most ``shortlist`` rows
        (the top of a ranking always is) is explained by the second stage throughout."""
        return self.contributions_at(X, np.arange(len(X)))


class TwoStageRanker(Reranker):
    """Rank every candidate with ``first``, re-rank its best ``shortlist`` with ``second``.

    Scores of candidates outside the shortlist are shifted below the shortlist's, so
    one descending sort gives the final order. A candidate's contributions come from
    the stage that set its score.

    Parameters
    ----------
    first : PairRanker, default LogisticRanker()
    second : PairRanker, default BoostedRanker()
    shortlist : int, default 1000
    max_second_rows : int, default 300000
        The second stage learns from a seeded sample of at most this many rows, which
        bounds training time (boosting is the slow part).
    random_state : int, default 0
    """

    def __init__(self, first=None, second=None, shortlist=1000, max_second_rows=300_000, random_state=0):
        self.first = first
        self.second = second
        self.shortlist = shortlist
        self.max_second_rows = max_second_rows
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None, feature_names=None):
        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names)
        if self.shortlist < 1:
            raise ValueError(f"shortlist must be positive, got {self.shortlist!r}")
        self.first_ = clone(self.first if self.first is not None else LogisticRanker())
        self.first_.fit(X, y, sample_weight=w, feature_names=names)
        keep = np.ones(len(y), dtype=bool)
        if len(y) > self.max_second_rows:
            rng = np.random.default_rng(self.random_state)
            keep[:] = False
            keep[rng.choice(len(y), self.max_second_rows, replace=False)] = True
        self.second_ = clone(self.second if self.second is not None else BoostedRanker())
        self.second_.fit(X[keep], y[keep], sample_weight=None if w is None else w[keep], feature_names=names)
        self.feature_names_ = names
        self.base_score_ = self.second_.base_score_
        return self
