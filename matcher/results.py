"""Immutable results that carry their explanation, rendered alike by every interface."""

from dataclasses import dataclass

__all__ = ["Reason", "Recommendation"]


@dataclass(frozen=True)
class Reason:
    """One reason a candidate fits: the feature, its share of the score, and a sentence."""

    feature: str
    contribution: float
    text: str

    def to_dict(self):
        return {"feature": self.feature, "contribution": round(self.contribution, 4), "text": self.text}


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
    """

    query: object
    city: object
    rank: int
    score: float
    distance_km: float
    reasons: tuple
    contributions: tuple = ()

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
            "population": self.city.population,
            "latitude": self.city.latitude,
            "longitude": self.city.longitude,
            "distance_km": round(self.distance_km, 1),
            "score": round(self.score, 4),
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
