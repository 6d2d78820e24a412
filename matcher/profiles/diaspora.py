"""Diaspora: migrant stock by origin and destination, and known community centres
(``data/diaspora/``)."""

from ..text import format_population
from .base import Fact, ProfileProvider, bundled_table, city_rows, country_index, country_indices, split_values

__all__ = ["DiasporaProvider"]


class DiasporaProvider(ProfileProvider):
    """Migrant stock by origin and destination, and known community centres (``data/diaspora/``)."""

    name = "diaspora"

    def facts(self, cities):
        out = []
        df = bundled_table("diaspora/corridors.csv")
        if df is not None:
            origin_of, destination_of = (country_indices(cities, df[c].tolist()) for c in ("origin", "destination"))
            columns = (df[c].tolist() for c in ("migrants", "year", "source"))
            for oi, di, n, year, source in zip(origin_of, destination_of, *columns):
                try:
                    amount = float(n)
                except ValueError:
                    continue
                if oi is not None and di is not None and oi != di:
                    names = cities.countries.names
                    out.append(
                        Fact(
                            "diaspora",
                            "country_pair",
                            (oi, di),
                            f"{cities.countries.code_of(oi)}->{cities.countries.code_of(di)}",
                            source if str(year) in source else f"{source} ({year})",
                            amount=amount,
                            text=f"about {format_population(amount, words=True)} people "
                            f"from {names[oi]} live in {names[di]}",
                        )
                    )
        df = bundled_table("diaspora/cities.csv")
        if df is not None:
            for row, origins, source in zip(city_rows(cities, df), df["origins"].tolist(), df["source"].tolist()):
                if row < 0:
                    continue
                for o in split_values(origins):
                    oi = country_index(cities, o)
                    if oi is not None:
                        out.append(
                            Fact(
                                "diaspora",
                                "city",
                                int(row),
                                o.upper(),
                                source,
                                text=f"a community from {cities.countries.names[oi]} lives in {cities.name[row]}",
                            )
                        )
        return out
