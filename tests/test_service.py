"""The HTTP service on the synthetic world: each endpoint, each error status, each bound."""

import asyncio
import json
import logging
import os
import signal
import threading
import time
import warnings
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

with warnings.catch_warnings():
    # Newer Starlette warns that its httpx-based client will move; it still works.
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import make_cities  # noqa: E402
from sistermatch import Matcher, NotFittedError, __version__  # noqa: E402
from sistermatch.features import ALL_ASPECTS  # noqa: E402
from sistermatch.interfaces import service  # noqa: E402
from sistermatch.interfaces.service import MAX_BATCH, MAX_BODY_BYTES, MAX_LIMIT, MAX_TEXT, create_app  # noqa: E402
from sistermatch.interfaces.throttle import RankingPool  # noqa: E402
from sistermatch.models import LogisticRanker  # noqa: E402
from sistermatch.ranking import MAX_K  # noqa: E402

COVENTRY, LEAMINGTON, KOELN, PARIS, CAEN, SPRINGFIELD_IL, SPRINGFIELD_MA = 1, 3, 7, 8, 9, 18, 19


@pytest.fixture(scope="module")
def matcher(graph):
    return Matcher(cities=make_cities(), model=LogisticRanker(), aspects=ALL_ASPECTS).fit(graph)


@pytest.fixture(scope="module")
def client(matcher):
    return TestClient(create_app(matcher, meta={"data_version": "synthetic-1"}))


def error_of(response, status):
    """The error object of a response, after checking the status and the one error shape."""
    assert response.status_code == status, response.text
    err = response.json()["error"]
    assert err["status"] == status
    assert err["message"]
    return err


# -- endpoints ---------------------------------------------------------------------


def test_health_reports_version_and_data_size(client):
    body = client.get("/health").json()
    assert body["status"] == "ok"
    assert body["version"] == __version__
    assert body["cities"] == 23
    assert body["partnerships"] == 20
    assert body["meta"]["data_version"] == "synthetic-1"


def test_cities_autocompletes_most_populous_first(client):
    body = client.get("/cities", params={"q": "spr", "country": "US"}).json()
    assert [c["geonameid"] for c in body["cities"]] == [SPRINGFIELD_MA, SPRINGFIELD_IL]
    assert set(body["cities"][0]) >= {"geonameid", "name", "country", "admin1", "latitude", "longitude", "population"}
    assert body["cities"][0]["label"] == "Springfield (US, Massachusetts)"
    assert len(client.get("/cities", params={"q": "spr", "limit": 1}).json()["cities"]) == 1


def test_cities_finds_alternate_names_and_ids(client):
    assert [c["geonameid"] for c in client.get("/cities", params={"q": "Cologne"}).json()["cities"]] == [KOELN]
    assert [c["geonameid"] for c in client.get("/cities", params={"q": str(PARIS)}).json()["cities"]] == [PARIS]


def test_cities_suggests_spellings_when_nothing_matches(client):
    body = client.get("/cities", params={"q": "Coventri"}).json()
    assert body["cities"] == []
    assert body["suggestions"][0].startswith("Coventry")


def test_resolve_finds_one_town(client):
    assert client.get("/resolve", params={"q": "Koeln"}).json()["city"]["geonameid"] == KOELN
    assert client.get("/resolve", params={"q": "Springfield", "country": "US"}).status_code == 409


def test_city_shows_profile_with_sources_and_partners(client):
    body = client.get(f"/cities/{LEAMINGTON}").json()
    assert body["city"]["name"] == "Leamington"
    assert body["facts"], "the shipped tables know England and the UK"
    assert all(f["source"] for f in body["facts"])
    assert CAEN in [p["geonameid"] for p in body["partners"]]


def test_recommendations_match_the_python_api(client, matcher):
    body = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 5}).json()
    assert body["query"]["name"] == "Coventry"
    assert body["recommendations"] == [r.to_dict() for r in matcher.recommend(COVENTRY, k=5)]
    assert [r["rank"] for r in body["recommendations"]] == [1, 2, 3, 4, 5]
    assert all(r["reasons"] for r in body["recommendations"])


