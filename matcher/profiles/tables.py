"""Providers for the curated tables shipped in ``data/`` (each row names its source)."""

import numpy as np

from .base import Fact, ProfileProvider, bundled_table, bundled_tables, split_values

__all__ = ["IndustryProvider", "HistoryProvider", "CountryGroupProvider", "DiasporaProvider", "default_providers"]


def _city_rows(cities, df):
    """Rows of a curated city table's geonameids (-1 where the city is not in the pool)."""
    return cities.index.rows_or_missing(df["geonameid"].astype(np.int64).to_numpy())


def _country_index(cities, code):
    try:
        return cities.countries.index_of(code)
    except Exception:
        return None


def _tag_facts(cities, df, aspect, level):
    facts = []
    if df is None:
        return facts
    if level == "city":
        keys = _city_rows(cities, df)
    elif level == "region":
        region_of = {}
        for r, (ci, a1) in enumerate(zip(cities.country, cities.admin1)):
            region_of.setdefault((int(ci), a1), int(cities.region[r]))
        keys = [region_of.get((_country_index(cities, c), a), -1) for c, a in zip(df["country"], df["admin1"])]
    else:
        keys = [_country_index(cities, c) for c in df["country"]]
    for key, tags, source in zip(keys, df["tags"], df["source"]):
        if key is None or key < 0:
            continue
        facts.extend(Fact(aspect, level, int(key), t, source) for t in split_values(tags))
    return facts


class IndustryProvider(ProfileProvider):
    """Economic sectors of cities, regions and countries (``data/industry/``)."""

    name = "industry"

    def facts(self, cities):
        return (_tag_facts(cities, bundled_tables("industry", "cities_"), "industry", "city")
                + _tag_facts(cities, bundled_table("industry/regions.csv"), "industry", "region")
                + _tag_facts(cities, bundled_table("industry/countries.csv"), "industry", "country"))


class HistoryProvider(ProfileProvider):
    """Historical tags of cities (``data/history/cities.csv``)."""

    name = "history"

    def facts(self, cities):
        return _tag_facts(cities, bundled_table("history/cities.csv"), "history", "city")


class CountryGroupProvider(ProfileProvider):
    """Former shared states, colonial empires and alliances (``data/history/country_groups.csv``)."""

    name = "country_groups"

    def facts(self, cities):
        df = bundled_table("history/country_groups.csv")
        if df is None:
            return []
        out = []
        for code, group, kind, source in zip(df["country"], df["group"], df["kind"], df["source"]):
            ci = _country_index(cities, code)
            if ci is not None:
                out.append(Fact("country_group", "country", ci, group, source, kind=kind))
        return out


class DiasporaProvider(ProfileProvider):
    """Migrant stock by origin and destination, and known community centres (``data/diaspora/``)."""

    name = "diaspora"

    def facts(self, cities):
        out = []
        df = bundled_table("diaspora/corridors.csv")
        if df is not None:
            for o, d, n, year, source in zip(df["origin"], df["destination"], df["migrants"], df["year"], df["source"]):
                oi, di = _country_index(cities, o), _country_index(cities, d)
                try:
                    amount = float(n)
                except ValueError:
                    continue
                if oi is not None and di is not None and oi != di:
                    out.append(Fact("diaspora", "country_pair", (oi, di), cities.countries.code_of(oi),
                                    f"{source} ({year})", amount=amount))
        df = bundled_table("diaspora/cities.csv")
        if df is not None:
            for row, origins, source in zip(_city_rows(cities, df), df["origins"], df["source"]):
                if row < 0:
                    continue
                for o in split_values(origins):
                    if _country_index(cities, o) is not None:
                        out.append(Fact("diaspora", "city", int(row), o.upper(), source))
        return out


def default_providers():
    """The shipped providers, in merge order."""
    return [IndustryProvider(), HistoryProvider(), CountryGroupProvider(), DiasporaProvider()]
