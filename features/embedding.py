"""A low-rank embedding of the partnership graph: closeness beyond shared partners.

The twinned towns' regularised, normalised adjacency ``(D + tau)^-1/2 A (D + tau)^-1/2``
(``tau`` the mean degree, which keeps the many tiny components of a partnership graph
from filling the leading eigenvalues with ones) is approximated by its leading singular
triplets, ``U diag(s) V^T``. The approximation's entry for a pair is a
link-prediction score: high when the two towns sit in the same part of the network
(partners of partners of partners, one country's favourite partner region) even when
they share no partner. It is computed on the context's graph (a training fold's in
training), so a hidden pair never feeds its own feature.

A town with no partner has no row; it is embedded from the twinned towns near it
(:attr:`QueryBatch.neighbours`, the same weights the graph block uses).
"""

import numpy as np
import scipy.sparse as sp
from sklearn.utils.extmath import randomized_svd

from .base import FeatureBlock, FeatureState, twinned_index

__all__ = ["EmbeddingFeatures", "EMBEDDING_RANK"]

EMBEDDING_RANK = 32


class EmbeddingFeatures(FeatureBlock):
    """Closeness of query and candidate in the partnership graph's low-rank embedding.

    - ``link_score``: the low-rank adjacency's entry for the pair (0 for a query or a
      candidate without partners);
    - ``neighbour_link_score``: the same with the query embedded from its twinned
      neighbours (what speaks for a town with no partner yet).
    """

    name = "embedding"
    columns = ("link_score", "neighbour_link_score")
    state_params = ("rank",)

    def __init__(self, rank=EMBEDDING_RANK):
        self.rank = rank

    def fit(self, ctx):
        """The leading singular triplets of the twinned towns' regularised adjacency."""
        tw = ctx.twinned
        pos, a = twinned_index(ctx)
        k = min(self.rank, len(tw) - 2)
        if k < 1:
            empty = np.zeros((len(tw), 0))
            return FeatureState(pos_=pos, vectors_=empty, right_=empty, values_=np.zeros(0))
        degree = ctx.degree[tw].astype(np.float64)
        scale = sp.diags(1.0 / np.sqrt(degree + degree.mean()))
        m = (scale @ a @ scale).tocsr()
        u, s, vt = randomized_svd(m, k, n_iter=7, random_state=0)
        return FeatureState(pos_=pos, vectors_=u, right_=vt.T, values_=s)

    def _query_vectors(self, batch):
        """Per query of the batch: its own weighted embedding and its neighbours' (m, k) each."""
        st = self.state(batch.ctx)

        def build():
            rows = batch.rows
            own = np.zeros((len(rows), len(st.values_)))
            known = st.pos_[rows] >= 0
            own[known] = st.vectors_[st.pos_[rows[known]]] * st.values_
            nb = batch.twinned_neighbours
            total = np.asarray(nb.sum(axis=1)).ravel()
            if nb.nnz:
                near = np.asarray(nb @ st.vectors_) * st.values_
            else:
                near = np.zeros_like(own)
            near = np.divide(near, total[:, None], out=np.zeros_like(near), where=total[:, None] > 0)
            return own, near

        return st, batch.cached("embedding_query", build)

    def compute(self, batch, qpos, cand):
        st, (own, near) = self._query_vectors(batch)
        cand = np.asarray(cand, dtype=np.int64)
        qpos = np.broadcast_to(np.asarray(qpos, dtype=np.int64), cand.shape)
        link = np.zeros(len(cand))
        nlink = np.zeros(len(cand))
        has = st.pos_[cand] >= 0
        if has.any() and len(st.values_):
            vec = st.right_[st.pos_[cand[has]]]
            link[has] = np.einsum("ij,ij->i", own[qpos[has]], vec)
            nlink[has] = np.einsum("ij,ij->i", near[qpos[has]], vec)
        return self.stack(link, nlink)

    def add_linear(self, batch, w, score):
        st, (own, near) = self._query_vectors(batch)
        if not len(st.values_):
            return
        tw = batch.ctx.twinned
        score.city[tw] += st.right_ @ (w[0] * own[0] + w[1] * near[0])

    def describe(self, column, batch, qpos, cand, value):
        if value <= 0:
            return None
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column == "link_score":
            return f"{c.name[cand]} sits in the same part of the partnership network as {c.name[q]}"
        if column == "neighbour_link_score":
            return f"{c.name[cand]} sits in the part of the partnership network of the towns near {c.name[q]}"
        return None
