"""Twinning propensity: how likely a town of the candidate's kind is to twin at all.

About a third of the partners of towns with no partner yet have no known partner
themselves, so no graph signal can reach them: only what kind of town they are can.
These columns are rates learned from the graph the context was built on: the share of
towns of the candidate's country and size class that twin (leaving the candidate itself
out, so its own status never feeds its feature), the same for its region, and how much
more often towns of the query's size class twin with towns of the candidate's size
class than chance would have it.
"""

import numpy as np

from .base import FeatureBlock

__all__ = ["PropensityFeatures", "SIZE_CLASS_EDGES"]

SIZE_CLASS_EDGES = (3.5, 4.0, 4.5, 5.0, 5.5, 6.0)
"""log10 population bounds of the size classes: <3k, 3-10k, 10-30k, 30-100k, 100-300k, 0.3-1M, 1M+."""
SIZE_CLASS_NAMES = (
    "villages under 3,000 people",
    "towns of 3,000-10,000 people",
    "towns of 10,000-30,000 people",
    "towns of 30,000-100,000 people",
    "cities of 100,000-300,000 people",
    "cities of 300,000-1 million people",
    "cities of a million people or more",
)


class PropensityFeatures(FeatureBlock):
    """How often towns like the candidate twin, and how often sizes like the pair's pair up.

    - ``country_size_rate``: smoothed share of towns in the candidate's country and size
      class with at least one partner (the candidate left out);
    - ``region_rate``: the same in its first-level region;
    - ``size_class_affinity``: log ratio of observed to expected partnerships between the
      query's and the candidate's size classes;
    - ``candidate_region_centre``: the candidate is the largest town of its region.
    """

    name = "propensity"
    columns = ("country_size_rate", "region_rate", "size_class_affinity", "candidate_region_centre")

    def fit(self, ctx):
        """The rates, from the context's graph (see :class:`Propensity`)."""
        return Propensity(ctx.cities, ctx.graph)

    def compute(self, batch, qpos, cand):
        ctx = batch.ctx
        c = ctx.cities
        p = self.state(ctx)
        q = batch.query(qpos)
        return self.stack(
            p.country_size_rate_[cand],
            p.region_rate_[cand],
            p.size_affinity_[p.size_class_[q], p.size_class_[cand]],
            c.is_region_centre[cand],
        )

    def add_static(self, ctx, w, city):
        p = self.state(ctx)
        city += w[0] * p.country_size_rate_ + w[1] * p.region_rate_ + w[3] * ctx.cities.is_region_centre

    def add_linear(self, batch, w, score):
        p = self.state(batch.ctx)
        q = int(batch.rows[0])
        score.add_lookup(p.size_affinity_[p.size_class_[q]], p.size_class_, w[2])

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        p = self.state(batch.ctx)
        if column == "country_size_rate":
            size = SIZE_CLASS_NAMES[p.size_class_[cand]]
            return f"{value:.0%} of {size} in {c.countries.names[c.country[cand]]} have a partner town"
        if column == "region_rate":
            return f"{value:.0%} of the towns in {c.name[cand]}'s region have a partner town"
        if column == "size_class_affinity" and value > 0:
            return "towns of these two sizes often twin"
        if column == "candidate_region_centre" and value:
            return f"{c.name[cand]} is the main town of its region"
        return None


class Propensity:
    """Rates behind :class:`PropensityFeatures`, derived from one graph: the block's state."""

    SMOOTHING = 20.0

    def __init__(self, cities, graph):
        twinned = (graph.degree > 0).astype(np.float64)
        self.size_class_ = np.searchsorted(SIZE_CLASS_EDGES, cities.log_population).astype(np.int64)
        n_classes = len(SIZE_CLASS_EDGES) + 1
        overall = twinned.mean() if len(twinned) else 0.0
        cell = cities.country.astype(np.int64) * n_classes + self.size_class_
        self.country_size_rate_ = self._loo_rate(cell, twinned, overall)
        self.region_rate_ = self._loo_rate(cities.region.astype(np.int64), twinned, overall)
        # Observed partnerships between size classes against what their sizes would give by chance.
        edges = graph.edges
        counts = np.zeros((n_classes, n_classes))
        if len(edges):
            a, b = self.size_class_[edges[:, 0]], self.size_class_[edges[:, 1]]
            np.add.at(counts, (a, b), 1.0)
            np.add.at(counts, (b, a), 1.0)
        ends = counts.sum(axis=1)
        expected = np.outer(ends, ends) / max(ends.sum(), 1.0)
        self.size_affinity_ = np.log((counts + 1.0) / (expected + 1.0))

    def _loo_rate(self, key, twinned, overall):
        _, inverse, size = np.unique(key, return_inverse=True, return_counts=True)
        total = np.bincount(inverse, weights=twinned)
        others = total[inverse] - twinned
        return (others + self.SMOOTHING * overall) / (size[inverse] - 1 + self.SMOOTHING)
