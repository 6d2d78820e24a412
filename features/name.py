"""Names: the same or a near name (Toledo and Toledo, Berat and Bérat)."""

import numpy as np

from .base import FeatureBlock

__all__ = ["NameFeatures", "NEAR_NAME_RATIO"]

NEAR_NAME_RATIO = 80.0
"""Least rapidfuzz ``ratio`` (0-100) of two folded names, not equal, to count as a near-name."""


def _namesakes_abroad(cities):
    """For each city, how many cities of other countries share its folded name."""
    key = cities.name_key.astype(np.int64)
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

    def compute(self, batch, qpos, cand):
        ctx = batch.ctx
        c = ctx.cities
        q = batch.query(qpos)
        same = c.name_key[q] == c.name_key[cand]
        namesakes = ctx.derived("namesakes_abroad", lambda x: _namesakes_abroad(x.cities))
        rarity = same / np.maximum(namesakes[q], 1)
        near = np.zeros(len(cand), dtype=bool)
        maybe = np.flatnonzero((c.name_prefix_key[q] == c.name_prefix_key[cand]) & ~same)
        if len(maybe):
            from rapidfuzz.fuzz import ratio

            qs = np.broadcast_to(q, len(cand))[maybe]
            names = c.folded_name
            near[maybe] = [ratio(names[a], names[b]) >= NEAR_NAME_RATIO for a, b in zip(qs, cand[maybe])]
        return self.stack(same, rarity, near)

    def add_linear(self, batch, w, score):
        ctx = batch.ctx
        c = ctx.cities
        q = int(batch.rows[0])
        groups = ctx.derived("name_groups", lambda x: (_Groups(x.cities.name_key), _Groups(x.cities.name_prefix_key)))
        same = groups[0].members(c.name_key[q])
        namesakes = ctx.derived("namesakes_abroad", lambda x: _namesakes_abroad(x.cities))
        score.city[same] += w[0] + w[1] / max(namesakes[q], 1)
        if w[2]:
            maybe = groups[1].members(c.name_prefix_key[q])
            maybe = maybe[c.name_key[maybe] != c.name_key[q]]
            if len(maybe):
                cand = np.arange(len(c))[maybe]
                near = self.compute(batch, np.zeros(len(cand), dtype=np.int64), cand)[2]
                score.city[cand] += w[2] * near

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column in ("same_name", "same_name_rarity") and value:
            return f"both named {c.name[cand]}"
        if column == "near_name" and value:
            return f"near names: {c.name[q]} and {c.name[cand]}"
        return None
