"""Resolving what a person types ("Köln", "coventry, GB", "St Petersburg", "2652221") to a city."""

import bisect

import numpy as np

from .errors import AmbiguousCity, CityNotFound, InvalidInput
from .text import fold

__all__ = ["Resolver"]

MAX_QUERY_LENGTH = 200


class Resolver:
    """Find the city a person means.

    Matching, in order: a GeoNames id; the primary and alternate names after accent
    and case folding (``Köln`` = ``Koeln`` = ``Cologne``, ``St. Petersburg`` =
    ``Saint Petersburg``); then fuzzy matching of the primary names (rapidfuzz's
    plain edit ratio), accepted only from ``fuzzy_cutoff`` up. Where a town's own name
    matches, towns that merely list it among their alternate names are set aside,
    unless one of those is larger.

    When several cities match, the most populous one is taken only if it has at least
    ``dominance`` times the people of the runner-up ("the largest by far": Paris, France
    over Paris, Texas). Otherwise :class:`AmbiguousCity` lists the choices.

    Parameters
    ----------
    cities : CityTable
    dominance : float, default 10
    fuzzy_cutoff : float, default 88
        Least rapidfuzz ``ratio`` score (0-100) for a misspelling to be accepted.
    """

    def __init__(self, cities, dominance=10.0, fuzzy_cutoff=88.0):
        self.cities = cities
        self.dominance = dominance
        self.fuzzy_cutoff = fuzzy_cutoff
        self._sorted = None

    def split_country(self, text, country=None):
        """Split ``"coventry, GB"`` into a name and a country index."""
        text = str(text).strip()
        if not text:
            raise InvalidInput("empty city name")
        if len(text) > MAX_QUERY_LENGTH:
            raise InvalidInput(f"city name longer than {MAX_QUERY_LENGTH} characters")
        countries = self.cities.countries
        if country is not None and str(country).strip():
            return text, countries.index_of(country)
        if "," in text:
            head, tail = text.rsplit(",", 1)
            try:
                return head.strip(), countries.index_of(tail.strip())
            except InvalidInput:
                pass  # a comma in the name itself ("Washington, D.C.")
        return text, None

    def matches(self, text, country=None):
        """Rows matching ``text`` exactly after folding, most populous first, and the
        country index used."""
        name, ci = self.split_country(text, country)
        if name.isdigit():
            row = self.cities.index.row(int(name))
            if ci is not None and self.cities.country[row] != ci:
                raise CityNotFound(f"GeoNames id {name} in {self.cities.countries.code_of(ci)}")
            return np.array([row]), ci
        key = fold(name)
        rows = self.cities.rows_named(key, country=ci)
        rows = rows[np.argsort(-self.cities.population[rows], kind="stable")]
        # A town called so outranks one merely also known so ("Kiel" is Kiel, not Kehl,
        # whose alternate names include Kiel) unless the latter is larger.
        primary = self.cities.folded_name[rows] == key
        if primary.any() and self.cities.population[rows[primary][0]] >= self.cities.population[rows[0]]:
            rows = rows[primary]
        return rows, ci

    def resolve(self, text, country=None):
        """The inner row of the city meant by ``text``.

        Parameters
        ----------
        text : str or int
            A name (any language GeoNames knows), ``"name, CC"``, or a GeoNames id.
        country : str, optional
            ISO alpha-2 code or English name restricting the search.

        Returns
        -------
        int

        Raises
        ------
        CityNotFound
            Nothing matches; the message lists the nearest spellings.
        AmbiguousCity
            Several cities match and none is ten times larger than the rest.
        InvalidInput
            Empty text or an unknown country.
        """
        rows, ci = self.matches(text, country)
        if len(rows) == 0:
            rows = self._fuzzy(self.split_country(text, country)[0], ci)
        if len(rows) == 0:
            raise CityNotFound(str(text), self.suggest(text, country))
        return self._dominant(str(text), rows)

    def _dominant(self, text, rows):
        if len(rows) == 1:
            return int(rows[0])
        pop = self.cities.population[rows]
        if pop[0] >= self.dominance * max(pop[1], 1.0):
            return int(rows[0])
        raise AmbiguousCity(text, [self.cities.city(r) for r in rows[:20]])

    def _choices(self, ci):
        rows = np.arange(len(self.cities)) if ci is None else np.flatnonzero(self.cities.country == ci)
        return rows, self.cities.folded_name[rows]

    def _fuzzy(self, name, ci, cutoff=None, limit=5):
        from rapidfuzz import fuzz, process

        rows, names = self._choices(ci)
        found = process.extract(fold(name), names, scorer=fuzz.ratio, limit=limit,
                                score_cutoff=self.fuzzy_cutoff if cutoff is None else cutoff)
        if not found:
            return np.array([], dtype=np.int64)
        best = found[0][1]
        picked = np.array([rows[i] for _, score, i in found if score >= best - 1e-9])
        return picked[np.argsort(-self.cities.population[picked], kind="stable")]

    def suggest(self, text, country=None, limit=5):
        """Nearest spellings of ``text``, as labels such as ``"Coventry (GB, ENG)"``."""
        name, ci = self.split_country(text, country)
        from rapidfuzz import fuzz, process

        rows, names = self._choices(ci)
        found = process.extract(fold(name), names, scorer=fuzz.ratio, limit=limit * 4, score_cutoff=60)
        picked = sorted({rows[i] for _, _, i in found}, key=lambda r: (-_score(found, rows, r), -self.cities.population[r]))
        labels = list(dict.fromkeys(self.cities.city(r).label() for r in picked))
        return labels[:limit]

    def complete(self, prefix, country=None, limit=10):
        """Rows whose folded primary name starts with ``prefix``, most populous first."""
        name, ci = self.split_country(prefix, country)
        key = fold(name)
        if self._sorted is None:
            order = np.argsort(self.cities.folded_name, kind="stable")
            self._sorted = (list(self.cities.folded_name[order]), order)
        keys, order = self._sorted
        lo = bisect.bisect_left(keys, key)
        hi = bisect.bisect_left(keys, key + "\uffff")
        rows = order[lo:hi]
        if ci is not None:
            rows = rows[self.cities.country[rows] == ci]
        exact = self.cities.rows_named(key, country=ci)
        rows = np.unique(np.concatenate([rows, exact])).astype(np.int64)
        return rows[np.argsort(-self.cities.population[rows], kind="stable")][:limit]


def _score(found, rows, r):
    return max(score for _, score, i in found if rows[i] == r)
