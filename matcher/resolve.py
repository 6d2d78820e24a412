"""Resolving what a person types ("Köln", "coventry, GB", "Springfield, IL", "Mitte (Berlin)",
"Budapest XIII", "2652221") to a city.

Names pasted from partner lists carry more than a name: a region or country after a comma,
a parent city or a descriptor in brackets ("Favoriten (Vienna)", "Gniezno (rural gmina)"),
a district number ("Paris 16e"), or the hyphenated name of a merged municipality that
GeoNames knows by one part. :class:`Resolver` tries a short ordered list of rules, one
method each (see :data:`RULES`), and :meth:`Resolver.resolve_explained` says which rule
picked the town.
"""

import bisect
import re
from dataclasses import dataclass

import numpy as np

from .errors import AmbiguousCity, CityNotFound, InvalidInput
from .geo import EARTH_RADIUS_KM
from .regions import region_names
from .text import fold

__all__ = ["Resolver", "Resolution", "RULES"]

MAX_QUERY_LENGTH = 200
# A district lies within this distance of the city it belongs to (Greater London's
# boroughs reach about 25 km from the centre).
PARENT_RADIUS_KM = 30.0
# The parts of a merged municipality are neighbours.
MERGED_RADIUS_KM = 15.0
# Least population of a town read from one part of a hyphenated name.
MERGED_PART_MIN_POPULATION = 5000
# A city outnumbers its districts; two merged towns are of one order of size.
CITY_OVER_DISTRICT = 10.0
# Spellings at least this close (rapidfuzz ratio) are suggested when nothing matches.
SUGGEST_CUTOFF = 60.0
SUGGEST_POOL = 20

#: Rule names, in the order the rules are tried.
RULES = (
    "geonames id",
    "exact",
    "alternate name",
    "region",
    "descriptor dropped",
    "district number",
    "parent city",
    "merged name part",
    "qualifier ignored",
    "fuzzy",
)

# Words that say what kind of place a name is, not which one ("Hildesheim (district)").
_DESCRIPTORS = frozenset(
    fold(w)
    for w in (
        "district",
        "rural district",
        "urban district",
        "city",
        "town",
        "village",
        "county",
        "commune",
        "municipality",
        "borough",
        "township",
        "parish",
        "gmina",
        "rural gmina",
        "urban gmina",
        "urban-rural gmina",
        "city and county",
        "metropolitan borough",
        "county borough",
        "urban area",
        "stadt",
        "gemeinde",
        "landkreis",
        "kreis",
        "markt",
        "comune",
        "municipio",
        "ville",
        "miasto",
        "obec",
        "mesto",
        "město",
        "okres",
        "powiat",
        "kommune",
        "kommun",
        "city council",
        "town council",
        "district council",
        "unitary authority",
        "local authority",
        "civil parish",
    )
)
# Longest first, so that "rural gmina" goes whole rather than leaving "rural".
_TRAILING_DESCRIPTORS = tuple(sorted(_DESCRIPTORS, key=lambda w: (-len(w), w)))
_LEADING_DESCRIPTORS = tuple(
    fold(w) + " "
    for w in (
        "city of",
        "town of",
        "village of",
        "borough of",
        "municipality of",
        "township of",
        "county of",
        "gmina",
        "stadt",
        "landkreis",
        "comune di",
        "ville de",
        "miasto",
        "mesto",
        "město",
        "obec",
        "municipio de",
        "municipio",
    )
)
# Words between a city and its district number ("Bucharest Sector 3", "Paris 16e arrondissement").
_DISTRICT_WORDS = frozenset({"sector", "district", "bezirk", "arrondissement", "kerulet", "distrikt", "ward"})
_DISTRICT = re.compile(
    r"^(?P<city>.*?\w.*?)[\s\-]+(?P<num>\d{1,2}|[IVXLivxl]{1,7})\.?"
    r"(?:e|er|re|eme|ème|th|st|nd|rd)?\.?"
    r"(?:\s+(?:arrondissement|district|bezirk|kerület|kerulet|sector))?\s*$"
)
_BRACKET = re.compile(r"^(?P<base>[^(\[]+?)\s*[(\[](?P<inner>[^()\[\]]*)[)\]]\s*(?P<rest>.*)$")
_SPACED_DASH = re.compile(r"\s+[-–—]+\s+|\s*[–—]\s*")
_HYPHEN = re.compile(r"(?<=\w)[-‐‑](?=\w)")
# "canton of Zürich", "State of Ohio", "New York State" name the region itself.
_REGION_WORDS = re.compile(r"^(?:canton|state|province|region|land) (?:of )?| (?:state|canton|province)$")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50}


