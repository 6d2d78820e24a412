"""Random walks on the partnership graph: closeness over more than two steps.

A personalised PageRank (a random walk that restarts at the query with probability
``restart`` at each step), truncated after ``steps`` steps, scores every twinned town
by how easily a walk from the query reaches it: partners of partners of partners
count, less the longer and the more branched the paths. The graph block's shared
partners and Adamic-Adar count paths of two steps only. Computed on the context's graph
(a training fold's in training), so a hidden pair never feeds its own feature.

A town with no partner starts its walks from the twinned towns near it
(:attr:`QueryBatch.neighbours`, the same weights the graph block uses).
"""

import numpy as np
import scipy.sparse as sp

from .base import FeatureBlock, FeatureState, line, twinned_index

__all__ = ["WalkFeatures"]

SCALE = 1e4
"""Walk probabilities are read as ``log10(1 + SCALE * p)``: 0 for unreachable, about 1 for a
partner of a partner of a partner, 3 and more for the query's close circle."""

QUERY_BLOCK = 256
"""Queries walked together (a dense block of ``QUERY_BLOCK`` x twinned towns per step)."""


class WalkFeatures(FeatureBlock):
    """Personalised PageRank from the query, and from the twinned towns near it.

    - ``walk``: ``log10(1 + 1e4 p)``, ``p`` the probability that a walk from the query
      that restarts there with probability ``restart`` a step is at the candidate (0 for
      a query or a candidate without partners);
    - ``neighbour_walk``: the same with the walks started from the query's twinned
      neighbours (what speaks for a town with no partner yet).

    Parameters
    ----------
    restart : float, default 0.3
    steps : int, default 4
    """

    name = "walk"
    columns = ("walk", "neighbour_walk")
    state_params = ("restart", "steps")

    def __init__(self, restart=0.3, steps=4):
        self.restart = restart
        self.steps = steps

    def fit(self, ctx):
        """The twinned towns' transition matrix, transposed (a walk moves to a partner, each
        partner alike)."""
        pos, a = twinned_index(ctx)
        step_t = (a @ sp.diags(1.0 / np.maximum(ctx.degree[ctx.twinned], 1))).tocsr()  # A D^-1 = (D^-1 A)^T
        return FeatureState(pos_=pos, step_t_=step_t)

    def _walks(self, batch, queries):
        """``(own, near)``: walk probabilities over the twinned towns, one row per query
        position in ``queries``."""
        st = self.state(batch.ctx)
        k, n_tw = len(queries), st.step_t_.shape[0]
        start = np.zeros((n_tw, 2 * k))
        at = st.pos_[batch.rows[queries]]
        known = np.flatnonzero(at >= 0)
        start[at[known], known] = 1.0
        nb = batch.twinned_neighbours
        for j, q in enumerate(queries):
            at_nb, weights = line(nb, int(q))
            if weights.sum() > 0:
                np.add.at(start[:, k + j], at_nb, weights / weights.sum())
        walk = self.restart * start
        x = start
        for _ in range(self.steps):
            x = (1.0 - self.restart) * (st.step_t_ @ x)
            walk += self.restart * x
        values = np.log10(1.0 + SCALE * walk.T)
        return values[:k], values[k:]

    def _one(self, batch):
        key = ("walk", self.restart, self.steps)  # blocks of other settings keep their own
        return batch.cached(key, lambda: self._walks(batch, np.zeros(1, dtype=np.int64)))

    def compute(self, batch, qpos, cand):
        st = self.state(batch.ctx)
        cand = np.asarray(cand, dtype=np.int64)
        qpos = np.broadcast_to(np.asarray(qpos, dtype=np.int64), cand.shape)
        own, near = np.zeros(len(cand)), np.zeros(len(cand))
        at = st.pos_[cand]
        has = at >= 0
        if len(batch) == 1:
            o, nr = self._one(batch)
            own[has], near[has] = o[0, at[has]], nr[0, at[has]]
            return self.stack(own, near)
        for lo in range(0, len(batch), QUERY_BLOCK):
            hi = min(lo + QUERY_BLOCK, len(batch))
            sel = np.flatnonzero(has & (qpos >= lo) & (qpos < hi))
            if len(sel):
                o, nr = self._walks(batch, np.arange(lo, hi))
                own[sel], near[sel] = o[qpos[sel] - lo, at[sel]], nr[qpos[sel] - lo, at[sel]]
        return self.stack(own, near)

    def add_linear(self, batch, w, score):
        o, nr = self._one(batch)
        score.city[batch.ctx.twinned] += w[0] * o[0] + w[1] * nr[0]

    def describe(self, column, batch, qpos, cand, value):
        if value < 1.0:  # below a partner of a partner of a partner's reach
            return None
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column == "walk":
            return f"{c.name[cand]} is a few partnerships away from {c.name[q]}"
        if column == "neighbour_walk":
            return f"{c.name[cand]} is a few partnerships away from the twinned towns near {c.name[q]}"
        return None
