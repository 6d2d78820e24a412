"""Which candidates a query may get (filters) and how the best k are picked from scores.

:class:`CandidateFilter` is the one home of the candidate filters: each of its fields
declares, as a :class:`FilterField` in the field's metadata, its kind, help text, command
line flag and bounds. :data:`FILTERS` lists them; the command line options, the HTTP
service's query parameters and the ``POST /batch`` body fields are all derived from it,
and :meth:`CandidateFilter.make` checks values against it.
"""

from dataclasses import dataclass, field, fields, replace
from typing import Optional

import numpy as np

from .errors import InvalidInput
from .geo import great_circle_km

__all__ = ["CandidateFilter", "FilterField", "FILTERS", "top_k", "check_k", "MAX_K"]

MAX_K = 5000
"""Most candidates one query may ask for, everywhere: Python API, command line, HTTP service.

On the full GeoNames pool a k=5000 answer takes about 1 s (2 s with ``mutual``) and is
about 4 MB of JSON; the service's queue, timeout, answer-cache byte bound and
``MAX_BATCH_ROWS`` bound what many such requests may cost.
"""


@dataclass(frozen=True)
class FilterField:
    """How one candidate filter is offered to users.

    Parameters
    ----------
    name : str
        The :class:`CandidateFilter` field; also the HTTP query parameter and batch body field.
    kind : {"flag", "codes", "number"}
        A switch (default off), a list of codes (comma-separated text or a list), or an
        optional number.
    help : str
        One line for ``--help`` and the OpenAPI description.
    flag : str
        The command line option.
    ge : float, optional
        Least value of a number.

    Examples
    --------
    >>> from sistermatch.ranking import FILTERS
    >>> [f.flag for f in FILTERS if f.kind == "number" and f.ge == 0]
    ['--min-population', '--max-population', '--max-distance']
    """

    name: str
    kind: str
    help: str
    flag: str
    ge: Optional[float] = None

    @property
    def default(self):
        """What an interface passes when the user leaves the filter out: off (False) or None."""
        return False if self.kind == "flag" else None


def _filter(kind, flag, help, default=None, ge=None):
    # name="" until the dataclass is built: FILTERS fills in each field's own name.
    return field(default=default, metadata={"filter": FilterField("", kind, help, flag, ge)})


def _codes(values):
    if values is None:
        return ()
    if isinstance(values, str):
        values = values.split(",")
    return tuple(v.strip().upper() for v in values if v and v.strip())


_TRUE, _FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off", "")


def _flag(spec, v):
    """A switch from a bool, 0/1, or the words true/false, yes/no, on/off (not any truthy value:
    the text "false" is off)."""
    if v is None or isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)) and v in (0, 1):
        return bool(v)
    if isinstance(v, str) and v.strip().lower() in _TRUE + _FALSE:
        return v.strip().lower() in _TRUE
    raise InvalidInput(f"{spec.name} must be true or false, got {v!r}")


