"""Economic sectors of cities, regions and countries (``data/industry/``)."""

from .base import ProfileProvider, bundled_table, bundled_tables, tag_facts

__all__ = ["IndustryProvider"]


class IndustryProvider(ProfileProvider):
    """Economic sectors of cities, regions and countries (``data/industry/``)."""

    name = "industry"

    def facts(self, cities):
        return (
            tag_facts(cities, bundled_tables("industry", "cities_"), "industry", "city")
            + tag_facts(cities, bundled_table("industry/regions.csv"), "industry", "region")
            + tag_facts(cities, bundled_table("industry/countries.csv"), "industry", "country")
        )
