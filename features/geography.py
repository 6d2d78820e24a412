"""Geography: great-circle distance, continent, and latitude as a climate proxy."""

import numpy as np

from sistermatch.geo import great_circle_km

from .base import FeatureBlock, FeatureState

__all__ = ["GeographyFeatures"]


class GeographyFeatures(FeatureBlock):
    """Distance (log km), same continent, latitude gap (climate) and same hemisphere."""

    name = "geography"
    columns = ("log_distance", "same_continent", "latitude_gap", "same_hemisphere")

    uses_graph = False

    def fit(self, ctx):
        """Each country's continent as a small integer code."""
        country_continent = np.unique(ctx.cities.countries.continents, return_inverse=True)[1]
        return FeatureState(country_continent_=country_continent, continent_=country_continent[ctx.cities.country])

    def compute(self, batch, qpos, cand):
        c = batch.ctx.cities
        q = batch.query(qpos)
        km = great_circle_km(c.xyz[cand], c.xyz[q])
        cont = self.state(batch.ctx).continent_
        return self.stack(
            np.log10(1.0 + km),
            cont[q] == cont[cand],
            np.abs(c.latitude[q] - c.latitude[cand]) / 90.0,
            (c.latitude[q] >= 0) == (c.latitude[cand] >= 0),
        )

    def add_linear(self, batch, w, score):
        c = batch.ctx.cities
        q = int(batch.rows[0])
        if w[0]:
            km = great_circle_km(c.xyz, c.xyz[q])
            score.city += w[0] * np.log10(1.0 + km)
        if w[1]:
            cont = self.state(batch.ctx).country_continent_
            score.country += w[1] * (cont == cont[c.country[q]])
        if w[2]:
            score.city += (w[2] / 90.0) * np.abs(c.latitude[q] - c.latitude)
        if w[3]:
            score.city += w[3] * ((c.latitude >= 0) == (c.latitude[q] >= 0))

    def describe(self, column, batch, qpos, cand, value):
        if column == "log_distance":
            km = 10**value - 1
            return f"{km:,.0f} km apart"
        if column == "latitude_gap":
            return "similar climate (latitude)"
        if column == "same_continent" and value:
            return "same continent"
        return None