@pytest.mark.parametrize(
    "params, check",
    [
        ({"countries": "DE,FR"}, lambda r: r["country"] in ("DE", "FR")),
        ({"exclude_countries": "US"}, lambda r: r["country"] != "US"),
        ({"continents": "NA"}, lambda r: r["country"] == "US"),
        ({"min_population": 500000}, lambda r: r["population"] >= 500000),
        ({"max_population": 300000}, lambda r: r["population"] <= 300000),
        ({"max_distance_km": 1000}, lambda r: r["distance_km"] <= 1000),
        ({"include_domestic": "true", "countries": "GB"}, lambda r: r["country"] == "GB"),
    ],
)
def test_recommendation_filters(client, params, check):
    recs = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 50, **params}).json()["recommendations"]
    assert recs
    assert all(check(r) for r in recs)


def test_batch_isolates_bad_queries(client):
    queries = [
        {"city": "Coventry"},
        {"city": "Springfield"},
        {"geonameid": 999},
        {"city": "Nowhereville"},
        {},
        {"city": "Toledo", "country": "ES"},
        {"geonameid": KOELN},
    ]
    body = client.post("/batch", json={"queries": queries, "k": 3, "countries": ["DE", "FR", "US"]}).json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(len(queries)))
    assert body["errors"] == 4
    assert results[0]["city"]["geonameid"] == COVENTRY and len(results[0]["recommendations"]) == 3
    assert all(r["country"] in ("DE", "FR", "US") for r in results[0]["recommendations"])
    assert results[1]["error"]["status"] == 409
    assert {c["geonameid"] for c in results[1]["error"]["choices"]} == {SPRINGFIELD_IL, SPRINGFIELD_MA}
    assert results[2]["error"]["status"] == 404
    assert results[3]["error"]["type"] == "city_not_found"
    assert results[4]["error"]["status"] == 422
    assert results[5]["city"]["country"] == "ES"
    assert results[6]["query"] == {"geonameid": KOELN}
    assert results[6]["recommendations"]


def test_page_is_served_without_external_urls(client):
    response = client.get("/")
    assert response.status_code == 200
    assert "text/html" in response.headers["content-type"]
    assert "default-src 'self'" in response.headers["content-security-policy"]
    for name in ("index.html", "app.js", "style.css"):
        text = client.get(f"/static/{name}").text if name != "index.html" else response.text
        assert text
        assert "http://" not in text and "https://" not in text, name


def test_openapi_docs(client):
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/cities", "/cities/{geonameid}", "/cities/{geonameid}/recommendations", "/batch"} <= set(paths)


def test_ranking_does_not_block_the_event_loop(matcher, monkeypatch):
    # Ranking is CPU-bound; run on the event loop it would hold up every other request.
    slow = matcher.recommend

    def recommend(*args, **kw):
        time.sleep(0.5)
        return slow(*args, **kw)

    monkeypatch.setattr(matcher, "recommend", recommend)
    finished = []

    async def get(client, url):
        response = await client.get(url)
        finished.append(url)
        return response

    async def scenario():
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(matcher)), base_url="http://test"
        ) as client:
            ranking = asyncio.create_task(get(client, f"/cities/{COVENTRY}/recommendations"))
            await asyncio.sleep(0.1)
            health = await get(client, "/health")
            return health, await ranking

    health, ranking = asyncio.run(scenario())
    assert health.status_code == ranking.status_code == 200
    assert finished == ["/health", f"/cities/{COVENTRY}/recommendations"]


def test_unfitted_matcher_is_refused():
    with pytest.raises(NotFittedError):
        create_app(Matcher(cities=make_cities()))


# -- error statuses ----------------------------------------------------------------


def test_unknown_city_is_404_with_suggestions(client):
    err = error_of(client.get("/resolve", params={"q": "Coventri"}), 404)
    assert err["type"] == "city_not_found"
    assert err["suggestions"][0].startswith("Coventry")
    error_of(client.get("/cities/999"), 404)
    error_of(client.get("/cities/999/recommendations"), 404)


