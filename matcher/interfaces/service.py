"""The HTTP service: a fitted :class:`~sistermatch.Matcher` behind a small JSON API and a web page.

The model is fitted once, before the app starts; each request only ranks. Ranking is
CPU-bound numpy work, so it runs in the threadpool or in ranking processes, never on the
event loop, and through a :class:`~sistermatch.interfaces.throttle.RankingLimiter`: a
few rankings at a time, a short bounded queue, 503 with ``Retry-After`` beyond it. Recent
answers are kept in an :class:`~sistermatch.interfaces.throttle.AnswerCache` keyed by
every parameter of the request. ``sistermatch serve --workers N`` ranks in N processes
that share one loaded model (see :func:`serve`).

Errors are JSON of one shape, ``{"error": {"type", "status", "message", ...}}``, and the
package's exceptions are mapped to HTTP statuses in one place, :data:`ERROR_STATUS`,
used by the exception handlers and by the batch endpoint's per-query entries alike.

    >>> from sistermatch import Matcher                                 # doctest: +SKIP
    >>> from sistermatch.interfaces.service import serve               # doctest: +SKIP
    >>> serve(Matcher().fit(), host="127.0.0.1", port=8000, workers=2)  # doctest: +SKIP
"""

import contextlib
import functools
import gc
import json
import logging
import os
import re
import sys
from pathlib import Path
from typing import Annotated, Optional, Union

from fastapi import Depends, FastAPI, HTTPException, Query
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from threadpoolctl import threadpool_limits

from .._version import __version__
from ..errors import AmbiguousCity, CityNotFound, InvalidInput, MatcherError, NotFittedError
from ..ranking import FILTERS, MAX_K, CandidateFilter
from .docs import install_docs
from .schemas import (
    BatchOut,
    CitiesOut,
    ExplanationOut,
    HealthOut,
    MatchOut,
    ProfileOut,
    RecommendationsOut,
    ResolveOut,
    error_responses,
)
from .throttle import ACCESS_LOGGER, AccessLog, AnswerCache, Overloaded, RankingLimiter, RankingPool

__all__ = [
    "create_app",
    "serve",
    "default_workers",
    "ERROR_STATUS",
    "MAX_BATCH",
    "MAX_BATCH_ROWS",
    "MAX_TEXT",
    "MAX_LIMIT",
    "MAX_BODY_BYTES",
]

MAX_BATCH = 1_000
# A match scores every pair from both sides: 200 x 200 towns take about ten seconds.
MAX_MATCH = 200
# 1,000 towns x 5,000 candidates would be five million result rows in one response;
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
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

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
CodesText = Annotated[str, StringConstraints(max_length=MAX_CODES_TEXT)]
Codes = Union[CodesText, Annotated[list[Code], Field(max_length=MAX_CODES)]]


def _filter_fields(codes):
    """The candidate filters of :data:`~sistermatch.ranking.FILTERS` as ``create_model`` fields.

    Help and bounds come from there; ``codes`` is how a list of codes is sent (in a query
    string, comma-separated text; in a JSON body, text or a list).
    """
    types = {"flag": bool, "codes": Optional[codes], "number": Optional[float]}
    return {spec.name: (types[spec.kind], Field(spec.default, ge=spec.ge, description=spec.help)) for spec in FILTERS}


FilterQuery = create_model(
    "FilterQuery", __doc__="The candidate filters of a GET request.", **_filter_fields(CodesText)
)


async def _filters(given: Annotated[FilterQuery, Query()]):
    """The filters a GET request gives, as :meth:`CandidateFilter.make` keyword arguments."""
    return given.model_dump(exclude_none=True)


class BatchQuery(BaseModel):
    """One town of a batch: a ``city`` name (with an optional ``country``) or a ``geonameid``."""

    # Strict: JSON says what type it is; ``false`` is not a distance, nor "3" a number.
    model_config = ConfigDict(extra="forbid", strict=True)

    city: Optional[Name] = Field(None, description="Name as a person types it, e.g. 'Coventry' or 'Köln'.")
    country: Optional[Name] = Field(None, description="ISO alpha-2 code or English name, e.g. 'GB'.")
    geonameid: Optional[int] = Field(None, ge=1, le=MAX_GEONAMEID, description="GeoNames id of the town.")


