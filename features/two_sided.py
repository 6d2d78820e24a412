"""The candidate's side of the pair: does the query fit the candidate's own pattern of partners?

A partnership is a match between two towns. These columns look at the pair from the
candidate's side: how many of the candidate's partners lie in the query's country or
region, how far the candidate's partners lie from the query, and how the sizes of the
candidate's partners compare with the query's size. All come from the graph the
context was built on (a training fold's graph in training), never from the pair itself.
"""

import numpy as np

from .base import FeatureBlock, FeatureState, gather, line, line_values, times_dense, typical_partner

__all__ = ["TwoSidedFeatures"]


class TwoSidedFeatures(FeatureBlock):
    """Columns seen from the candidate's side.

    - ``cand_partners_in_query_country``: log number of the candidate's partners in the
      query's country ("Lyon twins with 3 towns in Germany");
    - ``cand_partners_in_query_region``: likewise in the query's region;
    - ``cand_partner_closeness``: cosine of the angle between the query and the centre of
      the candidate's partners (1: the candidate's partners lie around the query);
    - ``cand_partner_size_gap``: gap in log10 population between the query and the
      candidate's typical partner (0 for a candidate without partners).
    """

    name = "two_sided"
    columns = (
        "cand_partners_in_query_country",
        "cand_partners_in_query_region",
        "cand_partner_closeness",
        "cand_partner_size_gap",
    )

    def fit(self, ctx):
        """Each city's own partners summarised: where they are (country, region, centre) and
        how large they are."""
        a = ctx.graph.adjacency
        c = ctx.cities
        partner_country = (a @ ctx.country_onehot).tocsr()
        partner_region = (a @ ctx.region_onehot).tocsr()
        centroid = times_dense(a, c.xyz)
        norm = np.linalg.norm(centroid, axis=1, keepdims=True)
        centroid = np.divide(centroid, norm, out=np.zeros_like(centroid), where=norm > 0)
        typical_size = typical_partner(ctx, c.log_population)
        return FeatureState(
            partner_country_=partner_country,
            partner_country_csc_=partner_country.tocsc(),
            partner_region_=partner_region,
            partner_region_csc_=partner_region.tocsc(),
            partner_centroid_=centroid,
            partner_log_population_=typical_size,
            # The same, for the towns with partners only (the linear stage reads just those).
            twinned_centroid_=np.ascontiguousarray(centroid[ctx.twinned]),
            twinned_log_population_=typical_size[ctx.twinned],
        )

    def compute(self, batch, qpos, cand):
        ctx = batch.ctx
        c = ctx.cities
        side = self.state(ctx)
        q = batch.query(qpos)
        if np.isscalar(q):
            in_country = line_values(side.partner_country_csc_, c.country[q], cand)
            in_region = line_values(side.partner_region_csc_, c.region[q], cand)
            closeness = side.partner_centroid_[cand] @ c.xyz[q]
        else:
            in_country = gather(side.partner_country_, cand, c.country[q])
            in_region = gather(side.partner_region_, cand, c.region[q])
            closeness = np.einsum("ij,ij->i", side.partner_centroid_[cand], c.xyz[q])
        has = ctx.degree[cand] > 0
        gap = np.where(has, np.abs(side.partner_log_population_[cand] - c.log_population[q]), 0.0)
        return self.stack(np.log1p(in_country), np.log1p(in_region), closeness, gap)

    def add_linear(self, batch, w, score):
        ctx = batch.ctx
        c = ctx.cities
        side = self.state(ctx)
        q = int(batch.rows[0])
        for weight, m, key in (
            (w[0], side.partner_country_csc_, c.country[q]),
            (w[1], side.partner_region_csc_, c.region[q]),
        ):
            if weight:
                rows, counts = line(m, key)
                score.city[rows] += weight * np.log1p(counts)
        # Only towns with partners have a partner centre and a typical partner size.
        if w[2] or w[3]:
            part = w[2] * (side.twinned_centroid_ @ c.xyz[q])
            part += w[3] * np.abs(side.twinned_log_population_ - c.log_population[q])
            score.city[ctx.twinned] += part

    def describe(self, column, batch, qpos, cand, value):
        ctx = batch.ctx
        c = ctx.cities
        q = int(batch.rows[qpos])
        partners = ctx.graph.partners(cand)
        if column == "cand_partners_in_query_country" and value > 0:
            n = int(np.sum(c.country[partners] == c.country[q]))
            return f"{c.name[cand]} twins with {n} town{'s' * (n != 1)} in {c.countries.names[c.country[q]]}"
        if column == "cand_partners_in_query_region" and value > 0:
            n = int(np.sum(c.region[partners] == c.region[q]))
            return f"{c.name[cand]} twins with {n} town{'s' * (n != 1)} in {c.name[q]}'s region"
        if column == "cand_partner_closeness" and value > 0.95 and len(partners):
            return f"{c.name[cand]}'s partners lie around {c.name[q]}"
        return None
