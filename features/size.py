"""Size and role: towns of similar population and standing (capital, regional centre)."""

import numpy as np

from sistermatch.text import format_population

from .base import FeatureBlock, FeatureState

__all__ = ["SizeFeatures", "SIMILAR_SIZE_RATIO"]

SIMILAR_SIZE_RATIO = 2.0
"""Two towns are called "similar in size" only when the larger has at most this many times the people."""


class SizeFeatures(FeatureBlock):
    """Population of the candidate, the size gap, and matching roles."""

    name = "size"
    columns = ("log_population", "population_gap", "both_capitals", "both_region_centres", "candidate_capital")

    uses_graph = False

    def fit(self, ctx):
        c = ctx.cities
        return FeatureState(capitals_=np.flatnonzero(c.is_capital), centres_=np.flatnonzero(c.is_region_centre))

    def compute(self, batch, qpos, cand):
        c = batch.ctx.cities
        q = batch.query(qpos)
        cap = c.is_capital[cand]
        return self.stack(
            c.log_population[cand],
            np.abs(c.log_population[q] - c.log_population[cand]),
            c.is_capital[q] & cap,
            c.is_region_centre[q] & c.is_region_centre[cand],
            cap,
        )

    def add_static(self, ctx, w, city):
        city += w[0] * ctx.cities.log_population
        city[self.state(ctx).capitals_] += w[4]

    def add_linear(self, batch, w, score):
        c = batch.ctx.cities
        st = self.state(batch.ctx)
        q = int(batch.rows[0])
        score.add_gap(c.log_population, c.log_population[q], w[1])
        if w[2] and c.is_capital[q]:
            score.city[st.capitals_] += w[2]
        if w[3] and c.is_region_centre[q]:
            score.city[st.centres_] += w[3]

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        sizes = f"{format_population(c.population[q])} vs {format_population(c.population[cand])}"
        if column == "population_gap":
            small, large = sorted((max(c.population[q], 1.0), max(c.population[cand], 1.0)))
            if large <= SIMILAR_SIZE_RATIO * small:
                return f"similar size: {sizes}"
            return f"closer in size than most towns: {sizes}"
        if column == "both_capitals" and value:
            return "both national capitals"
        if column == "both_region_centres" and value:
            return "both the largest city of their region"
        if column == "log_population":
            if c.population[cand] >= 100_000:
                return f"a large city ({format_population(c.population[cand])} people): large cities twin often"
            return f"a town of {format_population(c.population[cand])} people"
        if column == "candidate_capital" and value:
            return f"{c.name[cand]} is a national capital"
        return None
