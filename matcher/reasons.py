"""Reasons: the largest per-feature contributions of a score, rendered as sentences.

The feature blocks know how to say what one of their columns means for one pair
(:meth:`FeatureBlock.describe`); this module picks which columns to say, so the CLI,
the batch report, the Python API and the HTTP service all show the same reasons.
"""

import numpy as np

from .results import Reason

__all__ = ["MAX_REASONS", "MIN_REASON_CONTRIBUTION", "top_reasons", "all_contributions"]

MAX_REASONS = 4
MIN_REASON_CONTRIBUTION = 0.05


def top_reasons(feature_set, batch, qpos, cand, x, contrib, side="query", limit=MAX_REASONS):
    """The strongest reasons for one pair: features whose contribution is at least
    :data:`MIN_REASON_CONTRIBUTION`, largest first, each rendered once."""
    reasons = []
    for j in np.argsort(-contrib, kind="stable"):
        if contrib[j] < MIN_REASON_CONTRIBUTION or len(reasons) >= limit:
            break
        text = feature_set.describe(j, batch, qpos, cand, x[j])
        if text and all(text != r.text for r in reasons):
            reasons.append(Reason(feature_set.columns[j], float(contrib[j]), text, side))
    return tuple(reasons)


def all_contributions(feature_set, batch, qpos, cand, x, contrib):
    """Every feature's contribution, largest first, with its reason text where it has one."""
    out = []
    for j in np.argsort(-contrib, kind="stable"):
        text = feature_set.describe(j, batch, qpos, cand, x[j]) if contrib[j] > 0 else None
        out.append(Reason(feature_set.columns[j], float(contrib[j]), text or ""))
    return tuple(out)
