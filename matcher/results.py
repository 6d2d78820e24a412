"""Immutable results that carry their explanation, rendered alike by every interface."""

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["Reason", "Recommendation", "Recommendations", "Explanation"]


@dataclass(frozen=True)
class Reason:
    """One reason a candidate fits: the feature, its share of the score, and a sentence."""

    feature: str
    contribution: float
    text: str
    side: str = "query"

    def to_dict(self):
        return {
            "feature": self.feature,
            "contribution": round(self.contribution, 4),
            "text": self.text,
            "side": self.side,
        }


@dataclass(frozen=True)
class Recommendation:
    """A ranked candidate partner for a query city.

    Attributes
    ----------
    query, city : City
    rank : int
        1 for the best candidate.
    score : float
        The model's score (log-odds scale; higher is better).
    distance_km : float
    reasons : tuple of Reason
        The features that speak most for the pair, strongest first.
    contributions : tuple of (str, float)
        Every feature's contribution to ``score``, in schema order.
    fit : float
        0-100: how close the candidate comes to the best candidate for this town,
        ``100 * exp(score - best score)`` (the odds against the best, on the model's scale).
    """

    query: object
    city: object
    rank: int
    score: float
    distance_km: float
    reasons: tuple
    contributions: tuple = ()
    fit: float = 100.0

    @property
    def reasons_text(self):
        return "; ".join(r.text for r in self.reasons)

    def to_dict(self, with_contributions=False):
        d = {
            "rank": self.rank,
            "geonameid": self.city.geonameid,
            "name": self.city.name,
            "country": self.city.country,
            "admin1": self.city.admin1,
            "region": self.city.region_name or None,
            "label": self.city.label(),
            "population": self.city.population,
            "latitude": self.city.latitude,
            "longitude": self.city.longitude,
            "distance_km": round(self.distance_km, 1),
            "score": round(self.score, 4),
            "fit": round(self.fit, 1),
            "reasons": [r.to_dict() for r in self.reasons],
        }
        if with_contributions:
            d["contributions"] = {k: round(v, 4) for k, v in self.contributions}
        return d

    def to_row(self):
        """Flat row for CSV/Parquet reports."""
        return {
            "query_geonameid": self.query.geonameid,
            "query_name": self.query.name,
            "query_country": self.query.country,
            "rank": self.rank,
            "geonameid": self.city.geonameid,
            "name": self.city.name,
            "country": self.city.country,
            "population": self.city.population,
            "distance_km": round(self.distance_km, 1),
            "score": round(self.score, 4),
            "reasons": self.reasons_text,
        }


@dataclass(frozen=True)
class Recommendations(Sequence):
    """The ranked candidates for one town: a sequence of :class:`Recommendation`, best first.

    It also carries the ``query`` (a City), whether the ranking is ``mutual`` (both sides'
    fit), and a ``note`` when the list is empty that says which filter to widen: an empty
    answer is an answer, not an error.
    """

    items: tuple = ()
    query: object = None
    note: str = None
    mutual: bool = False

    def __getitem__(self, i):
        return self.items[i]

    def __len__(self):
        return len(self.items)

    def to_dict(self, with_contributions=False):
        return {
            "query": None if self.query is None else self.query.to_dict(),
            "mutual": self.mutual,
            "note": self.note,
            "recommendations": [r.to_dict(with_contributions) for r in self.items],
        }


@dataclass(frozen=True)
class Explanation:
    """Why a given candidate ranks where it does for a query (``Matcher.explain``).

    Attributes
    ----------
    query, candidate : City
    rank : int or None
        The candidate's rank among every candidate that passes the rules and filters;
        None when a rule or filter excludes it (see ``excluded_by``).
    of : int
        How many candidates pass the rules and filters.
    would_rank : int
        Where it would rank were it allowed (equal to ``rank`` when it is).
    score, fit, distance_km : float
    reasons : tuple of Reason
        The features that speak for the pair, strongest first.
    contributions : tuple of Reason
        Every feature's contribution, largest first, each with its reason text ('' if none).
    excluded_by : tuple of str
        The default rules or filters that leave the candidate out.
    """

    query: object
    candidate: object
    rank: object
    of: int
    would_rank: int
    score: float
    fit: float
    distance_km: float
    reasons: tuple
    contributions: tuple
    excluded_by: tuple = ()

    def to_dict(self):
        return {
            "query": self.query.to_dict(),
            "candidate": self.candidate.to_dict(),
            "rank": self.rank,
            "of": self.of,
            "would_rank": self.would_rank,
            "score": round(self.score, 4),
            "fit": round(self.fit, 1),
            "distance_km": round(self.distance_km, 1),
            "reasons": [r.to_dict() for r in self.reasons],
            "contributions": [r.to_dict() for r in self.contributions],
            "excluded_by": list(self.excluded_by),
        }
