"""Ties between the two countries: language, borders, and how often they already twin."""

import numpy as np

from .base import FeatureBlock, FeatureState, gather, line, lookup

__all__ = ["CountryFeatures"]

SMOOTHING = 10.0


class CountryFeatures(FeatureBlock):
    """Shared official language, shared border, and the country pair's twinning record.

    ``country_pair_share`` is the share of the query country's partnerships that go to
    the candidate's country, smoothed towards zero for countries with few
    partnerships; ``candidate_country_activity`` is how much the candidate's country
    twins at all.
    """

    name = "country"
    columns = (
        "same_language",
        "neighbour_countries",
        "country_pair_log",
        "country_pair_share",
        "candidate_country_activity",
        "region_pair",
        "region_to_country",
    )

    def fit(self, ctx):
        """Partnership counts between countries, between regions, and from regions to countries."""
        a = ctx.graph.adjacency
        region_a = (ctx.region_onehot.T @ a).tocsr()
        country_pairs = np.asarray((ctx.country_onehot.T @ a @ ctx.country_onehot).todense())
        return FeatureState(
            country_pairs_=country_pairs,
            country_degree_=country_pairs.sum(axis=1),
            region_pairs_=(region_a @ ctx.region_onehot).tocsr(),
            region_country_=(region_a @ ctx.country_onehot).toarray(),
        )

    def compute(self, batch, qpos, cand):
        st = self.state(batch.ctx)
        c = batch.ctx.cities
        q = batch.query(qpos)
        cq, cc = c.country[q], c.country[cand]
        rq = c.region[q]
        return self.stack(
            lookup(c.shared_language, cq, cc),
            lookup(c.countries.neighbours, cq, cc),
            lookup(st.country_pairs_, cq, cc, np.log1p),
            lookup(st.country_pairs_, cq, cc, lambda v: v / (st.country_degree_[cq] + SMOOTHING)),
            np.log1p(st.country_degree_)[cc],
            lookup(st.region_pairs_, rq, c.region[cand], np.log1p),
            lookup(st.region_country_, rq, cc, np.log1p),
        )

    def add_linear(self, batch, w, score):
        st = self.state(batch.ctx)
        c = batch.ctx.cities
        q = int(batch.rows[0])
        cq, rq = c.country[q], c.region[q]
        pairs = st.country_pairs_[cq]
        score.country += (
            w[0] * c.shared_language[cq]
            + w[1] * c.countries.neighbours[cq]
            + w[2] * np.log1p(pairs)
            + w[3] * pairs / (st.country_degree_[cq] + SMOOTHING)
            + w[4] * np.log1p(st.country_degree_)
            + w[6] * np.log1p(st.region_country_[rq])
        )
        if w[5]:
            regions, counts = line(st.region_pairs_, rq)
            score.region[regions] += w[5] * np.log1p(counts)

    def describe(self, column, batch, qpos, cand, value):
        st = self.state(batch.ctx)
        c = batch.ctx.cities
        cq, cc = c.country[batch.rows[qpos]], c.country[cand]
        names = c.countries.names
        if column == "same_language" and value:
            langs = sorted(c.countries.languages[cq] & c.countries.languages[cc])
            return f"shared official language ({', '.join(langs)})"
        if column == "neighbour_countries" and value:
            return f"{names[cq]} and {names[cc]} are neighbours"
        if column in ("country_pair_log", "country_pair_share") and value:
            n = int(st.country_pairs_[cq, cc])
            return f"{n:,} known partnership{'s' * (n != 1)} between {names[cq]} and {names[cc]}"
        q = int(batch.rows[qpos])
        if column == "region_pair" and value:
            n = int(gather(st.region_pairs_, [c.region[q]], [c.region[cand]])[0])
            return f"{n} known partnership{'s' * (n != 1)} between the regions of {c.name[q]} and {c.name[cand]}"
        if column == "region_to_country" and value:
            n = int(st.region_country_[c.region[q], cc])
            return f"{n} partnership{'s' * (n != 1)} from {c.name[q]}'s region to {names[cc]}"
        return None
