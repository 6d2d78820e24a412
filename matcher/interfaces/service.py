"""The HTTP service: a fitted :class:`~sistermatch.Matcher` behind a small JSON API and a web page.

The model is fitted once, before the app starts; each request only ranks. Every
endpoint that ranks is a plain ``def``: ranking is CPU-bound numpy work, so FastAPI runs
it in its threadpool rather than blocking the event loop.

Errors are JSON of one shape, ``{"error": {"type", "status", "message", ...}}``, and the
package's exceptions are mapped to HTTP statuses in one place, :data:`ERROR_STATUS`,
used by the exception handlers and by the batch endpoint's per-query entries alike.

Run it with uvicorn::

    >>> import uvicorn                                                  # doctest: +SKIP
    >>> from sistermatch import Matcher                                 # doctest: +SKIP
    >>> from sistermatch.interfaces.service import create_app          # doctest: +SKIP
    >>> app = create_app(Matcher().fit("partnerships.csv"))             # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8000)                   # doctest: +SKIP
"""

import re
from pathlib import Path
from typing import Annotated, Optional, Union

from fastapi import Depends, FastAPI, HTTPException, Path as PathParam, Query
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from starlette.exceptions import HTTPException as StarletteHTTPException

from .._version import __version__
from ..errors import AmbiguousCity, CityNotFound, InvalidInput, MatcherError, NotFittedError
from ..ranking import CandidateFilter
from .docs import install_docs

__all__ = ["create_app", "ERROR_STATUS", "MAX_K", "MAX_BATCH", "MAX_BATCH_ROWS", "MAX_TEXT", "MAX_LIMIT",
           "MAX_BODY_BYTES"]

MAX_K = 500
MAX_BATCH = 1_000
# 1,000 towns x 500 candidates would be half a million result rows in one response;
# the product is capped so that a single batch stays tens of megabytes, not gigabytes.
MAX_BATCH_ROWS = 100_000
MAX_TEXT = 200
MAX_LIMIT = 50
# Comma-separated code lists ("DE,FR,PL") may name every country, so they get more room.
MAX_CODES_TEXT = 1_000
MAX_CODES = 300
# A full batch of 1,000 queries with 200-character names is well under 1 MiB of JSON.
MAX_BODY_BYTES = 1 << 20
# Above any GeoNames id, below int64 overflow in the id index.
MAX_GEONAMEID = 1 << 62

STATIC_DIR = Path(__file__).parent / "static"
# The page fetches nothing from anywhere else; the browser enforces it.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")

ERROR_STATUS = (
    (CityNotFound, 404),
    (AmbiguousCity, 409),
    (InvalidInput, 422),
    (NotFittedError, 503),
    (MatcherError, 400),
)
"""Status of each package error, most specific first: the one place they are mapped."""


def _error_type(exc):
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(exc).__name__).lower()


def error_entry(exc):
    """The JSON error object for a package error, and its HTTP status.

    Parameters
    ----------
    exc : MatcherError

    Returns
    -------
    status : int
    body : dict
        ``type``, ``status`` and ``message``; ``choices`` (cities) for an ambiguous name,
        ``suggestions`` (labels) for an unknown one.
    """
    status = next(code for cls, code in ERROR_STATUS if isinstance(exc, cls))
    body = {"type": _error_type(exc), "status": status, "message": str(exc)}
    if isinstance(exc, AmbiguousCity):
        body["query"] = exc.query
        body["choices"] = [c.to_dict() | {"label": c.label(with_population=True)} for c in exc.choices]
    elif isinstance(exc, CityNotFound):
        body["query"] = exc.query
        body["suggestions"] = list(exc.suggestions)
    return status, body


class _BodyLimit:
    """ASGI wrapper that stops reading a request body past ``limit`` bytes.

    The check runs as the endpoint reads its body, so the 413 it raises goes through
    the app's exception handlers like every other error.
    """

    def __init__(self, app, limit):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        seen = 0

        async def limited_receive():
            nonlocal seen
            if declared is not None and declared.isdigit() and int(declared) > self.limit:
                raise HTTPException(413, f"request body larger than {self.limit:,} bytes")
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise HTTPException(413, f"request body larger than {self.limit:,} bytes")
            return message

        return await self.app(scope, limited_receive, send)


Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, max_length=8)]
Codes = Union[Annotated[str, StringConstraints(max_length=MAX_CODES_TEXT)],
              Annotated[list[Code], Field(max_length=MAX_CODES)]]


class BatchQuery(BaseModel):
    """One town of a batch: a ``city`` name (with an optional ``country``) or a ``geonameid``."""

    model_config = ConfigDict(extra="forbid")

    city: Optional[Name] = Field(None, description="Name as a person types it, e.g. 'Coventry' or 'Köln'.")
    country: Optional[Name] = Field(None, description="ISO alpha-2 code or English name, e.g. 'GB'.")
    geonameid: Optional[int] = Field(None, ge=1, le=MAX_GEONAMEID, description="GeoNames id of the town.")


