"""Names: the same or a near name (Toledo and Toledo, Berat and Bérat)."""

import numpy as np
import pandas as pd

from .base import FeatureBlock, FeatureState

__all__ = ["NameFeatures", "NEAR_NAME_RATIO", "NAME_PREFIX"]

NEAR_NAME_RATIO = 80.0
"""Least rapidfuzz ``ratio`` (0-100) of two folded names, not equal, to count as a near-name."""

NAME_PREFIX = 5
"""Names of this many letters or more that start alike ("Berat" / "Beratzhausen") are
compared for a near name; shorter names only ever match themselves."""


def _keys(values):
    """Integer codes of ``values``: equal values, equal codes (missing values get their own)."""
    codes = pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64)
    missing = codes < 0
    codes[missing] = codes.max(initial=-1) + 1 + np.arange(int(missing.sum()))
    return codes


def _namesakes_abroad(cities, key):
    """For each city, how many cities of other countries share its folded name."""
    total = np.bincount(key, minlength=int(key.max()) + 1 if len(key) else 0)
    both = key * (len(cities.countries) + 1) + cities.country
    _, inverse, per_country = np.unique(both, return_inverse=True, return_counts=True)
    return total[key] - per_country[inverse]


class _Groups:
    """Rows sharing a key, found without a pass over all rows."""

    def __init__(self, keys):
        self.order = np.argsort(keys, kind="stable")
        self.sorted = np.asarray(keys)[self.order]

    def members(self, key):
        lo, hi = np.searchsorted(self.sorted, [key, key + 1])
        return self.order[lo:hi]


class NameFeatures(FeatureBlock):
    """The same folded name, how rare that is, and a near name.

    - ``same_name``: both towns carry the same name once accents, case and punctuation
      are folded;
    - ``same_name_rarity``: ``same_name`` divided by how many towns abroad share the
      query's name (one Toledo abroad says more than one of a hundred San Josés);
    - ``near_name``: not the same, but close spellings (rapidfuzz ratio of the folded
      names of at least :data:`NEAR_NAME_RATIO`, among names sharing their first letters):
      a shared prefix such as "Sankt" alone is not enough.
    """

    name = "name"
    columns = ("same_name", "same_name_rarity", "near_name")
    uses_graph = False

    def fit(self, ctx):
        """Keys of the folded names and of their first letters, the towns sharing each, and
        each town's namesakes abroad: from the cities alone."""
        c = ctx.cities
        squeezed = pd.Series(c.folded_name, dtype=object).str.replace(" ", "", regex=False)
        prefix = squeezed.str[:NAME_PREFIX].where(squeezed.str.len() >= NAME_PREFIX)
        name_key = _keys(c.folded_name)
        prefix_key = _keys(prefix.to_numpy(dtype=object))
        return FeatureState(
            name_key_=name_key,
            prefix_key_=prefix_key,
            same_name_=_Groups(name_key),
            same_prefix_=_Groups(prefix_key),
            namesakes_abroad_=_namesakes_abroad(c, name_key),
        )

    def compute(self, batch, qpos, cand):
        ctx = batch.ctx
        st = self.state(ctx)
        c = ctx.cities
        q = batch.query(qpos)
        same = st.name_key_[q] == st.name_key_[cand]
        rarity = same / np.maximum(st.namesakes_abroad_[q], 1)
        near = np.zeros(len(cand), dtype=bool)
        maybe = np.flatnonzero((st.prefix_key_[q] == st.prefix_key_[cand]) & ~same)
        if len(maybe):
            from rapidfuzz.fuzz import ratio
            from rapidfuzz.process import cpdist

            names = c.folded_name
            pairs = names[np.broadcast_to(q, len(cand))[maybe]], names[cand[maybe]]
            near[maybe] = cpdist(*pairs, scorer=ratio) >= NEAR_NAME_RATIO
        return self.stack(same, rarity, near)

    def add_linear(self, batch, w, score):
        ctx = batch.ctx
        q = int(batch.rows[0])
        st = self.state(ctx)
        same = st.same_name_.members(st.name_key_[q])
        score.city[same] += w[0] + w[1] / max(st.namesakes_abroad_[q], 1)
        if w[2]:
            maybe = st.same_prefix_.members(st.prefix_key_[q])
            maybe = maybe[st.name_key_[maybe] != st.name_key_[q]]
            if len(maybe):
                near = self.compute(batch, np.zeros(len(maybe), dtype=np.int64), maybe)[2]
                score.city[maybe] += w[2] * near

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column in ("same_name", "same_name_rarity") and value:
            return f"both named {c.name[cand]}"
        if column == "near_name" and value:
            return f"near names: {c.name[q]} and {c.name[cand]}"
        return None
