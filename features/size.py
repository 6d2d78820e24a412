"""Size and role: towns of similar population and standing (capital, regional centre)."""

import numpy as np

from .base import FeatureBlock

__all__ = ["SizeFeatures", "format_population"]


def format_population(p):
    p = float(p)
    if p >= 1e6:
        return f"{p / 1e6:.1f}M"
    if p >= 1e3:
        return f"{p / 1e3:.0f}k"
    return f"{p:.0f}"


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

    def describe(self, column, batch, qpos, cand, value):
        c = batch.ctx.cities
        q = int(batch.rows[qpos])
        if column == "population_gap":
            return f"similar size: {format_population(c.population[q])} vs {format_population(c.population[cand])}"
        if column == "both_capitals" and value:
            return "both national capitals"
        if column == "both_region_centres" and value:
            return "both the largest city of their region"
        if column == "log_population":
            return f"a city of {format_population(c.population[cand])} people"
        return None