class BatchRequest(BaseModel):
    """Several towns ranked with the same ``k`` and filters."""

    model_config = ConfigDict(extra="forbid")

    queries: list[BatchQuery] = Field(..., min_length=1, max_length=MAX_BATCH)
    k: int = Field(10, ge=1, le=MAX_K)
    include_domestic: bool = False
    countries: Optional[Codes] = None
    exclude_countries: Optional[Codes] = None
    continents: Optional[Codes] = None
    exclude_continents: Optional[Codes] = None
    min_population: Optional[float] = Field(None, ge=0)
    max_population: Optional[float] = Field(None, ge=0)
    max_distance_km: Optional[float] = Field(None, ge=0)

    def filters(self):
        return self.model_dump(exclude={"queries", "k"}, exclude_none=True)


def _filters(
    include_domestic: bool = Query(False, description="Allow candidates in the query town's own country."),
    countries: Optional[str] = Query(None, max_length=MAX_CODES_TEXT,
                                     description="Keep only these ISO codes, comma-separated (DE,FR)."),
    exclude_countries: Optional[str] = Query(None, max_length=MAX_CODES_TEXT,
                                             description="Leave out these ISO codes, comma-separated."),
    continents: Optional[str] = Query(None, max_length=MAX_CODES_TEXT,
                                      description="Keep only these continent codes (EU,AS,AF,NA,SA,OC,AN)."),
    exclude_continents: Optional[str] = Query(None, max_length=MAX_CODES_TEXT,
                                              description="Leave out these continent codes."),
    min_population: Optional[float] = Query(None, ge=0),
    max_population: Optional[float] = Query(None, ge=0),
    max_distance_km: Optional[float] = Query(None, ge=0),
):
    given = dict(include_domestic=include_domestic, countries=countries, exclude_countries=exclude_countries,
                 continents=continents, exclude_continents=exclude_continents, min_population=min_population,
                 max_population=max_population, max_distance_km=max_distance_km)
    return {key: value for key, value in given.items() if value is not None}


def _check_filters(matcher, filters):
    """Raise :class:`InvalidInput` for a filter no query could pass, before any query runs.

    Country and continent codes are otherwise checked only while ranking, which in a batch
    would turn one bad filter into a thousand identical per-query errors.
    """
    flt = CandidateFilter.make(**dict(filters))
    countries = matcher.cities_.countries
    for code in flt.countries + flt.exclude_countries:
        countries.index_of(code)
    known = set(countries.continents)
    for code in flt.continents + flt.exclude_continents:
        if code not in known:
            raise InvalidInput(f"unknown continent {code!r}; use one of {', '.join(sorted(known))}")