def test_ambiguous_city_is_409_with_choices(client):
    err = error_of(client.get("/resolve", params={"q": "Springfield"}), 409)
    assert err["type"] == "ambiguous_city"
    assert [c["geonameid"] for c in err["choices"]] == [SPRINGFIELD_MA, SPRINGFIELD_IL]
    assert err["choices"][0]["label"].startswith("Springfield (US, Massachusetts")


@pytest.mark.parametrize(
    "url, params",
    [
        ("/cities/1/recommendations", {"countries": "XX"}),
        ("/cities/1/recommendations", {"continents": "ZZ"}),
        ("/cities/1/recommendations", {"min_population": 5, "max_population": 1}),
        ("/cities", {"q": "co", "country": "Atlantis"}),
    ],
)
def test_invalid_input_is_422(client, url, params):
    assert error_of(client.get(url, params=params), 422)["type"] == "invalid_input"


@pytest.mark.parametrize(
    "url, params",
    [
        ("/cities/1/recommendations", {"k": "ten"}),
        ("/cities/1/recommendations", {"min_population": -1}),
        ("/cities/1/recommendations", {"max_distance_km": "far"}),
        ("/cities/abc/recommendations", {}),
        ("/cities", {}),
    ],
)
def test_validation_errors_are_422(client, url, params):
    err = error_of(client.get(url, params=params), 422)
    assert err["type"] == "invalid_input"
    assert err["details"]


def test_unknown_route_is_json_404(client):
    assert error_of(client.get("/no/such/page"), 404)["type"] == "http_error"


# -- bounds ------------------------------------------------------------------------


@pytest.mark.parametrize("k, status", [(0, 422), (1, 200), (MAX_K, 200), (MAX_K + 1, 422)])
def test_k_bounds(client, k, status):
    assert client.get("/cities/1/recommendations", params={"k": k}).status_code == status


@pytest.mark.parametrize("limit, status", [(0, 422), (MAX_LIMIT, 200), (MAX_LIMIT + 1, 422)])
def test_limit_bounds(client, limit, status):
    assert client.get("/cities", params={"q": "co", "limit": limit}).status_code == status


def test_query_text_bounds(client):
    assert client.get("/cities", params={"q": "c" * MAX_TEXT}).status_code == 200
    error_of(client.get("/cities", params={"q": "c" * (MAX_TEXT + 1)}), 422)
    error_of(client.get("/resolve", params={"q": "c" * (MAX_TEXT + 1)}), 422)
    error_of(client.post("/batch", json={"queries": [{"city": "c" * (MAX_TEXT + 1)}]}), 422)


def test_geonameid_bounds(client):
    error_of(client.get(f"/cities/{2**63}/recommendations"), 422)
    error_of(client.get("/cities/0"), 422)


def test_batch_size_bounds(client):
    error_of(client.post("/batch", json={"queries": []}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * (MAX_BATCH + 1)}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}], "k": MAX_K + 1}), 422)
    ok = client.post("/batch", json={"queries": [{"geonameid": 1}] * 20, "k": 2})
    assert ok.status_code == 200 and len(ok.json()["results"]) == 20


def test_batch_caps_total_rows(client, monkeypatch):
    monkeypatch.setattr(service, "MAX_BATCH_ROWS", 10)
    err = error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * 6, "k": 2}), 422)
    assert "result rows" in err["message"]


def test_batch_rejects_a_bad_filter_once(client):
    err = error_of(client.post("/batch", json={"queries": [{"geonameid": 1}] * 3, "countries": "XX"}), 422)
    assert "XX" in err["message"]


def test_batch_rejects_unknown_fields(client):
    error_of(client.post("/batch", json={"queries": [{"town": "Coventry"}]}), 422)
    error_of(client.post("/batch", json={"queries": [{"geonameid": 1}], "colour": "red"}), 422)


