"""Shared history: city tags (``data/history/cities.csv``) and country groups
(former shared states, colonial ties, alliances: ``data/history/country_groups.csv``)."""

from .base import Fact, ProfileProvider, bundled_table, country_indices, tag_facts

__all__ = ["HistoryProvider", "CountryGroupProvider"]


class HistoryProvider(ProfileProvider):
    """Historical tags of cities (``data/history/cities.csv``)."""

    name = "history"

    def facts(self, cities):
        return tag_facts(cities, bundled_table("history/cities.csv"), "history", "city")


class CountryGroupProvider(ProfileProvider):
    """Former shared states, colonial empires and alliances (``data/history/country_groups.csv``)."""

    name = "country_groups"

    def facts(self, cities):
        df = bundled_table("history/country_groups.csv")
        if df is None:
            return []
        out = []
        columns = (df[c].tolist() for c in ("group", "kind", "source"))
        for ci, group, kind, source in zip(country_indices(cities, df["country"].tolist()), *columns):
            if ci is not None:
                out.append(Fact("country_group", "country", ci, group, source, kind=kind))
        return out
