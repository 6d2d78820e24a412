"""Path attributions of tree ensembles (Saabas), for scikit-learn's and LightGBM's trees.

Walking a row down a tree, each split moves the expected score from the parent's value to
the child's; that move is credited to the split's feature. Summed over the trees, the
contributions plus the expected score of the roots give the ensemble's raw score exactly.
The walk is vectorised: every row goes down every tree at once, one level per step, so
explaining the k rows shown costs well under a millisecond, against about 0.7 ms a row
for TreeSHAP (LightGBM's ``pred_contrib``) on the default re-ranker.

Expected values are count-weighted averages of the leaves below a node (over the
training rows), so the roots' total is the same expected score TreeSHAP reports.
"""

import numpy as np
import scipy.sparse as sp

__all__ = ["TreePaths"]

_ZERO = 1e-35  # LightGBM's kZeroThreshold: values this small count as zero


class TreePaths:
    """The nodes of an ensemble's trees, padded to one ``(n_trees, max_nodes)`` array per field.

    Build it with :meth:`from_sklearn` or :meth:`from_lightgbm`.

    Attributes
    ----------
    base_score : float
        The expected raw score (the roots' expected values summed, plus any baseline).
    """

    def __init__(self, trees, baseline=0.0):
        size = max(len(t["feature"]) for t in trees)
        shape = (len(trees), size)
        self.feature = np.zeros(shape, dtype=np.int64)
        self.threshold = np.zeros(shape)
        self.left = np.zeros(shape, dtype=np.int64)
        self.right = np.zeros(shape, dtype=np.int64)
        self.leaf = np.ones(shape, dtype=bool)
        self.value = np.zeros(shape)
        self.missing_left = np.zeros(shape, dtype=bool)
        self.nan_is_zero = np.zeros(shape, dtype=bool)  # LightGBM "None": a NaN is read as 0
        self.zero_is_missing = np.zeros(shape, dtype=bool)  # LightGBM "Zero": a 0 takes the default side
        for i, t in enumerate(trees):
            k = len(t["feature"])
            for field in ("feature", "threshold", "left", "right", "leaf", "missing_left"):
                getattr(self, field)[i, :k] = t[field]
            self.nan_is_zero[i, :k] = t.get("nan_is_zero", False)
            self.zero_is_missing[i, :k] = t.get("zero_is_missing", False)
            self.value[i, :k] = _expected_values(t["value"], t["count"], t["left"], t["right"], t["leaf"])
        self.base_score = float(baseline) + float(self.value[:, 0].sum())
        self.leaf_index = [np.asarray(t["leaf_index"]) if "leaf_index" in t else None for t in trees]

    @classmethod
    def from_sklearn(cls, predictors, baseline):
        """From a fitted ``HistGradientBoosting*`` model's predictor node arrays."""
        trees = []
        for nodes in predictors:
            trees.append(
                {
                    "feature": nodes["feature_idx"],
                    "threshold": nodes["num_threshold"],
                    "left": nodes["left"],
                    "right": nodes["right"],
                    "leaf": nodes["is_leaf"].astype(bool),
                    "missing_left": nodes["missing_go_to_left"].astype(bool),
                    "value": nodes["value"],
                    "count": nodes["count"],
                }
            )
        return cls(trees, baseline)

    @classmethod
    def from_lightgbm(cls, booster):
        """From a LightGBM ``Booster``, read through its public ``dump_model()``.

        Only numerical splits (``<=``) are supported: the rankers here have no categorical
        features. Raises ValueError on any other split.
        """
        return cls([_lightgbm_tree(t["tree_structure"]) for t in booster.dump_model()["tree_info"]])

    def leaf_paths(self, n_features):
        """``(offsets, paths)``: ``paths`` is a sparse ``(leaves, n_features)`` matrix whose row
        ``offsets[t] + j`` holds the contributions of the path to leaf ``j`` of tree ``t``
        (the ensemble's own leaf numbering, e.g. LightGBM's ``pred_leaf``)."""
        rows, cols, vals, offsets = [], [], [], []
        start = 0
        for t, leaf_index in enumerate(self.leaf_index):
            if leaf_index is None:
                raise ValueError("leaf paths need the ensemble's leaf numbering (LightGBM trees)")
            offsets.append(start)
            stack = [(0, {})]
            while stack:
                node, path = stack.pop()
                if self.leaf[t, node]:
                    for f, v in path.items():
                        rows.append(start + int(leaf_index[node]))
                        cols.append(f)
                        vals.append(v)
                    continue
                f = int(self.feature[t, node])
                for child in (self.left[t, node], self.right[t, node]):
                    step = dict(path)
                    step[f] = step.get(f, 0.0) + self.value[t, child] - self.value[t, node]
                    stack.append((child, step))
            start += int(leaf_index.max()) + 1 if (leaf_index >= 0).any() else 1
        paths = sp.csr_matrix((vals, (rows, cols)), shape=(start, n_features))
        return np.asarray(offsets, dtype=np.int64), paths

    def contributions(self, X):
        """``(n, n_features)`` contributions of the rows ``X``; with :attr:`base_score` they sum
        to each row's raw score."""
        X = np.asarray(X)
        n, d = X.shape
        t, size = self.feature.shape
        if not hasattr(self, "_flat"):
            self._flat = tuple(
                a.ravel()
                for a in (
                    self.feature,
                    self.threshold,
                    self.left,
                    self.right,
                    self.leaf,
                    self.value,
                    self.missing_left,
                    self.nan_is_zero,
                    self.zero_is_missing,
                )
            )
        feat, thr, left, right, leaf, value, miss_left, nan_zero, zero_miss = self._flat
        offset = np.arange(t, dtype=np.int64) * size
        # Every (row, tree) walk at once, one level per step; finished walks drop out.
        node = np.tile(offset, n)  # flat node index of each walk
        row = np.repeat(np.arange(n, dtype=np.int64), t)
        base = np.tile(offset, n)  # per walk: its tree's first node (children are tree-local)
        out = np.zeros(n * d)
        flat_x = X.ravel() if X.flags.c_contiguous else np.ascontiguousarray(X).ravel()
        while True:
            keep = ~leaf[node]
            if not keep.all():
                node, row, base = node[keep], row[keep], base[keep]
            if not len(node):
                break
            f = feat[node]
            cell = row * d + f
            x = flat_x[cell].astype(np.float64)
            nan = np.isnan(x)
            if nan.any() or zero_miss[node].any():
                x = np.where(nan & nan_zero[node], 0.0, x)
                missing = (nan & ~nan_zero[node]) | (zero_miss[node] & (np.abs(x) <= _ZERO))
                go_left = np.where(missing, miss_left[node], x <= thr[node])
            else:
                go_left = x <= thr[node]
            child = base + np.where(go_left, left[node], right[node])
            out += np.bincount(cell, weights=value[child] - value[node], minlength=n * d)
            node = child
        return out.reshape(n, d)