def test_request_body_is_capped(client):
    big = b'{"queries": [' + b'{"geonameid": 1},' * (MAX_BODY_BYTES // 16) + b'{"geonameid": 1}]}'
    err = error_of(client.post("/batch", content=big, headers={"content-type": "application/json"}), 413)
    assert "larger than" in err["message"]


def test_malformed_json_is_422(client):
    error_of(client.post("/batch", content=b"{not json", headers={"content-type": "application/json"}), 422)


def test_static_folder_ships_the_page():
    static = Path(service.__file__).parent / "static"
    assert (static / "index.html").is_file() and (static / "app.js").is_file()


# -- under load: the bounded queue, the cache, the access log ------------------


def blocked_recommend(matcher, monkeypatch):
    """Make ``matcher.recommend`` wait until the returned event is set."""
    release, real = threading.Event(), matcher.recommend

    def recommend(*args, **kw):
        release.wait(10)
        return real(*args, **kw)

    monkeypatch.setattr(matcher, "recommend", recommend)
    return release


def test_overload_is_503_with_retry_after(matcher, monkeypatch):
    release = blocked_recommend(matcher, monkeypatch)
    app = create_app(matcher, max_running=1, max_waiting=1, timeout=30)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            first = asyncio.create_task(client.get(f"/cities/{COVENTRY}/recommendations"))
            second = asyncio.create_task(client.get(f"/cities/{KOELN}/recommendations"))
            await asyncio.sleep(0.2)
            t0 = time.perf_counter()
            third = await client.get(f"/cities/{PARIS}/recommendations")
            waited = time.perf_counter() - t0
            release.set()
            return await first, await second, third, waited

    first, second, third, waited = asyncio.run(scenario())
    assert first.status_code == second.status_code == 200
    err = error_of(third, 503)
    assert err["type"] == "overloaded"
    assert int(third.headers["retry-after"]) >= 1
    assert waited < 1.0, "an overloaded worker answers at once"
    assert app.state.limiter.stats()["rejected"] == 1


def test_request_waits_no_longer_than_its_timeout(matcher, monkeypatch):
    release = blocked_recommend(matcher, monkeypatch)
    app = create_app(matcher, max_running=1, max_waiting=8, timeout=0.3)

    async def scenario():
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            first = asyncio.create_task(client.get(f"/cities/{COVENTRY}/recommendations"))
            await asyncio.sleep(0.1)
            t0 = time.perf_counter()
            late = await client.get(f"/cities/{KOELN}/explain/{CAEN}")
            waited = time.perf_counter() - t0
            release.set()
            return await first, late, waited

    first, late, waited = asyncio.run(scenario())
    assert first.status_code == 200
    err = error_of(late, 503)
    assert err["type"] == "queue_timeout"
    assert "retry-after" in late.headers
    assert 0.25 <= waited < 2.0


@pytest.mark.parametrize(
    "other",
    [
        {"k": 4},
        {"mutual": "true"},
        {"include_domestic": "true"},
        {"countries": "DE"},
        {"countries": "DE,FR"},
        {"exclude_countries": "FR"},
        {"continents": "NA"},
        {"min_population": 200000},
        {"max_population": 1000000},
        {"max_distance_km": 1000},
    ],
)
def test_cache_never_serves_another_requests_answer(matcher, other):
    cached, fresh = TestClient(create_app(matcher)), TestClient(create_app(matcher, cache_size=0))
    url = f"/cities/{COVENTRY}/recommendations"
    base = {"k": 3}
    first = cached.get(url, params=base)
    assert first.headers["x-cache"] == "miss"
    assert cached.get(url, params=base).headers["x-cache"] == "hit"
    changed = cached.get(url, params={**base, **other})
    assert changed.headers["x-cache"] == "miss"
    assert changed.json() == fresh.get(url, params={**base, **other}).json()
    assert changed.json() != first.json()
    # ... and the first answer is still its own.
    again = cached.get(url, params=base)
    assert again.headers["x-cache"] == "hit" and again.json() == first.json()


def test_cache_keys_on_parsed_parameters(client):
    url = f"/cities/{KOELN}/recommendations"
    first = client.get(url, params={"k": 2, "min_population": 100000})
    same = client.get(f"{url}?min_population=1e5&k=02")
    assert same.headers["x-cache"] == "hit"
    assert same.json() == first.json() and same.json()["k"] == 2
    other_town = client.get(f"/cities/{PARIS}/recommendations", params={"k": 2, "min_population": 100000})
    assert other_town.json()["query"]["geonameid"] == PARIS


def test_explain_cache_keys_on_the_candidate(client):
    a = client.get(f"/cities/{COVENTRY}/explain/{CAEN}").json()
    b = client.get(f"/cities/{COVENTRY}/explain/{KOELN}").json()
    assert (a["candidate"]["geonameid"], b["candidate"]["geonameid"]) == (CAEN, KOELN)


def test_errors_are_not_cached(client):
    for _ in range(2):
        response = client.get("/cities/999/recommendations")
        assert response.status_code == 404 and "x-cache" not in response.headers


def test_health_reports_stamps_and_service_figures(matcher):
    body = TestClient(create_app(matcher)).get("/health").json()
    meta = body["meta"]
    assert meta["version"] == __version__
    assert meta["partnerships"] == "a partnership graph given in Python"
    assert meta["partnerships_pairs"] == 20
    assert meta["data_version"].endswith("23 cities")
    figures = body["service"]
    assert figures["workers"] == 1
    assert figures["queue"]["max_running"] >= 1 and figures["queue"]["running"] == 0
    assert {"entries", "hits", "misses"} <= set(figures["cache"])


def test_explain_ranks_an_allowed_candidate(client):
    recs = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 5}).json()["recommendations"]
    third = recs[2]
    body = client.get(f"/cities/{COVENTRY}/explain/{third['geonameid']}").json()
    assert body["rank"] == 3 and body["excluded_by"] == []
    assert body["of"] >= 5
    assert body["score"] == third["score"]
    assert body["candidate"]["label"]
    assert body["contributions"], "every feature's contribution is listed"


