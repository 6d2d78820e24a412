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
        """Each country's and city's continent as a small integer code; each city's hemisphere."""
        c = ctx.cities
        country_continent = np.unique(c.countries.continents, return_inverse=True)[1]
        north = (c.latitude >= 0).astype(np.float64)
        return FeatureState(
            country_continent_=country_continent,
            continent_=country_continent[c.country],
            north_=north,
            south_=1.0 - north,
        )

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
        st = self.state(batch.ctx)
        if w[0]:
            km = great_circle_km(c.xyz, c.xyz[q])
            km += 1.0
            score.add_column(np.log10(km, out=km), w[0])
        if w[1]:
            cont = st.country_continent_
            score.country += w[1] * (cont == cont[c.country[q]])
        score.add_gap(c.latitude, c.latitude[q], w[2] / 90.0)
        score.add_column(st.north_ if c.latitude[q] >= 0 else st.south_, w[3])

    def describe(self, column, batch, qpos, cand, value):
        if column == "log_distance":
            km = 10**value - 1
            return f"{km:,.0f} km apart"
        if column == "latitude_gap":
            return "similar climate (latitude)"
        if column == "same_continent" and value:
            return "same continent"
        return None
