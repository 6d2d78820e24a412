"""The shapes of the HTTP service's answers, declared for the OpenAPI document.

The endpoints build their JSON from the engine's result objects (``to_dict``) and send it
as it is; these models only document it, so that a client, a reader of ``/docs`` and the
contract fuzz test (``tests/test_service_fuzz.py``) all check answers against the same
schema. Extra fields are allowed: an answer may grow a field without breaking a client.
"""

from typing import Optional

from pydantic import BaseModel, Field

__all__ = [
    "CityOut",
    "ReasonOut",
    "RecommendationOut",
    "RecommendationsOut",
    "ExplanationOut",
    "CitiesOut",
    "ResolveOut",
    "ProfileOut",
    "BatchOut",
    "HealthOut",
    "ErrorOut",
    "error_responses",
]


class CityOut(BaseModel):
    geonameid: int
    name: str
    country: str
    admin1: Optional[str]
    latitude: float
    longitude: float
    population: float
    region: Optional[str] = Field(None, description="First-level region's name, null when unknown.")
    label: Optional[str] = Field(None, description="Display name, e.g. 'Springfield (US, Illinois)'.")


class ReasonOut(BaseModel):
    feature: str
    contribution: float
    text: str
    side: Optional[str] = Field(None, description="'query' or 'candidate': whose side the reason is about.")


class RecommendationOut(CityOut):
    rank: int = Field(..., ge=1)
    distance_km: float = Field(..., ge=0)
    score: float
    fit: float = Field(..., ge=0, le=100, description="0-100: how close to the best candidate for this town.")
    reasons: list[ReasonOut]


class RecommendationsOut(BaseModel):
    query: CityOut
    k: int
    filters: dict
    mutual: bool
    recommendations: list[RecommendationOut]
    note: Optional[str] = Field(..., description="Why the list is empty and which filter to widen; else null.")


class ExplanationOut(BaseModel):
    query: CityOut
    candidate: CityOut
    rank: Optional[int] = Field(..., description="Rank among the candidates that pass; null when excluded.")
    of: int = Field(..., ge=0)
    score: float
    fit: float
    distance_km: float = Field(..., ge=0)
    reasons: list[ReasonOut]
    contributions: list[ReasonOut]
    excluded_by: list[str]


class CitiesOut(BaseModel):
    query: str
    cities: list[CityOut]
    suggestions: list[str]


class ResolveOut(BaseModel):
    city: CityOut


class ProfileOut(BaseModel):
    city: CityOut
    facts: list[dict]
    partners: list[CityOut]


class BatchOut(BaseModel):
    k: int
    filters: dict
    errors: int = Field(..., ge=0)
    results: list[dict]


class MatchOut(BaseModel):
    pairs: list[dict]
    unmatched: list[CityOut]
    note: Optional[str] = None


class HealthOut(BaseModel):
    status: str
    version: str
    cities: int
    partnerships: int
    model: str
    meta: dict
    service: dict


class ErrorBody(BaseModel):
    type: str
    status: int
    message: str = Field(..., min_length=1)


class ErrorOut(BaseModel):
    error: ErrorBody


_ERROR_TEXT = {
    400: "The body could not be read (not UTF-8 JSON).",
    404: "Unknown town (with suggestions) or route.",
    409: "Ambiguous name (with the choices).",
    413: "Request body too large.",
    422: "Invalid parameter or filter.",
    503: "Busy (see Retry-After) or model not ready.",
}


def error_responses(*statuses):
    """The ``responses=`` entry of a route for the error statuses it can answer."""
    out = {}
    for status in statuses:
        entry = {"model": ErrorOut, "description": _ERROR_TEXT[status]}
        if status == 503:
            entry["headers"] = {
                "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "integer"}}
            }
        out[status] = entry
    return out