def _number(spec, v):
    if v is None:
        return None
    try:
        v = float(v)
    except (TypeError, ValueError):
        raise InvalidInput(f"{spec.name} must be a number, got {v!r}") from None
    if not np.isfinite(v) or (spec.ge is not None and v < spec.ge):
        least = "a non-negative number" if spec.ge == 0 else f"a number of at least {spec.ge:g}"
        raise InvalidInput(f"{spec.name} must be {least}, got {v!r}")
    return v


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

    Each field's metadata holds its :class:`FilterField` (see :data:`FILTERS`).
    """

    include_domestic: bool = _filter("flag", "--include-domestic", "Also suggest towns in the same country.", False)
    countries: tuple = _filter("codes", "--countries", "Only these countries (comma-separated ISO codes).", ())
    exclude_countries: tuple = _filter("codes", "--exclude-countries", "Never these countries.", ())
    continents: tuple = _filter("codes", "--continents", "Only these continents (EU,AS,AF,NA,SA,OC,AN).", ())
    exclude_continents: tuple = _filter("codes", "--exclude-continents", "Never these continents.", ())
    min_population: float = _filter("number", "--min-population", "Smallest candidate population.", ge=0)
    max_population: float = _filter("number", "--max-population", "Largest candidate population.", ge=0)
    max_distance_km: float = _filter("number", "--max-distance", "Farthest candidate, in km.", ge=0)

    @classmethod
    def make(cls, **kw):
        """Build a filter from loose arguments (strings or lists), checking every value.

        The one place filter values are checked, against :data:`FILTERS`; keywords that
        are not filters are ignored. Raises :class:`InvalidInput` naming the bad value.
        """
        given = {}
        for spec in FILTERS:
            v = kw.get(spec.name)
            if spec.kind == "codes":
                given[spec.name] = _codes(v)
            elif spec.kind == "number":
                given[spec.name] = _number(spec, v)
            else:
                given[spec.name] = _flag(spec, v)
        f = cls(**given)
        if f.min_population is not None and f.max_population is not None and f.min_population > f.max_population:
            raise InvalidInput("min_population is larger than max_population")
        return f

    def check_codes(self, countries):
        """Raise :class:`InvalidInput` for a country or continent code ``countries`` (a
        :class:`~sistermatch.cities.CountryTable`) does not know: the one check, before any
        query runs (the service's batch) or while ranking."""
        for code in self.countries + self.exclude_countries:
            countries.index_of(code)
        if self.continents or self.exclude_continents:
            known = set(countries.continents)
            for c in self.continents + self.exclude_continents:
                if c not in known:
                    raise InvalidInput(f"unknown continent {c!r}; use one of {', '.join(sorted(known))}")

    def conditions(self, cities, query_row, partners=(), cand=None, is_partner=None):
        """The rules and filters a candidate must pass, each as ``(name, why_excluded, mask)``.

        ``mask`` is a boolean array over all cities (True where the city passes); ``why_excluded``
        says in words why a city failing it is left out. :meth:`mask` is their conjunction,
        and :meth:`explain_empty` / :meth:`excluded_by` read the same list, so the reason
        given for an empty list or an excluded town is always the rule that did it.

        With ``cand`` (candidate rows), the masks are over those rows instead, and
        ``query_row`` may be an array of one query per candidate (pairs, as training samples
        them); ``is_partner`` (one bool per candidate) then replaces ``partners``.
        """
        countries = cities.countries
        self.check_codes(countries)
        rows = None if cand is None else np.asarray(cand, dtype=np.int64)
        q = query_row if np.ndim(query_row) else int(query_row)
        qname = str(cities.name[q]) if np.ndim(q) == 0 else "the query"
        out = []
        partners = np.asarray(partners, dtype=np.int64)
        if cand is None:  # over all cities: set the few rows that fail
            own = np.ones(len(cities), dtype=bool)
            own[q] = False
            free = np.ones(len(cities), dtype=bool)
            free[partners] = False
        else:
            own = rows != q
            free = ~(np.asarray(is_partner, dtype=bool) if is_partner is not None else np.isin(rows, partners))
        out.append(("query", f"it is {qname} itself", own))
        if not free.all():
            out.append(("partner", f"already a partner of {qname}", free))
        country = cities.country if cand is None else cities.country[rows]
        if not self.include_domestic:
            out.append(
                (
                    "include_domestic",
                    f"in the same country as {qname} (set include_domestic)",
                    country != cities.country[q],
                )
            )
        if self.countries:
            keep = [countries.index_of(c) for c in self.countries]
            out.append(("countries", f"not in {', '.join(self.countries)} (countries filter)", np.isin(country, keep)))
        if self.exclude_countries:
            drop = [countries.index_of(c) for c in self.exclude_countries]
            out.append(
                (
                    "exclude_countries",
                    f"in an excluded country ({', '.join(self.exclude_countries)})",
                    ~np.isin(country, drop),
                )
            )
        if self.continents or self.exclude_continents:
            cont = countries.continents[country]
            if self.continents:
                out.append(
                    (
                        "continents",
                        f"not in {', '.join(self.continents)} (continents filter)",
                        np.isin(cont, list(self.continents)),
                    )
                )
            if self.exclude_continents:
                out.append(
                    (
                        "exclude_continents",
                        f"on an excluded continent ({', '.join(self.exclude_continents)})",
                        ~np.isin(cont, list(self.exclude_continents)),
                    )
                )
        population = cities.population if cand is None else cities.population[rows]
        if self.min_population is not None:
            out.append(
                (
                    "min_population",
                    f"fewer than {self.min_population:,.0f} people (min_population)",
                    population >= self.min_population,
                )
            )
        if self.max_population is not None:
            out.append(
                (
                    "max_population",
                    f"more than {self.max_population:,.0f} people (max_population)",
                    population <= self.max_population,
                )
            )
        if self.max_distance_km is not None:
            out.append(
                (
                    "max_distance_km",
                    f"farther than {self.max_distance_km:,.0f} km from {qname} (max_distance_km)",
                    great_circle_km(cities.xyz if cand is None else cities.xyz[rows], cities.xyz[q])
                    <= self.max_distance_km,
                )
            )
        return out

    def mask(self, cities, query_row, partners=(), cand=None, is_partner=None):
        """Boolean mask over all cities (or over ``cand``; see :meth:`conditions`): the
        candidates this filter lets through."""
        m = np.ones(len(cities) if cand is None else len(cand), dtype=bool)
        for _, _, cond in self.conditions(cities, query_row, partners, cand, is_partner):
            m &= cond
        return m

    def excluded_by(self, cities, query_row, candidate_row, partners=()):
        """Why ``candidate_row`` is not a candidate: the texts of the rules it fails (empty if none)."""
        return tuple(why for _, why, cond in self.conditions(cities, query_row, partners) if not cond[candidate_row])

    def explain_empty(self, cities, query_row, partners=()):
        """A one-line note for a filter that leaves no candidate: which filters to widen."""
        conds = self.conditions(cities, query_row, partners)
        user = [(name, why, cond) for name, why, cond in conds if name not in ("query", "partner")]
        base = np.ones(len(cities), dtype=bool)
        for name, _, cond in conds:
            if name in ("query", "partner"):
                base &= cond
        # The filters that alone leave nothing are the ones to widen; else all of them together.
        alone = [name for name, _, cond in user if not (base & cond).any()]
        names = alone or [name for name, _, _ in user]
        qname = str(cities.name[int(query_row)])
        if not names:
            return f"No town is left to suggest for {qname}."
        return f"No town passes the filters for {qname}; widen {' or '.join(names)}" + (
            " (each alone leaves no town)." if len(alone) > 1 else "."
        )


def _declared_filters(cls):
    out = []
    for f in fields(cls):
        if "filter" not in f.metadata:
            raise TypeError(f"{cls.__name__}.{f.name} declares no FilterField; define it with _filter(...)")
        out.append(replace(f.metadata["filter"], name=f.name))
    return tuple(out)


FILTERS = _declared_filters(CandidateFilter)
"""The candidate filters, in :class:`CandidateFilter`'s field order: one :class:`FilterField` each."""


def check_k(k):
    """``k`` as an int from 1 to :data:`MAX_K`, else :class:`InvalidInput`."""
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
