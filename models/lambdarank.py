"""A listwise learning-to-rank model: LightGBM's LambdaMART, with exact per-feature contributions.

Contributions are path attributions (Saabas, :mod:`.paths`) read from the booster's
public ``dump_model()`` by default, or LightGBM's own ``pred_contrib`` (TreeSHAP values)
with ``explain="shap"``. Either way they sum, with the expected score, to the raw score
exactly; the path walk is about a hundred times cheaper, which is what serving k rows
with their reasons needs.
"""

import numpy as np
import scipy.sparse as sp

from .base import PairRanker
from .forest import CompiledForest, kernel_pays, load_kernel
from .paths import TreePaths

__all__ = ["LambdaRanker"]


class LambdaRanker(PairRanker):
    """Gradient-boosted trees trained to rank the candidates of each query (``lambdarank``).

    Small and regularised by default: the shortlists hold only a few thousand positives,
    and bigger trees overfit them (MODELLING.md).

    Parameters
    ----------
    objective : {"lambdarank", "binary"}, default "lambdarank"
        ``"binary"`` trains a classifier on the same rows (log-odds scores).
    n_estimators, num_leaves, learning_rate, min_child_samples, subsample, colsample_bytree,
    reg_lambda : LightGBM settings.
    truncation_level : int, default 30
        How deep in each query's list the ``lambdarank`` objective looks for pairs to swap
        (LightGBM's ``lambdarank_truncation_level``, whose default this is).
    monotone : sequence of str
        Columns the score may only increase with (LightGBM monotone constraints).
    random_state : int
    n_jobs : int, default 1
        Threads; one by default, as fits and batch workers often share the cores.
    explain : {"path", "shap"}, default "path"
        How :meth:`contributions` splits a score: path attributions (Saabas; vectorised,
        about 100x cheaper) or TreeSHAP values (LightGBM's ``pred_contrib``).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(size=(400, 3)); y = (X[:, 0] > 1).astype(int)
    >>> r = LambdaRanker(n_estimators=20, min_child_samples=5).fit(X, y, group=[100] * 4)
    >>> bool(np.allclose(r.contributions(X).sum(1) + r.base_score_, r.decision_function(X)))
    True
    """

    def __init__(
        self,
        objective="lambdarank",
        n_estimators=300,
        num_leaves=15,
        learning_rate=0.05,
        min_child_samples=100,
        subsample=0.8,
        colsample_bytree=0.8,
        reg_lambda=1.0,
        random_state=0,
        n_jobs=1,
        monotone=(),
        explain="path",
        truncation_level=30,
    ):
        self.truncation_level = truncation_level
        self.monotone = monotone
        self.explain = explain
        self.objective = objective
        self.n_estimators = n_estimators
        self.num_leaves = num_leaves
        self.learning_rate = learning_rate
        self.min_child_samples = min_child_samples
        self.subsample = subsample
        self.colsample_bytree = colsample_bytree
        self.reg_lambda = reg_lambda
        self.random_state = random_state
        self.n_jobs = n_jobs

    def fit(self, X, y, group=None, sample_weight=None, feature_names=None):
        """Fit on rows grouped by query.

        Parameters
        ----------
        X, y : rows and 0/1 labels, the rows of each query consecutive
        group : sequence of int, optional
            Rows per query, in order; without it all rows are one query.
        """
        import lightgbm

        X, y, w, names = self._check_fit_args(X, y, sample_weight, feature_names)
        if self.objective not in ("lambdarank", "binary"):
            raise ValueError(f"objective must be 'lambdarank' or 'binary', got {self.objective!r}")
        if self.explain not in ("path", "shap"):
            raise ValueError(f"explain must be 'path' or 'shap', got {self.explain!r}")
        params = dict(
            n_estimators=self.n_estimators,
            num_leaves=self.num_leaves,
            learning_rate=self.learning_rate,
            min_child_samples=self.min_child_samples,
            subsample=self.subsample,
            subsample_freq=1,
            colsample_bytree=self.colsample_bytree,
            reg_lambda=self.reg_lambda,
            random_state=self.random_state,
            n_jobs=self.n_jobs,
            verbose=-1,
            deterministic=True,
            force_row_wise=True,
        )
        if self.monotone:
            params["monotone_constraints"] = [1 if n in set(self.monotone) else 0 for n in names]
            params["monotone_constraints_method"] = "advanced"
        if self.objective == "lambdarank":
            group = [len(y)] if group is None else group
            if int(np.sum(group)) != len(y):
                raise ValueError(f"`group` (rows per query) sums to {int(np.sum(group))}, not to the {len(y)} rows")
            model = lightgbm.LGBMRanker(
                objective="lambdarank", lambdarank_truncation_level=self.truncation_level, **params
            )
            model.fit(X, y, group=np.asarray(group), sample_weight=w)
        else:
            model = lightgbm.LGBMClassifier(objective="binary", **params)
            model.fit(X, y, sample_weight=w)
        self.booster_ = model.booster_
        self.feature_names_ = names
        paths = TreePaths.from_lightgbm(self.booster_)
        self.leaf_paths_ = paths.leaf_paths(len(names))
        # The same trees laid out for QuickScorer: the same scores and leaves, faster.
        self.forest_ = CompiledForest(paths)
        # The expected score, which TreeSHAP and the path sums share (both weigh leaves by count).
        self.base_score_ = paths.base_score
        return self

    def _forest_scores(self, X):
        """Whether the compiled forest scores these rows (same bits as the booster, faster
        once its kernel is loaded; see :mod:`.forest`)."""
        return self.forest_.handles(X) and kernel_pays(len(X))

    def warm_up(self):
        load_kernel()
        return self

    def decision_function(self, X):
        X = self._check_X(X)
        if len(X) == 0:
            return np.zeros(0)
        if self._forest_scores(X):
            return self.forest_.raw_scores(X)
        return np.asarray(self.booster_.predict(X, raw_score=True, num_threads=1), dtype=np.float64)

    def contributions(self, X):
        X = self._check_X(X)
        if len(X) == 0:
            return np.zeros((0, X.shape[1]))
        if self.explain == "shap":
            return np.asarray(self.booster_.predict(X, pred_contrib=True, num_threads=1), dtype=np.float64)[:, :-1]
        # LightGBM finds each row's leaves (its own traversal); each leaf's path
        # contributions are summed once, so explaining a row is a sparse gather.
        offsets, paths = self.leaf_paths_
        if self._forest_scores(X):
            leaves = self.forest_.leaves(X)
        else:
            leaves = np.asarray(self.booster_.predict(X, pred_leaf=True, num_threads=1), dtype=np.int64)
        n, t = leaves.shape
        picked = sp.csr_matrix(
            (np.ones(n * t), (leaves + offsets[None, :]).ravel(), np.arange(0, n * t + 1, t)),
            shape=(n, paths.shape[0]),
        )
        return (picked @ paths).toarray()
