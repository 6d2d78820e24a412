"""Which candidates a query may get (filters) and how the best k are picked from scores."""

from dataclasses import dataclass

import numpy as np

from .errors import InvalidInput

__all__ = ["CandidateFilter", "top_k", "MAX_K"]

MAX_K = 5000


def _codes(values):
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    return tuple(v.strip().upper() for v in values if v and v.strip())


@dataclass(frozen=True)
class CandidateFilter:
    """Restrictions on candidates. By default: abroad, and not already a partner.

    Parameters
    ----------
    include_domestic : bool
        Allow candidates in the query's own country.
    countries, exclude_countries : sequence of str
        ISO alpha-2 codes to keep only / to leave out.
    continents, exclude_continents : sequence of str
        GeoNames continent codes (EU, AS, AF, NA, SA, OC, AN).
    min_population, max_population : float, optional
    max_distance_km : float, optional
    """

    include_domestic: bool = False
    countries: tuple = ()
    exclude_countries: tuple = ()
    continents: tuple = ()
    exclude_continents: tuple = ()
    min_population: float = None
    max_population: float = None
    max_distance_km: float = None

    @classmethod
    def make(cls, **kw):
        """Build a filter from loose arguments (strings or lists), checking every value."""
        for key in ("countries", "exclude_countries", "continents", "exclude_continents"):
            kw[key] = _codes(kw.get(key))
        for key in ("min_population", "max_population", "max_distance_km"):
            v = kw.get(key)
            if v is not None:
                try:
                    v = float(v)
                except (TypeError, ValueError):
                    raise InvalidInput(f"{key} must be a number, got {v!r}") from None
                if not np.isfinite(v) or v < 0:
                    raise InvalidInput(f"{key} must be a non-negative number, got {v!r}")
                kw[key] = v
        kw["include_domestic"] = bool(kw.get("include_domestic", False))
        f = cls(**{k: v for k, v in kw.items() if k in cls.__dataclass_fields__})
        if f.min_population is not None and f.max_population is not None and f.min_population > f.max_population:
            raise InvalidInput("min_population is larger than max_population")
        return f

    def mask(self, cities, query_row, partners=()):
        """Boolean mask over all cities: the candidates this filter lets through."""
        countries = cities.countries
        m = np.ones(len(cities), dtype=bool)
        m[query_row] = False
        if len(partners):
            m[np.asarray(partners)] = False
        if not self.include_domestic:
            m &= cities.country != cities.country[query_row]
        if self.countries:
            m &= np.isin(cities.country, [countries.index_of(c) for c in self.countries])
        if self.exclude_countries:
            m &= ~np.isin(cities.country, [countries.index_of(c) for c in self.exclude_countries])
        if self.continents or self.exclude_continents:
            known = set(countries.continents)
            for c in self.continents + self.exclude_continents:
                if c not in known:
                    raise InvalidInput(f"unknown continent {c!r}; use one of {', '.join(sorted(known))}")
            cont = countries.continents[cities.country]
            if self.continents:
                m &= np.isin(cont, list(self.continents))
            if self.exclude_continents:
                m &= ~np.isin(cont, list(self.exclude_continents))
        if self.min_population is not None:
            m &= cities.population >= self.min_population
        if self.max_population is not None:
            m &= cities.population <= self.max_population
        if self.max_distance_km is not None:
            m &= cities.distance_km(query_row) <= self.max_distance_km
        return m


def check_k(k):
    try:
        k = int(k)
    except (TypeError, ValueError):
        raise InvalidInput(f"k must be a whole number, got {k!r}") from None
    if k <= 0:
        raise InvalidInput(f"k must be at least 1, got {k}")
    if k > MAX_K:
        raise InvalidInput(f"k must be at most {MAX_K}, got {k}")
    return k


def top_k(scores, k, tiebreak):
    """Positions of the ``k`` best scores, best first; ties broken by ``tiebreak`` (higher first)."""
    k = min(k, len(scores))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    if k < len(scores):
        # Everything tied with the k-th score goes into the sort, so ties at the cut are
        # settled by the tie-break, and the top k is always the start of the top k+1.
        kth = -np.partition(-scores, k - 1)[k - 1]
        part = np.flatnonzero(scores >= kth)
    else:
        part = np.arange(len(scores))
    order = np.lexsort((-tiebreak[part], -scores[part]))
    return part[order][:k]