def create_app(matcher, meta=None):
    """Build the FastAPI app around an already-fitted matcher.

    Parameters
    ----------
    matcher : Matcher
        Fitted; the app never refits it, so every request sees the same model.
    meta : dict, optional
        Facts about the running model shown by ``GET /health`` (data version,
        partnerships checksum, ...); the package version and the partnerships checksum
        known to the matcher are filled in.

    Returns
    -------
    fastapi.FastAPI
        Endpoints: ``GET /health``, ``GET /cities``, ``GET /resolve``,
        ``GET /cities/{geonameid}``, ``GET /cities/{geonameid}/recommendations``,
        ``POST /batch``, the web page at ``GET /`` and the OpenAPI docs at ``/docs``.

    Raises
    ------
    NotFittedError
        The matcher has not been fitted.

    Examples
    --------
    >>> from fastapi.testclient import TestClient                         # doctest: +SKIP
    >>> client = TestClient(create_app(matcher))                           # doctest: +SKIP
    >>> client.get("/cities/1/recommendations", params={"k": 3}).json()    # doctest: +SKIP
    """
    if not hasattr(matcher, "model_"):
        raise NotFittedError("create_app needs a fitted Matcher; call fit() first")
    info = {"version": __version__, "partnerships_checksum": getattr(matcher, "partnerships_checksum_", None)}
    info.update(meta or {})
    cities = matcher.cities_

    app = FastAPI(title="sistermatch", version=__version__,
                  description="Ranked, explained sister-city partner candidates for a town.",
                  docs_url=None, redoc_url=None)
    install_docs(app)
    app.state.matcher = matcher
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES)

    # -- errors: the one place they become statuses ---------------------------------

    @app.exception_handler(MatcherError)
    async def _matcher_error(request, exc):
        status, body = error_entry(exc)
        return JSONResponse({"error": body}, status_code=status)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request, exc):
        details = [{"loc": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")} for e in exc.errors()]
        message = "; ".join(f"{'.'.join(d['loc'])}: {d['message']}" for d in details[:5])
        body = {"type": "invalid_input", "status": 422, "message": message, "details": details[:50]}
        return JSONResponse({"error": body}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request, exc):
        body = {"type": "http_error", "status": exc.status_code, "message": str(exc.detail)}
        return JSONResponse({"error": body}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    # -- endpoints ------------------------------------------------------------------

    @app.get("/health", tags=["service"])
    def health():
        """Liveness, the package version, and the model, data and partnerships stamps."""
        return {"status": "ok", "version": __version__, "cities": len(cities),
                "partnerships": matcher.provenance_["partnerships_pairs"], "model": type(matcher.model_).__name__,
                "meta": matcher.provenance_ | info}

    @app.get("/cities", tags=["cities"])
    def find_cities(
        q: str = Query(..., min_length=1, max_length=MAX_TEXT, description="What the person typed so far."),
        country: Optional[str] = Query(None, max_length=MAX_TEXT, description="ISO code or English name."),
        limit: int = Query(10, ge=1, le=MAX_LIMIT),
    ):
        """Autocomplete: towns whose name starts with ``q`` (or a GeoNames id), most populous first.

        When nothing starts with ``q``, the nearest spellings are listed in ``suggestions``.
        """
        found = matcher.complete(q, country, limit)
        suggestions = [] if found else list(matcher.suggest(q, country))
        return {"query": q, "cities": [c.to_dict() | {"label": c.label()} for c in found],
                "suggestions": suggestions}

    @app.get("/resolve", tags=["cities"])
    def resolve_city(
        q: str = Query(..., min_length=1, max_length=MAX_TEXT, description="A name, 'name, CC' or GeoNames id."),
        country: Optional[str] = Query(None, max_length=MAX_TEXT),
    ):
        """The one town meant by ``q``: 404 with suggestions if none, 409 with the choices if several."""
        city = matcher.resolve(q, country)
        return {"city": city.to_dict() | {"label": city.label()}}

    @app.get("/cities/{geonameid}", tags=["cities"])
    def city_profile(geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID)):
        """A town, its profile facts (each with its source) and its known partners."""
        profile = matcher.profile(geonameid)
        partners = [c.to_dict() for c in matcher.partners(geonameid)]
        return profile.to_dict() | {"partners": partners}

    @app.get("/cities/{geonameid}/recommendations", tags=["recommendations"])
    def recommendations(
        geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        k: int = Query(10, ge=1, le=MAX_K, description="How many candidates."),
        mutual: bool = Query(False, description="Rank by the fit from both sides of the pair."),
        filters: dict = Depends(_filters),
    ):
        """The ``k`` best candidate partners for a town, best first, each with its reasons.

        An empty list is an answer: ``note`` then says which filter to widen.
        """
        recs = matcher.recommend(geonameid, k=k, mutual=mutual, **filters)
        query = recs.query
        return JSONResponse({"query": query.to_dict() | {"label": query.label()}, "k": k, "filters": filters,
                             "mutual": mutual, "recommendations": [r.to_dict() for r in recs], "note": recs.note})

    @app.get("/cities/{geonameid}/explain/{candidate_id}", tags=["recommendations"])
    def explain_pair(
        geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        candidate_id: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        filters: dict = Depends(_filters),
    ):
        """Why a given candidate ranks where it does: its rank among all candidates, its score,
        every feature's contribution with its reason, and what excludes it, if anything."""
        e = matcher.explain(geonameid, candidate_id, **filters)
        body = e.to_dict()
        body["query"] |= {"label": e.query.label()}
        body["candidate"] |= {"label": e.candidate.label()}
        return JSONResponse(body)

    @app.post("/batch", tags=["recommendations"])
    def batch(request: BatchRequest):
        """Rank several towns at once; a town that cannot be found gets an error entry, not a failed batch.

        Each result is ``{"index", "query", "city", "recommendations"}`` or
        ``{"index", "query", "error"}`` with the same error object as the other endpoints.
        """
        if len(request.queries) * request.k > MAX_BATCH_ROWS:
            raise InvalidInput(f"{len(request.queries)} queries x k={request.k} is more than {MAX_BATCH_ROWS:,} "
                               "result rows; lower k or split the batch")
        filters = request.filters()
        _check_filters(matcher, filters)
        results, n_errors = [], 0
        for i, q in enumerate(request.queries):
            asked = q.model_dump(exclude_none=True)
            try:
                if (q.city is None) == (q.geonameid is None):
                    raise InvalidInput("give either 'city' (with an optional 'country') or 'geonameid'")
                target = q.geonameid if q.geonameid is not None else q.city
                city = matcher.resolve(target, q.country)
                recs = matcher.recommend(city.geonameid, k=request.k, **filters)
            except MatcherError as exc:
                n_errors += 1
                results.append({"index": i, "query": asked, "error": error_entry(exc)[1]})
                continue
            results.append({"index": i, "query": asked, "city": city.to_dict() | {"label": city.label()},
                            "recommendations": [r.to_dict() for r in recs], "note": recs.note})
        return JSONResponse({"k": request.k, "filters": filters, "errors": n_errors, "results": results})

    # -- the web page ---------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(STATIC_DIR / "index.html", media_type="text/html",
                            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"})

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app
