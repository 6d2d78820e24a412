"""Ties between the two countries: language, borders, and how often they already twin."""

import numpy as np

from .base import FeatureBlock, gather, lookup

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

    def compute(self, batch, qpos, cand):
        ctx = batch.ctx
        c = ctx.cities
        q = batch.query(qpos)
        cq, cc = c.country[q], c.country[cand]
        rq = c.region[q]
        return self.stack(
            lookup(c.shared_language, cq, cc),
            lookup(c.countries.neighbours, cq, cc),
            lookup(ctx.country_pairs, cq, cc, np.log1p),
            lookup(ctx.country_pairs, cq, cc, lambda v: v / (ctx.country_degree[cq] + SMOOTHING)),
            np.log1p(ctx.country_degree)[cc],
            lookup(ctx.region_pairs, rq, c.region[cand], np.log1p),
            lookup(ctx.region_country, rq, cc, np.log1p),
        )

    def add_linear(self, batch, w, score):
        ctx = batch.ctx
        c = ctx.cities
        q = int(batch.rows[0])
        cq, rq = c.country[q], c.region[q]
        pairs = ctx.country_pairs[cq]
        score.country += (
            w[0] * c.shared_language[cq]
            + w[1] * c.countries.neighbours[cq]
            + w[2] * np.log1p(pairs)
            + w[3] * pairs / (ctx.country_degree[cq] + SMOOTHING)
            + w[4] * np.log1p(ctx.country_degree)
            + w[6] * np.log1p(ctx.region_country[rq])
        )
        if w[5]:
            row = ctx.region_pairs[rq]
            score.region[row.indices] += w[5] * np.log1p(row.data)

    def describe(self, column, batch, qpos, cand, value):
        ctx = batch.ctx
        c = ctx.cities
        cq, cc = c.country[batch.rows[qpos]], c.country[cand]
        names = c.countries.names
        if column == "same_language" and value:
            langs = sorted(c.countries.languages[cq] & c.countries.languages[cc])
            return f"shared official language ({', '.join(langs)})"
        if column == "neighbour_countries" and value:
            return f"{names[cq]} and {names[cc]} are neighbours"
        if column in ("country_pair_log", "country_pair_share") and value:
            n = int(ctx.country_pairs[cq, cc])
            return f"{n:,} known partnership{'s' * (n != 1)} between {names[cq]} and {names[cc]}"
        q = int(batch.rows[qpos])
        if column == "region_pair" and value:
            n = int(gather(ctx.region_pairs, [c.region[q]], [c.region[cand]])[0])
            return f"{n} known partnership{'s' * (n != 1)} between the regions of {c.name[q]} and {c.name[cand]}"
        if column == "region_to_country" and value:
            n = int(ctx.region_country[c.region[q], cc])
            return f"{n} partnership{'s' * (n != 1)} from {c.name[q]}'s region to {names[cc]}"
        return None