def _expected_values(value, count, left, right, leaf):
    """Each node's expected raw value: leaves keep theirs, a split averages its children by
    count. Children come after their parent, so one backward pass suffices."""
    ev = np.asarray(value, dtype=np.float64).copy()
    count = np.asarray(count, dtype=np.float64)
    for k in range(len(ev) - 1, -1, -1):
        if not leaf[k]:
            lo, hi = left[k], right[k]
            total = count[lo] + count[hi]
            ev[k] = (ev[lo] * count[lo] + ev[hi] * count[hi]) / total if total else 0.0
    return ev


def _lightgbm_tree(root):
    """One dumped LightGBM tree as flat node arrays, nodes numbered depth first (parents first)."""
    fields = {k: [] for k in ("feature", "threshold", "left", "right", "leaf", "missing_left", "value", "count")}
    fields["nan_is_zero"], fields["zero_is_missing"], fields["leaf_index"] = [], [], []
    stack = [(root, None, None)]  # (node, parent index, side)
    while stack:
        node, parent, side = stack.pop()
        k = len(fields["feature"])
        if parent is not None:
            fields[side][parent] = k
        is_leaf = "leaf_value" in node
        if not is_leaf and node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported LightGBM split {node.get('decision_type')!r}: numerical splits only")
        fields["feature"].append(0 if is_leaf else int(node["split_feature"]))
        fields["threshold"].append(0.0 if is_leaf else float(node["threshold"]))
        fields["left"].append(0)
        fields["right"].append(0)
        fields["leaf"].append(is_leaf)
        fields["leaf_index"].append(int(node.get("leaf_index", 0)) if is_leaf else -1)
        fields["missing_left"].append(bool(node.get("default_left", False)))
        missing = node.get("missing_type", "None")
        fields["nan_is_zero"].append(not is_leaf and missing == "None")
        fields["zero_is_missing"].append(not is_leaf and missing == "Zero")
        fields["value"].append(float(node["leaf_value"]) if is_leaf else float(node.get("internal_value", 0.0)))
        fields["count"].append(float(node.get("leaf_count" if is_leaf else "internal_count", 1)))
        if not is_leaf:
            stack.append((node["right_child"], k, "right"))
            stack.append((node["left_child"], k, "left"))
    return {k: np.asarray(v) for k, v in fields.items()}