class _Batch(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    queries: list[BatchQuery] = Field(..., min_length=1, max_length=MAX_BATCH)
    k: int = Field(10, ge=1, le=MAX_K)

    def filters(self):
        """The filters given, as :meth:`CandidateFilter.make` keyword arguments."""
        return self.model_dump(include={spec.name for spec in FILTERS}, exclude_none=True)


BatchRequest = create_model(
    "BatchRequest",
    __base__=_Batch,
    __module__=__name__,
    __doc__="Several towns ranked with the same ``k`` and filters.",
    **_filter_fields(Codes),
)


class MatchRequest(BaseModel):
    """Towns that seek partners, to be paired so that the total mutual fit is best."""

    model_config = ConfigDict(extra="forbid", strict=True)

    seekers: list[BatchQuery] = Field(..., min_length=1, max_length=MAX_MATCH)
    others: Optional[list[BatchQuery]] = Field(
        None,
        min_length=1,
        max_length=MAX_MATCH,
        description="A second list; without it `seekers` pair among themselves.",
    )
    max_partners: int = Field(1, ge=1, le=10)
    min_score: Optional[float] = Field(None, le=0, description="Least mutual fit of a pair (log scale, at most 0).")
    allow_same_country: bool = False


def _check_filters(matcher, filters):
    """Raise :class:`InvalidInput` for a filter no query could pass, before any query runs.

    Country and continent codes are otherwise checked only while ranking, which in a batch
    would turn one bad filter into a thousand identical per-query errors.
    """
    CandidateFilter.make(**dict(filters)).check_codes(matcher.cities_.countries)


def _dumps(body):
    # As JSONResponse renders, but where the ranking ran, so the bytes can be cached.
    return json.dumps(body, ensure_ascii=False, allow_nan=False, separators=(",", ":")).encode("utf-8")


def _answered(compute):
    """``compute`` returning ``(status, JSON bytes)``, a package error becoming its error answer.

    The ranking functions may run in another process; returning the error as bytes, rather
    than raising it there, sends every answer back the same way.
    """

    @functools.wraps(compute)
    def wrapper(matcher, *args):
        try:
            return 200, _dumps(compute(matcher, *args))
        except MatcherError as exc:
            status, body = error_entry(exc)
            return status, _dumps({"error": body})

    return wrapper


@_answered
def _recommend_answer(matcher, geonameid, k, mutual, filters):
    recs = matcher.recommend(geonameid, k=k, mutual=mutual, **filters)
    query = recs.query
    return {
        "query": query.to_dict() | {"label": query.label()},
        "k": k,
        "filters": filters,
        "mutual": mutual,
        "recommendations": [r.to_dict() for r in recs],
        "note": recs.note,
    }


@_answered
def _explain_answer(matcher, geonameid, candidate_id, filters):
    e = matcher.explain(geonameid, candidate_id, **filters)
    body = e.to_dict()
    body["query"] |= {"label": e.query.label()}
    body["candidate"] |= {"label": e.candidate.label()}
    return body


@_answered
def _batch_answer(matcher, request):
    if len(request.queries) * request.k > MAX_BATCH_ROWS:
        raise InvalidInput(
            f"{len(request.queries)} queries x k={request.k} is more than {MAX_BATCH_ROWS:,} "
            "result rows; lower k or split the batch"
        )
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
        results.append(
            {
                "index": i,
                "query": asked,
                "city": city.to_dict() | {"label": city.label()},
                "recommendations": [r.to_dict() for r in recs],
                "note": recs.note,
            }
        )
    return {"k": request.k, "filters": filters, "errors": n_errors, "results": results}


def _seekers(matcher, queries):
    towns = []
    for q in queries:
        if (q.city is None) == (q.geonameid is None):
            raise InvalidInput("give either 'city' (with an optional 'country') or 'geonameid' for each town")
        towns.append(matcher.resolve(q.geonameid if q.geonameid is not None else q.city, q.country))
    return towns


@_answered
def _match_answer(matcher, request):
    result = matcher.match(
        _seekers(matcher, request.seekers),
        None if request.others is None else _seekers(matcher, request.others),
        max_partners=request.max_partners,
        min_score=request.min_score,
        allow_same_country=request.allow_same_country,
    )
    return {
        "pairs": [p.to_row() for p in result],
        "unmatched": [c.to_dict() for c in result.unmatched],
        "note": result.note,
    }


def _json(body, cache=None, status=200):
    headers = {"X-Cache": cache} if cache else None
    return Response(body, status_code=status, media_type="application/json", headers=headers)


def _key(*parts, filters):
    """A cache key from the parsed parameters: equal only when every parameter is equal."""
    return (*parts, tuple(sorted(filters.items())))


def create_app(
    matcher, meta=None, *, max_running=1, max_waiting=16, timeout=10.0, cache_size=2048, access_log=False, pool=None
):
    """Build the FastAPI app around an already-fitted matcher.

    Parameters
    ----------
    matcher : Matcher
        Fitted; the app never refits it, so every request sees the same model.
    meta : dict, optional
        Facts about the running model shown by ``GET /health`` (data version,
        partnerships checksum, ...); the package version and the partnerships checksum
        known to the matcher are filled in.
    max_running, max_waiting, timeout :
        Rankings computed at once (with a ``pool``: one per process), requests allowed to
        wait for a turn, and seconds one may wait; beyond either bound the answer is 503
        with ``Retry-After`` (see :class:`~sistermatch.interfaces.throttle.RankingLimiter`).
    cache_size : int
        Recent answers kept (0: none).
    access_log : bool
        Write one JSON line per request to the ``sistermatch.access`` logger.
    pool : RankingPool, optional
        Worker processes that rank (forked with this matcher loaded); default this
        process's threadpool.

    Returns
    -------
    fastapi.FastAPI
        Endpoints: ``GET /health``, ``GET /cities``, ``GET /resolve``,
        ``GET /cities/{geonameid}``, ``GET /cities/{geonameid}/recommendations``,
        ``GET /cities/{geonameid}/explain/{candidate_id}``, ``POST /batch``, the web page
        at ``GET /`` and the OpenAPI docs at ``/docs``.

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
    if pool is None:

        def call(fn, *args):
            return run_in_threadpool(fn, matcher, *args)
    else:
        call, max_running = pool.call, pool.processes
    limiter = RankingLimiter(call, max_running=max_running, max_waiting=max_waiting, timeout=timeout)
    cache = AnswerCache(max_entries=cache_size)

    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        if pool is not None:
            pool.close()

    app = FastAPI(
        title="sistermatch",
        version=__version__,
        lifespan=lifespan,
        description="Ranked, explained sister-city partner candidates for a town.",
        docs_url=None,
        redoc_url=None,
    )
    install_docs(app)
    app.state.matcher = matcher
    app.state.limiter = limiter
    app.state.cache = cache
    app.add_middleware(_BodyLimit, limit=MAX_BODY_BYTES)
    if access_log:
        app.add_middleware(AccessLog)

    async def answer(key, compute, *args):
        """The cached answer for ``key``, else ``compute(matcher, *args)`` through the limiter."""
        if key is not None:
            body = cache.get(key)
            if body is not None:
                return _json(body, "hit")
        status, body = await limiter.run(compute, *args)
        if status != 200:
            return _json(body, status=status)
        if key is not None:
            cache.put(key, body)
        return _json(body, "miss" if key is not None else None)

    # -- errors: the one place they become statuses ---------------------------------

    @app.exception_handler(MatcherError)
    async def _matcher_error(request, exc):
        status, body = error_entry(exc)
        return JSONResponse({"error": body}, status_code=status)

    @app.exception_handler(Overloaded)
    async def _overloaded(request, exc):
        body = {"type": exc.reason, "status": 503, "message": str(exc), "retry_after": exc.retry_after}
        return JSONResponse({"error": body}, status_code=503, headers={"Retry-After": str(exc.retry_after)})

    @app.exception_handler(RequestValidationError)
    async def _validation_error(request, exc):
        details = [{"loc": [str(p) for p in e.get("loc", ())], "message": e.get("msg", "")} for e in exc.errors()]
        message = "; ".join(f"{'.'.join(d['loc'])}: {d['message']}" for d in details[:5]) or "invalid request"
        body = {"type": "invalid_input", "status": 422, "message": message, "details": details[:50]}
        return JSONResponse({"error": body}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request, exc):
        body = {"type": "http_error", "status": exc.status_code, "message": str(exc.detail)}
        return JSONResponse({"error": body}, status_code=exc.status_code, headers=getattr(exc, "headers", None))

    # -- endpoints ------------------------------------------------------------------

    @app.get("/health", tags=["service"], response_model=None, responses={200: {"model": HealthOut}})
    def health():
        """Liveness, the package version, the model, data and partnerships stamps, and this worker's
        queue and cache figures."""
        return {
            "status": "ok",
            "version": __version__,
            "cities": len(cities),
            "partnerships": matcher.provenance_["partnerships_pairs"],
            "model": type(matcher.model_).__name__,
            "meta": matcher.provenance_ | info,
            "service": {
                "workers": 1 if pool is None else pool.processes,
                "pid": os.getpid(),
                "queue": limiter.stats(),
                "cache": cache.stats(),
                "pool": None if pool is None else pool.stats(),
            },
        }

    @app.get(
        "/cities", tags=["cities"], response_model=None, responses={200: {"model": CitiesOut}, **error_responses(422)}
    )
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
        return {"query": q, "cities": [c.to_dict() | {"label": c.label()} for c in found], "suggestions": suggestions}

    @app.get(
        "/resolve",
        tags=["cities"],
        response_model=None,
        responses={200: {"model": ResolveOut}, **error_responses(404, 409, 422)},
    )
    def resolve_city(
        q: str = Query(..., min_length=1, max_length=MAX_TEXT, description="A name, 'name, CC' or GeoNames id."),
        country: Optional[str] = Query(None, max_length=MAX_TEXT),
    ):
        """The one town meant by ``q``: 404 with suggestions if none, 409 with the choices if several."""
        city = matcher.resolve(q, country)
        return {"city": city.to_dict() | {"label": city.label()}}

    @app.get(
        "/cities/{geonameid}",
        tags=["cities"],
        response_model=None,
        responses={200: {"model": ProfileOut}, **error_responses(404, 422)},
    )
    def city_profile(geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID)):
        """A town, its profile facts (each with its source) and its known partners."""
        profile = matcher.profile(geonameid)
        partners = [c.to_dict() for c in matcher.partners(geonameid)]
        return profile.to_dict() | {"partners": partners}

    @app.get(
        "/cities/{geonameid}/recommendations",
        tags=["recommendations"],
        response_model=None,
        responses={200: {"model": RecommendationsOut}, **error_responses(404, 422, 503)},
    )
    async def recommendations(
        geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        k: int = Query(10, ge=1, le=MAX_K, description="How many candidates."),
        mutual: bool = Query(False, description="Rank by the fit from both sides of the pair."),
        filters: dict = Depends(_filters),
    ):
        """The ``k`` best candidate partners for a town, best first, each with its reasons.

        An empty list is an answer: ``note`` then says which filter to widen. Ranked in the
        threadpool, a few at a time; 503 with ``Retry-After`` when this worker is full.
        """
        key = _key("recommendations", geonameid, k, mutual, filters=filters)
        return await answer(key, _recommend_answer, geonameid, k, mutual, filters)

    @app.get(
        "/cities/{geonameid}/explain/{candidate_id}",
        tags=["recommendations"],
        response_model=None,
        responses={200: {"model": ExplanationOut}, **error_responses(404, 422, 503)},
    )
    async def explain_pair(
        geonameid: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        candidate_id: int = PathParam(..., ge=1, le=MAX_GEONAMEID),
        filters: dict = Depends(_filters),
    ):
        """Why a given candidate ranks where it does: its rank among all candidates, its score,
        every feature's contribution with its reason, and what excludes it, if anything."""
        key = _key("explain", geonameid, candidate_id, filters=filters)
        return await answer(key, _explain_answer, geonameid, candidate_id, filters)

    @app.post(
        "/batch",
        tags=["recommendations"],
        response_model=None,
        responses={200: {"model": BatchOut}, **error_responses(400, 413, 422, 503)},
    )
    async def batch(request: BatchRequest):
        """Rank several towns at once; a town that cannot be found gets an error entry, not a failed batch.

        Each result is ``{"index", "query", "city", "recommendations"}`` or
        ``{"index", "query", "error"}`` with the same error object as the other endpoints.
        A batch takes one ranking slot for as long as it runs.
        """
        return await answer(None, _batch_answer, request)

    @app.post(
        "/match",
        tags=["recommendations"],
        response_model=None,
        responses={200: {"model": MatchOut}, **error_responses(400, 404, 409, 413, 422, 503)},
    )
    async def match(request: MatchRequest):
        """Programme matching: pair towns that seek partners (one list, or ``seekers`` with ``others``)
        so that as many pair as the rules allow and the total mutual fit is best; each town
        takes at most ``max_partners``; towns of one country pair only if allowed. Each pair
        has its score, reasons from both sides and each town's next best alternatives."""
        return await answer(None, _match_answer, request)

    # -- the web page ---------------------------------------------------------------

    @app.get("/", include_in_schema=False)
    def page():
        return FileResponse(
            STATIC_DIR / "index.html",
            media_type="text/html",
            headers={"Content-Security-Policy": PAGE_CSP, "Cache-Control": "no-cache"},
        )

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def serve(matcher, host="127.0.0.1", port=8000, workers=None, meta=None, log_requests=True, **limits):
    """Serve ``create_app(matcher)``, ranking in ``workers`` processes that share the loaded model.

    One uvicorn process answers HTTP, keeps the answer cache and the queue; the ranking
    itself runs in a :class:`~sistermatch.interfaces.throttle.RankingPool` of processes
    forked once the model is loaded, so they read the same memory pages of the model and
    city tables (copy-on-write) instead of each loading a copy. Every ranking request
    goes to whichever process is free next; with uvicorn processes each accepting their
    own connections, one process took every keep-alive client of a burst while the
    other stayed idle (``bench/service_load.py`` prints the split).

    Parameters
    ----------
    matcher : Matcher
        Fitted.
    host, port :
        Where to listen.
    workers : int, optional
        Ranking processes; default the number of cores this process may use. With 1,
        the ranking runs in the server's own threadpool.
    meta : dict, optional
        See :func:`create_app`.
    log_requests : bool
        One JSON line per request on stderr.
    **limits :
        ``max_waiting`` (default 16 per ranking process), ``timeout``, ``cache_size`` of
        :func:`create_app`.
    """
    import uvicorn

    workers = workers or default_workers()
    if workers < 1:
        raise InvalidInput(f"workers must be at least 1, got {workers}")
    if limits.get("max_waiting") is None:
        limits["max_waiting"] = 16 * workers
    if log_requests:
        _log_to_stderr()
    pool = numerics = None
    if workers > 1:
        # One ranking process per core: BLAS or OpenMP threads inside one would only
        # oversubscribe the cores, and OpenMP thread pools do not survive a fork.
        numerics = threadpool_limits(limits=1)
        # Objects made so far (the model, the city tables) are never collected; frozen, the
        # collector of each process does not write to their pages, so they stay shared.
        matcher.warm_up()  # lazily built state, built once here and shared by every process
        gc.freeze()
        pool = RankingPool(matcher, workers)  # forked now, before the server starts any thread
    try:
        app = create_app(matcher, meta=meta, access_log=log_requests, pool=pool, **limits)
        uvicorn.run(app, host=host, port=port, log_level="warning", access_log=False)
    finally:
        if pool is not None:
            pool.close()
            gc.unfreeze()
            numerics.restore_original_limits()


def default_workers():
    """The number of cores this process may use: one ranking process each."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


def _log_to_stderr():
    logger = logging.getLogger(ACCESS_LOGGER)
    if not logger.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