def test_explain_names_what_excludes_a_same_country_candidate(client):
    body = client.get(f"/cities/{COVENTRY}/explain/{LEAMINGTON}").json()
    assert body["rank"] is None
    assert any("same country" in why for why in body["excluded_by"])
    allowed = client.get(f"/cities/{COVENTRY}/explain/{LEAMINGTON}", params={"include_domestic": "true"}).json()
    assert allowed["rank"] is not None and allowed["excluded_by"] == []
    error_of(client.get(f"/cities/{COVENTRY}/explain/999"), 404)


def test_empty_result_is_an_answer_with_a_note(client):
    response = client.get(f"/cities/{COVENTRY}/recommendations", params={"max_distance_km": 1})
    assert response.status_code == 200
    body = response.json()
    assert body["recommendations"] == []
    assert "max_distance_km" in body["note"]
    assert client.get(f"/cities/{COVENTRY}/recommendations").json()["note"] is None


def test_mutual_answers(client, matcher):
    body = client.get(f"/cities/{COVENTRY}/recommendations", params={"k": 5, "mutual": "true"}).json()
    assert body["mutual"] is True
    expected = [r.to_dict() for r in matcher.recommend(COVENTRY, k=5, mutual=True)]
    assert body["recommendations"] == expected and len(expected) == 5


def test_access_log_writes_one_json_line_per_request(matcher, caplog):
    logged = TestClient(create_app(matcher, access_log=True))
    with caplog.at_level(logging.INFO, logger="sistermatch.access"):
        start = time.perf_counter()
        logged.get(f"/cities/{COVENTRY}/recommendations", params={"k": 2})
        elapsed_ms = 1000 * (time.perf_counter() - start)
        logged.get(f"/cities/{COVENTRY}/recommendations", params={"k": 2})
        logged.get("/cities/999")
    lines = [json.loads(r.getMessage()) for r in caplog.records if r.name == "sistermatch.access"]
    assert [(x["method"], x["status"], x["cache"]) for x in lines] == [
        ("GET", 200, "miss"),
        ("GET", 200, "hit"),
        ("GET", 404, None),
    ]
    assert lines[0]["path"] == f"/cities/{COVENTRY}/recommendations"
    # The logged duration is the request's, in milliseconds: within what the client waited.
    assert 0 < lines[0]["ms"] <= elapsed_ms


def test_access_log_is_off_by_default(client, caplog):
    with caplog.at_level(logging.INFO, logger="sistermatch.access"):
        client.get("/health")
    assert not [r for r in caplog.records if r.name == "sistermatch.access"]