@dataclass(frozen=True)
class Resolution:
    """Which city a text means and which rule found it.

    Attributes
    ----------
    row : int
        Inner row of the city.
    rule : str
        One of :data:`RULES`.
    text : str
        The text as given.
    """

    row: int
    rule: str
    text: str


@dataclass(frozen=True)
class _Query:
    text: str  # as typed, trimmed
    ci: object  # country index from the ``country`` keyword, or None
    regions: object  # region ids from the ``region`` keyword, or None
    base: str  # the name without its qualifiers
    qualifiers: tuple  # comma parts, bracketed or dash-separated context, in reading order
    dashed: bool  # the first qualifier came after a spaced dash ("Havana – Plaza ...")


class Resolver:
    """Find the city a person means.

    Rules, in order (the first that finds a town wins):

    1. ``geonames id``: the text is a number.
    2. ``exact`` / ``alternate name``: the whole text is a primary or alternate name after
       accent and case folding (``Köln`` = ``Koeln`` = ``Cologne``, ``Frankfurt (Oder)``).
       Where a town's own name matches, towns merely also known so are set aside unless larger.
    3. ``region``: trailing qualifiers name a country or first-level region, by code or name
       (``"Springfield, IL"``, ``"Springfield, Illinois"``, ``"Springfield, US, IL"``,
       ``"Favoriten (Wien)"``). A qualifier that is a country is read as one where that finds
       the town ("Toledo, ES"), else as a region (IL is Israel's code and Illinois').
    4. ``descriptor dropped``: ``"Hildesheim (district)"``, ``"Gniezno (rural gmina)"``,
       ``"City of Coventry"``.
    5. ``district number``: ``"Budapest XIII"``, ``"Paris 16e"``, ``"Lyon 3e"``: the pool's entry
       for that district near the city ("Budapest XIII. kerület", "Paris 16 Passy"), else the city.
    6. ``parent city``: ``"Mitte (Berlin)"``, ``"Havana – Plaza de la Revolución"``,
       ``"Berlin-Spandau"``: the town of that name nearest to the parent city, within
       ``PARENT_RADIUS_KM``.
    7. ``merged name part``: ``"Évry-Courcouronnes"``: two neighbouring towns named by the parts
       give the larger; a single part found is accepted only if it names one town.
    8. ``qualifier ignored``: a qualifier that none of the above understood; the name alone is
       accepted only if it names one town.
    9. ``fuzzy``: rapidfuzz's plain edit ratio on primary names, from ``fuzzy_cutoff`` up.

    When several cities match, the most populous one is taken only if it has at least
    ``dominance`` times the people of the runner-up ("the largest by far": Paris, France
    over Paris, Texas). Otherwise :class:`AmbiguousCity` lists the choices with their regions
    and GeoNames ids.

    Parameters
    ----------
    cities : CityTable
    dominance : float, default 10
    fuzzy_cutoff : float, default 88
        Least rapidfuzz ``ratio`` score (0-100) for a misspelling to be accepted.

    Examples
    --------
    >>> r = Resolver(cities)                                       # doctest: +SKIP
    >>> r.resolve_explained("Springfield, IL").rule                # doctest: +SKIP
    'region'
    """

    def __init__(self, cities, dominance=10.0, fuzzy_cutoff=88.0):
        self.cities = cities
        self.dominance = dominance
        self.fuzzy_cutoff = fuzzy_cutoff
        self._sorted = None
        self._regions = None
        self._lengths = None
        self._last_scored = None

    # ------------------------------------------------------------------ parsing

    def split_country(self, text, country=None):
        """Split ``"coventry, GB"`` into a name and a country index."""
        text = _checked(text)
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

    def _query(self, text, country, region):
        text = _checked(text)
        ci = None
        if country is not None and str(country).strip():
            ci = self.cities.countries.index_of(country)
        regions = None
        if region is not None and str(region).strip():
            regions = self.region_ids(region, ci, codes_in_digits=True)
            if not len(regions):
                where = f" in {self.cities.countries.code_of(ci)}" if ci is not None else ""
                raise InvalidInput(
                    f"unknown region {str(region).strip()!r}{where}: use an admin1 code "
                    "such as IL or a region name such as Illinois"
                )
        parts = [p.strip() for p in text.split(",")]
        base, qualifiers = parts[0], [p for p in parts[1:] if p]
        if not base:
            raise InvalidInput(f"no city name before the comma in {text!r}")
        dashed = False
        m = _BRACKET.match(base)
        if m and m["inner"].strip():
            base = m["base"].strip()
            qualifiers[:0] = [m["inner"].strip()] + ([m["rest"].strip()] if m["rest"].strip() else [])
        else:
            pieces = _SPACED_DASH.split(base, maxsplit=1)
            if len(pieces) == 2 and all(p.strip() for p in pieces):
                base, dashed = pieces[0].strip(), True
                qualifiers.insert(0, pieces[1].strip())
        return _Query(text, ci, regions, base or text, tuple(qualifiers), dashed)

    def region_ids(self, text, country=None, codes_in_digits=False):
        """Region ids (``CityTable.region``) named by ``text``: an admin1 code ("IL", "ENG") or
        a region name ("Illinois", "zurich"), optionally within one country index.

        Codes made of digits ("07") are matched only when ``codes_in_digits`` is set: in a
        typed name they are far likelier a district number than a region.
        """
        by_code, by_name, region_country = self._region_index()
        key = _REGION_WORDS.sub("", fold(text)).strip()
        ids = list(by_name.get(key, ()))
        code = key.replace(" ", "")
        if code and (codes_in_digits or not code.isdigit()):
            ids += by_code.get(code, [])
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        if country is not None:
            ids = ids[region_country[ids] == country]
        return ids

    def _region_index(self):
        if self._regions is None:
            c = self.cities
            names = region_names()
            _, first = np.unique(c.region, return_index=True)
            region_country = np.full(c.n_regions, -1, dtype=np.int64)
            by_code, by_name = {}, {}
            for r in first:
                rid, code = int(c.region[r]), str(c.admin1[r])
                region_country[rid] = c.country[r]
                if code and code != "00":
                    by_code.setdefault(fold(code).replace(" ", ""), []).append(rid)
                name = names.name(c.countries.code_of(c.country[r]), code)
                if name:
                    by_name.setdefault(fold(name), []).append(rid)
            self._regions = (by_code, by_name, region_country)
        return self._regions

    # ------------------------------------------------------------------ lookups

    def _named(self, key, q):
        """Rows named ``key`` (folded) within the keyword scope, most populous first; a town
        called so outranks one merely also known so ("Kiel" is Kiel, not Kehl, whose
        alternate names include Kiel) unless the latter is larger."""
        if not key:
            return np.array([], dtype=np.int64)
        rows = self.cities.rows_named(key, country=q.ci)
        if q.regions is not None:
            rows = rows[np.isin(self.cities.region[rows], q.regions)]
        rows = rows[np.argsort(-self.cities.population[rows], kind="stable")]
        primary = self.cities.folded_name[rows] == key
        if primary.any() and self.cities.population[rows[primary][0]] >= self.cities.population[rows[0]]:
            rows = rows[primary]
        return rows

    def _narrow(self, rows, qualifier):
        """``rows`` inside the country or region ``qualifier`` names, and whether a region was
        used; None when the qualifier names neither."""
        try:
            ci = self.cities.countries.index_of(qualifier)
        except InvalidInput:
            ci = None
        if ci is not None:
            in_country = rows[self.cities.country[rows] == ci]
            if len(in_country):
                return in_country, False
        regions = self.region_ids(qualifier)
        if len(regions):
            return rows[np.isin(self.cities.region[rows], regions)], True
        if ci is not None:
            return rows[:0], False
        return None

    def _narrow_all(self, rows, qualifiers):
        """``rows`` inside every qualifier, or None if one names no country or region."""
        used_region = False
        for qualifier in qualifiers:
            narrowed = self._narrow(rows, qualifier)
            if narrowed is None:
                return None, False
            rows, region = narrowed
            used_region |= region
        return rows, used_region

    def _name_rule(self, rows, key):
        return "exact" if self.cities.folded_name[rows[0]] == key else "alternate name"

    def _near(self, rows, anchors):
        """Distance (km) of each of ``rows`` to the nearest of ``anchors``, and that anchor."""
        cos = np.clip(self.cities.xyz[rows] @ self.cities.xyz[anchors].T, -1.0, 1.0)
        best = cos.argmax(axis=1)
        return EARTH_RADIUS_KM * np.arccos(cos[np.arange(len(rows)), best]), anchors[best]

    def _anchors(self, rows):
        """Where a parent city is: the dominant town, else every town of that name (up to 10)."""
        pop = self.cities.population[rows]
        if len(rows) == 1 or pop[0] >= self.dominance * max(pop[1], 1.0):
            return rows[:1]
        return rows[:10]

    # ------------------------------------------------------------------ rules
    # Each rule returns (rows, rule name, strict) or None. ``strict`` refuses a choice among
    # several rows even when one is ten times larger: the rule dropped information.

    def _rule_exact(self, q):
        if any(fold(x) in _DESCRIPTORS for x in q.qualifiers):
            return None  # "Bristol (city)" is Bristol, not the Bristol whose alias is "Bristol City"
        key = fold(q.text)
        rows = self._named(key, q)
        if len(rows):
            return rows, self._name_rule(rows, key), False
        return None

    def _rule_region(self, q):
        if not q.qualifiers:
            return None
        key = fold(q.base)
        rows, used_region = self._narrow_all(self._named(key, q), q.qualifiers)
        if rows is None or not len(rows):
            return None
        return rows, "region" if used_region else self._name_rule(rows, key), False

    def _rule_descriptor(self, q):
        qualifiers = [x for x in q.qualifiers if fold(x) not in _DESCRIPTORS]
        key = fold(q.base)
        dropped = len(qualifiers) < len(q.qualifiers)
        for lead in _LEADING_DESCRIPTORS:
            if key.startswith(lead):
                key, dropped = key[len(lead) :], True
                break
        else:
            for word in _TRAILING_DESCRIPTORS:
                if key.endswith(" " + word):
                    key, dropped = key[: -len(word) - 1], True
                    break
        if not dropped:
            return None
        # "Labrador City (municipality)": with the bracket gone the name is whole already.
        keys = [fold(q.base), key] if len(qualifiers) < len(q.qualifiers) else [key]
        for key in dict.fromkeys(keys):
            rows, _ = self._narrow_all(self._named(key, q), qualifiers)
            if rows is not None and len(rows):
                return rows, "descriptor dropped", False
        return None

    def _rule_district_number(self, q):
        m = _DISTRICT.match(q.base)
        if not m:
            return None
        number = _number(m["num"])
        city_key = fold(m["city"])
        words = city_key.split()
        if words and words[-1] in _DISTRICT_WORDS:
            city_key = " ".join(words[:-1])
        if number is None or not city_key:
            return None
        rows, _ = self._narrow_all(self._named(city_key, q), q.qualifiers)
        if rows is None or not len(rows):
            return None
        anchors = self._anchors(rows)
        if len(anchors) > 1:
            return rows, "district number", False  # which city's district? let the choices show
        city = int(anchors[0])
        prefixes = {city_key, str(self.cities.folded_name[city])}
        cos_limit = np.cos(PARENT_RADIUS_KM / EARTH_RADIUS_KM)
        near = np.flatnonzero(self.cities.xyz @ self.cities.xyz[city] >= cos_limit)
        districts = [
            r for r in near if r != city and _district_number_of(str(self.cities.folded_name[r]), prefixes) == number
        ]
        if districts:
            districts = np.asarray(districts)
            return (
                districts[np.argsort(-self.cities.population[districts], kind="stable")][:1],
                "district number",
                False,
            )
        return np.array([city]), "district number", False

    def _rule_parent_city(self, q):
        pairs = []  # (name, parent, least size ratio of parent over the town)
        if q.qualifiers:
            rest = q.qualifiers[1:]
            if q.dashed:
                # "Havana – Plaza de la Revolución" mostly, "Plaza de la Revolución – Havana"
                # sometimes: the larger place is the parent either way.
                pairs += [(q.qualifiers[0], q.base, rest, 1.0), (q.base, q.qualifiers[0], rest, 1.0)]
            else:
                pairs.append((q.base, q.qualifiers[0], rest, 0.0))
        for left, right in _hyphen_splits(q.base):
            # "Berlin-Spandau" is a district of a city; "Cherbourg-Octeville" two merged towns.
            pairs.append((right, left, q.qualifiers, CITY_OVER_DISTRICT))
        for name, parent, rest, ratio in pairs:
            parents, _ = self._narrow_all(self._named(fold(parent), q), rest)
            if parents is None or not len(parents):
                continue
            rows, _ = self._narrow_all(self._named(fold(name), q), rest)
            if not len(rows):
                continue
            anchors = self._anchors(parents)
            dist, nearest = self._near(rows, anchors)
            ok = (dist <= PARENT_RADIUS_KM) & ~np.isin(rows, anchors)
            if ratio:
                pop = self.cities.population[rows]
                ok &= (pop > 0) & (self.cities.population[nearest] >= ratio * pop)
            if ok.any():
                best = rows[ok][np.argmin(dist[ok])]
                return np.array([best]), "parent city", False
        return None

    def _rule_merged(self, q):
        narrowing = [x for x in q.qualifiers if self._narrow(np.array([], dtype=np.int64), x) is not None]
        picks, single = [], None
        for left, right in _hyphen_splits(q.base):
            lrows, _ = self._narrow_all(self._named(fold(left), q), narrowing)
            rrows, _ = self._narrow_all(self._named(fold(right), q), narrowing)
            if len(lrows) and len(rrows):
                d = EARTH_RADIUS_KM * np.arccos(np.clip(self.cities.xyz[lrows] @ self.cities.xyz[rrows].T, -1, 1))
                for i, j in zip(*np.nonzero(d <= MERGED_RADIUS_KM)):
                    pair = (lrows[i], rrows[j])
                    picks.append(max(pair, key=lambda r: self.cities.population[r]))
            elif single is None and (len(lrows) or len(rrows)):
                # One part alone ("Mönchengladbach-Rheydt"): a town, not a hamlet that happens
                # to share a word ("Wanne-Eickel" is not Wanne, Belgium, 739 people).
                part = lrows if len(lrows) else rrows
                part = part[self.cities.population[part] >= MERGED_PART_MIN_POPULATION]
                single = part if len(part) else None
        if picks:
            # Two pairs of neighbours so called (a Brighton by a Windsor twice over) is a
            # choice the person must make.
            picks = np.unique(np.asarray(picks, dtype=np.int64))
            picks = picks[np.argsort(-self.cities.population[picks], kind="stable")]
            return picks, "merged name part", len(picks) > 1
        if single is not None:
            return single, "merged name part", True
        return None

    def _rule_qualifier_ignored(self, q):
        if not q.qualifiers:
            return None
        rows = self._named(fold(q.base), q)
        for qualifier in q.qualifiers:
            narrowed = self._narrow(rows, qualifier)
            if narrowed is not None:
                rows = narrowed[0]
        if not len(rows):
            return None
        return rows, "qualifier ignored", True

    def _rule_fuzzy(self, q):
        if q.qualifiers and q.ci is None:
            name, ci = self.split_country(q.text)
        else:
            name, ci = q.text, q.ci
        rows = self._fuzzy(name, ci)
        if q.regions is not None:
            rows = rows[np.isin(self.cities.region[rows], q.regions)]
        if len(rows):
            return rows, "fuzzy", False
        return None

    _RULE_ORDER = (
        "_rule_exact",
        "_rule_region",
        "_rule_descriptor",
        "_rule_district_number",
        "_rule_parent_city",
        "_rule_merged",
        "_rule_qualifier_ignored",
        "_rule_fuzzy",
    )

    # ------------------------------------------------------------------ public

    def resolve_explained(self, text, country=None, region=None):
        """The city meant by ``text`` and the rule that found it.

        Parameters
        ----------
        text : str or int
            A name (any language GeoNames knows), with optional qualifiers
            (``"name, CC"``, ``"name, IL"``, ``"name (parent city)"``, ...), or a GeoNames id.
        country : str, optional
            ISO alpha-2 code or English name restricting the search.
        region : str, optional
            A first-level region: admin1 code ("IL", "ENG", "07") or name ("Illinois"),
            accents and case folded.

        Returns
        -------
        Resolution

        Raises
        ------
        CityNotFound
            Nothing matches; the message lists the nearest spellings.
        AmbiguousCity
            Several cities match and none is ten times larger than the rest.
        InvalidInput
            Empty text, an unknown country or an unknown region.
        """
        q = self._query(text, country, region)
        if q.text.isdigit():
            row = self.cities.index.row(int(q.text))
            if q.ci is not None and self.cities.country[row] != q.ci:
                raise CityNotFound(f"GeoNames id {q.text} in {self.cities.countries.code_of(q.ci)}")
            if q.regions is not None and self.cities.region[row] not in q.regions:
                raise CityNotFound(f"GeoNames id {q.text} in region {str(region).strip()}")
            return Resolution(row, "geonames id", q.text)
        for method in self._RULE_ORDER:
            found = getattr(self, method)(q)
            if found is not None:
                rows, rule, strict = found
                if q.regions is not None and rule in ("exact", "alternate name"):
                    rule = "region"  # the region keyword chose among the towns so called
                try:
                    return Resolution(self._dominant(q.text, rows, strict), rule, q.text)
                except AmbiguousCity:
                    # "Queens (New York)": New York is a state and a city; where the state
                    # leaves a choice, the city may settle it.
                    nearer = self._rule_parent_city(q) if rule == "region" else None
                    if nearer is None:
                        raise
                    return Resolution(int(nearer[0][0]), nearer[1], q.text)
        raise CityNotFound(q.text, self.suggest(q.text, country))

    def resolve(self, text, country=None, region=None):
        """The inner row of the city meant by ``text`` (see :meth:`resolve_explained`).

        Returns
        -------
        int
        """
        return self.resolve_explained(text, country, region).row

    def _dominant(self, text, rows, strict=False):
        if len(rows) == 1:
            return int(rows[0])
        pop = self.cities.population[rows]
        if not strict and pop[0] >= self.dominance * max(pop[1], 1.0):
            return int(rows[0])
        raise AmbiguousCity(text, [self.cities.city(r) for r in rows[:20]])

    def _choices(self, ci):
        rows = np.arange(len(self.cities)) if ci is None else np.flatnonzero(self.cities.country == ci)
        return rows, self.cities.folded_name[rows]

    def _fuzzy(self, name, ci, cutoff=None):
        cutoff = self.fuzzy_cutoff if cutoff is None else cutoff
        found = [
            (row, score) for row, score in self._scored(fold(name), ci, min(cutoff, SUGGEST_CUTOFF)) if score >= cutoff
        ]
        if not found:
            return np.array([], dtype=np.int64)
        best = found[0][1]
        picked = np.array([row for row, score in found if score >= best - 1e-9])
        return picked[np.argsort(-self.cities.population[picked], kind="stable")]

    def _scored(self, key, ci, cutoff, limit=SUGGEST_POOL):
        """Up to ``limit`` (row, score) pairs of names nearest ``key``, best first.

        A misspelling that is not accepted is then suggested from the same scores: one
        pass over the names serves both (the last pass is kept).
        """
        from rapidfuzz import fuzz, process

        memo = (key, ci, cutoff, limit)
        last = self._last_scored
        if last is not None and last[0] == memo:
            return last[1]
        rows, names = self._candidates(key, ci, cutoff)
        found = [
            (int(rows[i]), score)
            for _, score, i in process.extract(key, names.tolist(), scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
        ]
        self._last_scored = (memo, found)
        return found

    def _candidates(self, key, ci, cutoff):
        """Rows (and folded names) that could reach ``cutoff`` against ``key``.

        ratio = 100 * (1 - indel / (a + b)) <= 200 * min(a, b) / (a + b), so names whose
        length alone keeps them under the cutoff are skipped: lossless, and several times
        faster than scoring all 235,000 names.
        """
        rows, names = self._choices(ci)
        lengths = self._name_lengths()[rows]
        ok = 200.0 * np.minimum(lengths, len(key)) >= cutoff * (lengths + len(key))
        return rows[ok], names[ok]

    def _name_lengths(self):
        if self._lengths is None:
            self._lengths = np.fromiter(
                (len(n) for n in self.cities.folded_name), dtype=np.int64, count=len(self.cities)
            )
        return self._lengths

    def suggest(self, text, country=None, limit=5):
        """Nearest spellings of ``text``, as labels such as ``"Coventry (GB, England)"``."""
        name, ci = self.split_country(text, country)
        found = self._scored(fold(name), ci, SUGGEST_CUTOFF, max(SUGGEST_POOL, limit * 4))
        best = {}
        for row, score in found:
            best[row] = max(score, best.get(row, 0.0))
        picked = sorted(best, key=lambda r: (-best[r], -self.cities.population[r]))
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


def _checked(text):
    text = str(text).strip()
    if not text:
        raise InvalidInput("empty city name")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidInput(f"city name longer than {MAX_QUERY_LENGTH} characters")
    return text


def _hyphen_splits(name):
    """``"Saint-Quentin-en-Yvelines"`` -> every (left, right) split at a hyphen between words."""
    parts = _HYPHEN.split(name)
    return [("-".join(parts[:i]), "-".join(parts[i:])) for i in range(1, len(parts))]


def _number(token):
    """``"16"`` -> 16, ``"XIII"`` -> 13; None for anything else (``"IIII"``, ``"ill"``)."""
    token = token.lower()
    if token.isdigit():
        return int(token)
    if not token or any(ch not in _ROMAN for ch in token):
        return None
    total = 0
    for ch, nxt in zip(token, token[1:] + " "):
        value = _ROMAN[ch]
        total += -value if nxt in _ROMAN and _ROMAN[nxt] > value else value
    return total if total and _to_roman(total) == token else None


def _to_roman(n):
    out = ""
    for value, letters in ((50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")):
        while n >= value:
            out, n = out + letters, n - value
    return out


def _district_number_of(key, prefixes):
    """The district number in a folded GeoNames name: ``"budapest xiii kerulet"`` -> 13,
    ``"paris 16 passy"`` -> 16, ``"sector 3"`` -> 3; None if the name carries none."""
    words = key.split()
    for prefix in prefixes:
        p = prefix.split()
        if p and words[: len(p)] == p:
            words = words[len(p) :]
            break
    else:
        if not words or words[0] not in _DISTRICT_WORDS:
            return None
    if words and words[0] in _DISTRICT_WORDS:
        words = words[1:]
    return _number(words[0]) if words else None
