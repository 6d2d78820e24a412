"""Size and role: towns of similar population and standing (capital, regional centre)."""

import numpy as np

from sistermatch.text import format_population

from .base import FeatureBlock

__all__ = ["SizeFeatures", "SIMILAR_SIZE_RATIO"]

SIMILAR_SIZE_RATIO = 2.0
"""Two towns are called "similar in size" only when the larger has at most this many times the people."""


class SizeFeatures(FeatureBlock):
    """Population of the candidate, the size gap, and matching roles."""

    name = "size"
    columns = ("log_population", "population_gap", "both_capitals", "both_region_centres", "candidate_capital")

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

    def add_linear(self, batch, w, score):
        c = batch.ctx.cities
        q = int(batch.rows[0])
        score.city += w[0] * c.log_population + w[1] * np.abs(c.log_population[q] - c.log_population)
        cap = w[4] + (w[2] if c.is_capital[q] else 0.0)
        if cap:
            score.city[c.is_capital] += cap
        if w[3] and c.is_region_centre[q]:
            score.city[c.is_region_centre] += w[3]

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