# -- ranking processes -------------------------------------------------------------


@pytest.fixture()
def pool(matcher):
    ranking = RankingPool(matcher, 2)
    yield ranking
    ranking.close()


def test_ranking_processes_answer_like_the_threadpool(matcher, client, pool):
    pooled = TestClient(create_app(matcher, pool=pool, cache_size=0))
    for gid in (COVENTRY, KOELN, PARIS, CAEN):
        url = f"/cities/{gid}/recommendations"
        assert (
            pooled.get(url, params={"k": 4, "mutual": "true"}).json()
            == client.get(url, params={"k": 4, "mutual": "true"}).json()
        )
    error_of(pooled.get("/cities/999/recommendations"), 404)
    error_of(pooled.get(f"/cities/{COVENTRY}/recommendations", params={"countries": "XX"}), 422)
    figures = pooled.get("/health").json()["service"]
    assert figures["workers"] == 2 and figures["queue"]["max_running"] == 2
    assert sum(figures["pool"]["answers_by_process"]) == 6


def test_a_lost_ranking_process_is_replaced(matcher, pool):
    pooled = TestClient(create_app(matcher, pool=pool, cache_size=0))
    assert pooled.get(f"/cities/{COVENTRY}/recommendations").status_code == 200
    for pid in list(pool._executor._processes):
        os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    err = error_of(pooled.get(f"/cities/{COVENTRY}/recommendations"), 503)
    assert err["type"] == "worker_lost" and pool.restarts == 1
    assert pooled.get(f"/cities/{COVENTRY}/recommendations").status_code == 200


def test_serve_ranks_in_forked_processes(matcher, monkeypatch):
    seen = {}

    def fake_run(app, host, port, **kw):
        # What uvicorn would serve: the app, with its pool already forked.
        with TestClient(app) as running:
            seen["health"] = running.get("/health").json()
            seen["recs"] = running.get(f"/cities/{COVENTRY}/recommendations", params={"k": 3}).json()
        seen["where"] = (host, port)

    monkeypatch.setattr("uvicorn.run", fake_run)
    service.serve(matcher, host="127.0.0.1", port=8123, workers=2, log_requests=False)
    figures = seen["health"]["service"]
    assert figures["workers"] == 2 and figures["pool"]["processes"] == 2
    assert figures["queue"]["max_waiting"] == 32, "16 waiting places per ranking process by default"
    assert seen["recs"]["recommendations"] == [r.to_dict() for r in matcher.recommend(COVENTRY, k=3)]
    assert seen["where"] == ("127.0.0.1", 8123)


def test_serve_refuses_zero_workers(matcher):
    with pytest.raises(ValueError, match="workers"):
        service.serve(matcher, workers=-1)


def test_match_pairs_two_lists_with_reasons(client):
    body = {
        "seekers": [{"city": "Köln"}, {"city": "Kiel"}],
        "others": [{"city": "Caen"}, {"city": "Paris", "country": "FR"}, {"geonameid": 15}],
    }
    r = client.post("/match", json=body)
    assert r.status_code == 200, r.text
    data = r.json()
    assert len(data["pairs"]) == 2
    pairs = {(p["geonameid_a"], p["geonameid_b"]) for p in data["pairs"]}
    assert {a for a, _ in pairs} == {7, 4} and len({b for _, b in pairs}) == 2
    assert all(p["reasons"] and p["country_a"] != p["country_b"] for p in data["pairs"])
    assert [c["geonameid"] for c in data["unmatched"]] and data["note"] is None


def test_match_bad_input_is_a_json_error(client):
    r = client.post("/match", json={"seekers": [{"city": "Köln"}, {"city": "Kiel"}]})  # one country only
    assert r.status_code == 422 and "country" in r.json()["error"]["message"]
    r = client.post("/match", json={"seekers": []})
    assert r.status_code == 422 and r.json()["error"]["message"]
    r = client.post("/match", json={"seekers": [{"city": "Atlantis"}, {"city": "Köln"}]})
    assert r.status_code == 404 and r.json()["error"]["message"]
